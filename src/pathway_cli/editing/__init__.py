"""Editing a YAML record file without touching a byte the edit is not about.

Practitioners keep their records in git and edit them by hand, so an update must leave
comments, key order, quoting, blank lines, flow style, CRLF line endings and a BOM
exactly as they were. ``YamlText`` therefore never re-emits the document: it parses the
text with PyYAML (the C parser where available), takes the start and end positions the
parser reports for the nodes an edit is about, and splices new text in at those
positions. Everything outside the spliced span is the original text, byte for byte.

Why not ruamel.yaml's round-trip mode: measured with ``benchmarks/bench_update.py``, it
re-emits the whole document; even tuned (``preserve_quotes``, ``indent(2, 4, 2)``, a wide
``width``) a no-op round trip changes 9 of the 55 sample files (it drops the spaces that
align ``literacy:  {level: 3}``), with default settings 54 of 55, and an update takes
about 10 times as long as here. PyYAML load-and-dump loses every comment and quote.

Every edit is checked: the edited text is parsed again and must hold exactly the old
data with that one change applied, or the edit is refused (``EditError``). The engine
cannot silently damage a record, whatever odd formatting it meets.

Operations, each addressing a value by its key path (mapping keys and list indices):

- ``set(path, value)``: replace a value, or insert a missing key (and missing parent
  mappings); a new key goes after its predecessor in ``order`` (the model's field order).
- ``delete(path)``: remove a key and its value.
- ``append(path, item)``: add an item to a list (made if missing), in the style of the
  items already there.

The modules (imports run one way, top to bottom):

- ``data``: what a file reads as (the safe loader), ``EditError``, and the data each edit
  must leave (the check);
- ``emitting``: values written as YAML text that reads back as exactly that value;
- ``document``: ``YamlText``, the splicing editor, in the file's own layout.
"""

from pathway_cli.editing.data import EditError
from pathway_cli.editing.document import FieldOrder, YamlText
from pathway_cli.editing.emitting import inline_yaml

__all__ = ["EditError", "FieldOrder", "YamlText", "inline_yaml"]
