"""Reading a record file to edit: its bytes (bounded, refused like ``pathway validate``
refuses them), the ``YamlText`` to splice, and the model's field order for new keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from pathway_cli.caseload import Case
from pathway_cli.editing import FieldOrder, YamlText
from pathway_cli.errors import UserError
from pathway_cli.findings import Finding, KeyPath
from pathway_cli.loader import RecordFileRefused, load_source, read_record_bytes
from pathway_cli.models import Record, model_at
from pathway_cli.updates.changes import Change, UpdateRefused, _refusal_text, _shown

# The most pathway.yaml's max_record_bytes allows; the case's own bound is applied when
# the case is loaded (``_refuse_unread``).
_READ_LIMIT = 256 * 1024 * 1024


def _read(path: Path) -> bytes | None:
    try:
        return read_record_bytes(path, _READ_LIMIT)
    except FileNotFoundError:
        return None
    except RecordFileRefused as refused:
        finding = Finding(path, refused.rule, refused.message, line=1, column=1)
        raise UpdateRefused(_refusal_text("refused, nothing written", [finding]),
                            [finding]) from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None


def _refuse_unread(case: Case, path: Path) -> None:
    """Refuse to edit a file the case load did not read (not a plain file, too large)."""
    found = [f for f in case.findings if f.rule in ("file-too-large", "file-not-regular")
             and f.file.absolute() == path.absolute()]
    if found:
        raise UpdateRefused(_refusal_text("refused, nothing written", found), found)


# Loader findings after which a file holds no data an edit could start from.
_UNREADABLE = frozenset({"yaml-alias-bomb", "yaml-syntax", "yaml-too-deep", "yaml-encoding",
                         "yaml-tag", "file-too-large", "file-not-regular"})


def _parsed(path: Path, raw: bytes) -> YamlText:
    """The file to edit; refused with validate's own findings when YAML cannot read it.

    A file that does not parse, or whose aliases never end or expand beyond the bound,
    gets the same ``file:line:col: rule`` lines as ``pathway validate``.
    """
    broken = [f for f in load_source(path, raw).findings if f.rule in _UNREADABLE]
    if broken:
        raise UpdateRefused(
            _refusal_text(f"refused, nothing written: {_shown(path)} cannot be read as a "
                          "record", broken),
            broken,
            hint=f"fix the file by hand first; 'pathway validate {_shown(path)}' shows the same",
        )
    return YamlText(raw, path.name)


def _document(path: Path, what: str, case: Case) -> tuple[YamlText, bytes]:
    _refuse_unread(case, path)
    raw = _read(path)
    if raw is None:
        raise UserError(f"{case.id} has no {what} yet ({path})")
    doc = _parsed(path, raw)
    if not isinstance(doc.data(), dict):
        raise UserError(
            f"{path} is not filled in yet (only comments, or not a 'key: value' record)",
            hint="fill it in by hand first; 'pathway validate' checks it",
        )
    return doc, raw


def _field_names(model: type[BaseModel]) -> list[str]:
    """The model's keys in the format's order, where ``extra:`` comes last."""
    names = [info.alias or name for name, info in model.model_fields.items()]
    return [n for n in names if n != "extra"] + (["extra"] if "extra" in names else [])


def _order_of(model: type[Record]) -> FieldOrder:
    """The model's field order for the mapping at a key path (where a new key goes)."""

    def order(path: KeyPath) -> Sequence[str]:
        found = model_at(model, path)
        return _field_names(found) if found is not None else ()

    return order


def _change(path: Path, old: bytes | None, doc: YamlText) -> Change:
    return Change(path, old, doc.encode())
