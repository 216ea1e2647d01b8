"""Signing the learning contract: a signature appended to contract.yaml."""

from __future__ import annotations

from datetime import date

from pathway_cli.caseload import Case
from pathway_cli.errors import UserError
from pathway_cli.models import Contract
from pathway_cli.plaintext import is_one_line
from pathway_cli.updates.changes import Update
from pathway_cli.updates.documents import _change, _document, _order_of

__all__ = [
    "sign_contract",
]


def sign_contract(case: Case, party: str, name: str, on: date) -> Update:
    """Append a signature ``{party, name, date}`` to contract.yaml."""
    if not name.strip():
        raise UserError("the name of the person signing is empty")
    if not is_one_line(name):
        raise UserError("the name of the person signing must be one line of text, without "
                        "line breaks, tabs or control characters")
    path = case.folder / "contract.yaml"
    doc, raw = _document(path, "contract.yaml", case)
    signatures = doc.get(("signatures",)) or []
    for signature in signatures if isinstance(signatures, list) else []:
        if isinstance(signature, dict) and (signature.get("party"), signature.get("name")) == (
            party, name
        ):
            raise UserError(
                f"{name} already signed the contract of {case.id} as {party} "
                f"on {signature.get('date')}"
            )
    signature = {"party": party, "name": name, "date": on}
    doc.append(("signatures",), signature, _order_of(Contract))
    message = f"{case.id}: contract signed by {party} {name} on {on.isoformat()}"
    return Update(case.id, (_change(path, raw, doc),), message)
