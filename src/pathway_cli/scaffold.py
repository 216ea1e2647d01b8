"""Making new things: a caseload skeleton (``init``) and a new case (``new``).

Scaffolded files teach the format: each starts with a ``yaml-language-server`` line that
points at the caseload's JSON Schemas (so editors complete and check fields) and
carries comments that say what each field is for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pathway_cli.caseload import CASES_DIR, SETTINGS_FILE, find_root, load_caseload
from pathway_cli.errors import UserError
from pathway_cli.models import ID_PATTERN, TeamMember
from pathway_cli.plaintext import is_one_line
from pathway_cli.schema import record_schemas, schema_file_name, schema_json
from pathway_cli.writer import atomic_write, ensure_inside

__all__ = [
    "PRE_COMMIT_HOOK",
    "SCHEMA_DIR",
    "InitResult",
    "align_comments",
    "init_caseload",
    "known_member",
    "new_case",
    "write_schemas",
]

SCHEMA_DIR = "schemas"


@dataclass
class InitResult:
    """What ``init`` or ``new`` wrote (and what it left alone)."""

    written: list[Path]
    kept: list[Path]


def write_schemas(folder: Path) -> list[Path]:
    """Write one ``<kind>.schema.json`` per record kind into ``folder``."""
    written = []
    for kind, schema in record_schemas().items():
        path = folder / schema_file_name(kind)
        atomic_write(path, schema_json(schema).encode("utf-8"))
        written.append(path)
    return written


COMMENT_COLUMN = 34  # where inline comments start in scaffolded files (1-based: column 35)
_INLINE_COMMENT = re.compile(r"^(?P<code>.*?\S)\s{2,}(?P<comment># .*)$")


def align_comments(text: str, column: int = COMMENT_COLUMN) -> str:
    """Line up the inline comments of a scaffolded file (those after two or more spaces).

    A line whose content reaches past the column keeps its comment two spaces after it.
    """
    lines = []
    for line in text.split("\n"):
        match = _INLINE_COMMENT.match(line)
        if match is None or match.group("code").count('"') % 2:  # a '#' inside quotes
            lines.append(line)
            continue
        code = match.group("code")
        lines.append(f"{code.ljust(column - 1)} {match.group('comment')}"
                     if len(code) < column - 1 else f"{code}  {match.group('comment')}")
    return "\n".join(lines)


def _schema_line(kind: str, depth: int) -> str:
    up = "../" * depth
    return f"# yaml-language-server: $schema={up}{SCHEMA_DIR}/{schema_file_name(kind)}\n"


_SETTINGS = """\
# pathway caseload settings. Every key is optional; the values shown are the defaults.
# Record format: see the pathway README ("The record format in short").
organisation: {organisation}  # shown on reports
locale: en                    # report language
review_every_days: 28         # how often a plan should be reviewed
risk:                         # early-warning thresholds used by `pathway alerts`
  attendance_amber: 0.85      # attendance below this since the last review: amber
  attendance_red: 0.70        # ... below this: red
  attendance_drop: 0.15       # fall between two consecutive reviews
  wellbeing_drop: 2           # fall on the 1-5 well-being scale between two reviews
  review_grace_days: 7        # a review is overdue after next_review + this many days
  unsigned_contract_days: 21  # contract still unsigned this long after the plan was agreed
  no_plan_days: 28            # active case still without an agreed plan this long after opening
audiences:                    # which report sections each audience may see
  learner:  [profile, assessment, plan, contract, reviews]
  guardian: [profile, plan, contract, reviews]
  employer: [profile, plan.learning, plan.career, contract]
  team:     [all]
"""

_TEAM_README = """\
# {organisation}: learner caseload

This folder holds our learner-support records as plain YAML, one folder per learner under
`cases/`, kept in git. The records are personal data: keep the repository private and
share reports only with the audiences the learner agreed to.

Everyday commands (run them inside this folder):

    pathway validate                  # check every record; run before each commit
    pathway new L-2026-015 --name "First Last" --key-worker tkeller
    pathway review new L-2026-015     # a new review, prefilled with the open goals
    pathway alerts                    # who needs attention, and why
    pathway summarise                 # one row per learner
    pathway render cases/L-2026-015 --template plan --audience learner --to pdf -o out/

`schemas/` holds JSON Schemas of the records: editors with YAML support (for example VS Code
with the YAML extension) use them, through the first line of each record, to complete and
check fields as you type. `.pre-commit-config.yaml` runs `pathway validate` on each commit
(install it with `pre-commit install`).
"""

# The pre-commit hook pathway publishes in its own .pre-commit-hooks.yaml (a test keeps the
# two the same): the changed record files, each checked with its whole case around it.
PRE_COMMIT_HOOK = {
    "id": "pathway-validate",
    "name": "pathway validate",
    "description": "Check the changed learner records, each with its case around it.",
    "entry": "pathway validate --whole-cases",
    "files": r"(^|/)(cases/[^/]+/(reviews/)?[^/]+\.ya?ml|pathway\.yaml|mentors\.yaml)$",
    "pass_filenames": True,
}

_PRE_COMMIT = """\
# Run `pathway validate` on the records a commit changes (https://pre-commit.com):
# install it once with `pre-commit install`. This is the pathway-validate hook of
# pathway's .pre-commit-hooks.yaml, run with the pathway installed here (language: system).
repos:
  - repo: local
    hooks:
      - id: {id}
        name: {name}
        entry: {entry}
        language: system
        files: '{files}'
        pass_filenames: true
""".format(**PRE_COMMIT_HOOK)

_GITIGNORE = """\
# pathway's local secrets (the pseudonymisation key) never go into git.
.pathway/
# Drafts that `pathway review new --edit` keeps while a review is being written.
cases/*/reviews/.*.draft.yaml
# Reports, exports and badges are personal data too; commit them only on purpose.
# (badges/ is where `pathway badges` writes; the others are the folders the README's
# examples give to render -o and export -o.)
badges/
out/
reports/
monitoring/
"""


def init_caseload(folder: Path, organisation: str | None = None) -> InitResult:
    """Make a caseload skeleton in ``folder``; existing files are kept, never overwritten."""
    _refuse_inside_records(folder)
    folder.mkdir(parents=True, exist_ok=True)
    org = organisation or "Our VET school"
    files = {
        SETTINGS_FILE: _schema_line("settings", 0)
        + align_comments(_SETTINGS.format(organisation=_yaml_str(org))),
        "README.md": _TEAM_README.format(organisation=org),
        ".pre-commit-config.yaml": _PRE_COMMIT,
        ".gitignore": _GITIGNORE,
    }
    written: list[Path] = []
    kept: list[Path] = []
    for name, text in files.items():
        path = folder / name
        if path.exists():
            kept.append(path)
            continue
        atomic_write(path, text.encode("utf-8"))
        written.append(path)
    (folder / CASES_DIR).mkdir(exist_ok=True)
    keep = folder / CASES_DIR / ".gitkeep"
    if not keep.exists():
        atomic_write(keep, b"")
    written.extend(write_schemas(folder / SCHEMA_DIR))
    return InitResult(written, kept)


def _refuse_inside_records(folder: Path) -> None:
    """A caseload made inside another one's records (its cases/, a case folder, schemas/,
    templates/) would turn that folder into a root and its own files into cases."""
    here = folder.resolve()
    for outer in here.parents:
        if not ((outer / SETTINGS_FILE).is_file() or (outer / CASES_DIR).is_dir()):
            continue
        area = here.relative_to(outer).parts[0]
        if area in (CASES_DIR, SCHEMA_DIR, "templates"):
            raise UserError(
                f"refusing to make a caseload in {folder}: {outer / area} holds the records "
                "of another caseload",
                hint="run 'pathway init DIR' with a folder of its own, outside any caseload",
            )


def _yaml_str(text: str) -> str:
    """Quote a value for YAML when a plain scalar would be read differently."""
    if re.fullmatch(r"[A-Za-zÀ-ɏͰ-ϿЀ-ӿ][\w .'\-À-ɏͰ-ϿЀ-ӿ]*", text) and text.lower() not in (
        "yes", "no", "on", "off", "true", "false", "null", "y", "n",
    ):
        return text
    return '"' + "".join(_quoted_char(ch) for ch in text) + '"'


def _quoted_char(ch: str) -> str:
    """One character inside a double-quoted YAML scalar: a control character (which YAML
    does not allow raw, so the file would not load) is written as an escape."""
    if ch in '\\"':
        return "\\" + ch
    if ch.isprintable():
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else (
        f"\\U{code:08x}")


def _learner_text(case_id: str, name: str, today: date, key_worker: TeamMember | None) -> str:
    lines = [
        _schema_line("learner", 2),
        "# The learner's profile. Fields marked 'sensitive' never reach guardian or employer "
        "reports.",
        f"id: {case_id}                      # must equal the folder name",
        f"name: {_yaml_str(name)}",
        "# preferred_name:",
        "# date_of_birth: 2009-03-14      # sensitive",
        "# languages: [de, en]",
        "status: referred                 # referred | active | paused | completed | left",
        f"opened: {today.isoformat()}",
        "# groups: [transition]           # early-leaver | at-risk | transition | "
        "low-performing | migrant | vet-school | vet-work-based | re-entry",
        "# programme:",
        "#   title: Electrician (EQF 4)",
        "#   provider: Berufsschule Nord",
        "#   mode: dual                   # school-based | work-based | dual | second-chance "
        "| other",
        "#   sector: construction",
        "#   start: 2026-09-01",
        "#   expected_end: 2029-06-30",
    ]
    if key_worker is not None:
        named = bool(key_worker.name)
        lines += [
            f"key_worker: {key_worker.id}",
            "team:                            # everyone around the learner",
            f"  - id: {key_worker.id}",
            f"    name: {_yaml_str(key_worker.name)}" if named else
            f"    name:                       # FILL IN: the full name of {key_worker.id}",
            f"    role: {key_worker.role}",
        ]
        if key_worker.organisation:
            lines.append(f"    organisation: {_yaml_str(key_worker.organisation)}")
    else:
        lines += [
            "# key_worker: tkeller            # a team id below",
            "team: []                         # - {id: tkeller, name: Tobias Keller, role: coach}",
        ]
    lines += [
        "# interests: [football]",
        "# aspirations: [own business]",
        "consent:",
        "  data_processing: {given: false}  # set given: true, date and by: learner|guardian "
        "once signed",
        "  share_with: []                 # audiences that may receive reports: guardian, "
        "employer",
        "",
    ]
    return "\n".join(lines)


_ASSESSMENT = """\
# Initial assessment. Uncomment and fill in; a file of comments only counts as not started.
# date: {today}                     # required
# assessor: {worker}                 # required: a team id from learner.yaml
# skills:                           # 1-5 levels, with evidence
#   literacy:  {{level: 3, evidence: placement test}}
#   numeracy:  {{level: 2, evidence: placement test}}
#   digital:   {{level: 4}}
# self_assessment:                  # the learner's own view, same keys, 1-5
#   numeracy: 3
# motivation: 3                     # 1-5
# prior_learning:
#   - {{what: lower secondary certificate, kind: formal, year: 2025}}
# hidden_skills:                    # skills not yet formally recognised
#   - {{skill: customer service, evidence: family shop}}
# strengths: [practical problem solving]
# barriers: [long commute]
# support_needs:   # category: learning | language | health | social | financial | other
#   - {{id: N1, category: learning, need: maths gaps, support: weekly tutoring}}
"""

_PLAN = """\
# Individual learning, career and well-being plan. Uncomment and fill in.
# agreed: {today}                   # required: date learner and team agreed it
# goals:                            # at least one; each clear and measurable
#   - id: G1
#     area: learning  # learning | career | wellbeing | attendance | basic-skills | social
#     goal: Pass the module "Electrical installation basics"
#     measure: module assessment score
#     target: ">= 60%"
#     baseline: "45% in mock test"
#     due: 2027-01-31
#     owner: learner                # learner, or a team id
#     support:
#       - {{action: weekly maths tutoring, owner: {worker}, needs: [N1]}}
#     status: planned               # planned | in-progress | achieved | at-risk | dropped
#     progress: 0                   # 0-100
# career:
#   objective: qualified electrician
#   next_steps: [work-shadowing day]
# wellbeing:                        # sensitive: team and learner only
#   needs: [sleep routine]
#   actions: [{{action: sessions with the school psychologist, owner: {worker}}}]
"""

_CONTRACT = """\
# Learning contract. Uncomment and fill in; sign with `pathway sign`.
# version: 1
# start: {today}
# end: 2027-06-30
# learner_commits:
#   - attend at least 90% of lessons
# provider_commits:
#   - weekly one-to-one session with the coach
# entitlements:
#   - travel allowance, 40 EUR a month
# signatures: []                    # party: learner | guardian | provider | employer
"""


def known_member(root: Path | None, member_id: str) -> TeamMember | None:
    """A team member with this id in any case of the caseload at (or around) ``root``."""
    root = root or find_root(Path.cwd())
    return _find_member(root, member_id) if root is not None else None


def _find_member(case_root: Path, member_id: str) -> TeamMember | None:
    """A team member with this id in any other case, to copy name and role from."""
    try:
        caseload = load_caseload([case_root])
    except UserError:
        return None
    for case in caseload.cases:
        if case.learner:
            member = case.learner.member(member_id)
            if member is not None:
                return member
    return None


def new_case(
    root: Path | None,
    case_id: str,
    name: str,
    today: date,
    key_worker: str | None = None,
    key_worker_name: str | None = None,
) -> InitResult:
    """Make ``cases/<id>/`` with learner.yaml and commented skeletons of the other records.

    The key worker's name and role are copied from another case's team; for a key worker
    new to the caseload, ``key_worker_name`` gives the name (without it, learner.yaml
    holds a placeholder to fill in, which validation points at).
    """
    if not re.fullmatch(ID_PATTERN, case_id):
        raise UserError(
            f"'{case_id}' is not a valid learner id: start with a letter or digit, then use "
            "letters, digits, '.', '_' or '-' (64 characters at most)"
        )
    if not name.strip():
        raise UserError("the learner's name is empty")
    for given, what in ((name, "the learner's name"), (key_worker_name, "the key worker's name")):
        if given is not None and not is_one_line(given):
            raise UserError(f"{what} must be one line of text, without line breaks, tabs or "
                            "control characters")
    if root is None:
        root = find_root(Path.cwd())
    if root is None:
        raise UserError("no caseload found here; run 'pathway init' first or give --caseload")
    folder = ensure_inside(root / CASES_DIR / case_id, root)
    if folder.exists():
        raise UserError(f"the case {case_id} already exists at {folder}")
    member = None
    if key_worker is not None:
        if not re.fullmatch(ID_PATTERN, key_worker):
            raise UserError(f"'{key_worker}' is not a valid team id")
        # Not in any other case: the name is asked for (key_worker_name) or left as a
        # placeholder that validation reports, never the id standing in for a name.
        member = _find_member(root, key_worker) or TeamMember.model_construct(
            id=key_worker, name=key_worker_name or "", role="coach", organisation=None
        )
    worker = member.id if member is not None else "akoch"
    skeletons = {
        "assessment.yaml": _schema_line("assessment", 2) + _ASSESSMENT,
        "plan.yaml": _schema_line("plan", 2) + _PLAN,
        "contract.yaml": _schema_line("contract", 2) + _CONTRACT,
    }
    files = {"learner.yaml": _learner_text(case_id, name, today, member)}
    files.update({file_name: text.format(today=today.isoformat(), worker=worker)
                  for file_name, text in skeletons.items()})
    written = []
    for file_name, text in files.items():
        path = folder / file_name
        atomic_write(path, align_comments(text).encode("utf-8"))
        written.append(path)
    (folder / "reviews").mkdir()
    if not (root / SCHEMA_DIR).is_dir():
        written.extend(write_schemas(root / SCHEMA_DIR))
    return InitResult(written, [])
