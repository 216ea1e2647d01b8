"""Reports: from a case to Markdown, HTML and PDF, one case or a whole caseload.

The pipeline for one report:

1. consent and validity are checked (a refused report writes nothing);
2. ``redaction.redact_case`` turns the case into plain data holding only what the
   audience may see; nothing else reaches a template;
3. report data is derived from that view (names, goal history, achievements, open
   actions, who signs) and every string is escaped for Markdown, so learner text can
   never become Markdown, HTML or table syntax whatever a template does with it;
4. a Jinja template (``templates/<name>.md.j2``; a caseload's own ``templates/``
   folder comes first) renders the Markdown body in a sandbox with strict undefined;
5. a YAML metadata block (title, organisation, date, lang) makes it pandoc-ready;
   HTML and PDF are typeset from that Markdown (``typesetting``).

Errors in a template come back as ``TemplateProblem`` naming the template and line.

The stages, one module each (imports run one way, top to bottom):

- ``outcomes``: what a batch came to (``Outcome``, ``BatchResult``) and the report files'
  names, light to import;
- ``options``: what a report is asked for with (``RenderOptions``, ``OutputFormat``),
  the built-in reports, and the refusals;
- ``escaping``: record text escaped for Markdown;
- ``filters``: the filters templates use (dates, percentages, words, names);
- ``templates``: template lookup, the caseload's confined ``templates/`` folder, the
  sandboxed environment, template errors;
- ``context``: the data a per-case template is given, and the report's language(s);
- ``preparing``: the checks, then the template rendered to Markdown (``prepare_case``,
  ``prepare_report``, ``bilingual``);
- ``finishing``: a prepared report as Markdown, HTML or PDF bytes (``finish``,
  ``render_case``);
- ``caseload_report``: the team's overview of the whole caseload;
- ``batch``: one report per case into a folder, with an index (``render_batch``);
- ``uptodate``: a batch that makes only the reports out of date (``bring_up_to_date``),
  from entries in the cache; it imports the stages above only when a report is to be made.

Import what you use from its module (``from pathway_cli.rendering.batch import
render_batch``): this package re-exports nothing, so that loading one stage (the
template names, for shell completion) does not load them all.
"""
