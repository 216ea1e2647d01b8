"""contract.yaml: the learning contract, its commitments and entitlements (plain text or
marked sensitive) and its signatures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from pathway_cli.models.fields import IsoDate, Record, Sensitivity, SensitivityMark, Text
from pathway_cli.models.plan import SupportAction
from pathway_cli.terms import Party

__all__ = [
    "Contract",
    "ContractEntry",
    "ContractItem",
    "Signature",
    "item_mark",
    "item_text",
]


class Signature(Record):
    """One party's signature on the contract."""

    party: Party
    name: Text
    date: IsoDate


class ContractItem(Record):
    """A commitment or entitlement written as a block, to mark it sensitive."""

    text: Text
    sensitive: SensitivityMark | None = Field(
        default=None, description="personal: the team and the learner only; private: the "
        "team only.")


def _entry_kind(value: Any) -> str:
    return "<item>" if isinstance(value, dict | ContractItem) else "<text>"


# A commitment or entitlement: plain text, or {text: ..., sensitive: personal|private}.
# The discriminator gives one clear message per wrong entry (not one per alternative);
# its tags are in angle brackets so that messages can leave them out of key paths.
ContractEntry = Annotated[
    Annotated[Text, Tag("<text>")] | Annotated[ContractItem, Tag("<item>")],
    Discriminator(_entry_kind),
]


def item_text(item: ContractEntry) -> str:
    """The words of a commitment or entitlement, however it is written."""
    return item if isinstance(item, str) else item.text


def item_mark(item: ContractEntry | SupportAction) -> Sensitivity | None:
    """The sensitivity a team gave one item, if any."""
    mark = None if isinstance(item, str) else item.sensitive
    return Sensitivity(mark) if mark else None


class Contract(Record):
    """contract.yaml: the learning contract both sides sign."""

    version: Annotated[int, Field(strict=True, ge=1)]
    start: IsoDate
    end: IsoDate
    learner_commits: list[ContractEntry] = Field(min_length=1)
    provider_commits: list[ContractEntry] = Field(min_length=1)
    entitlements: list[ContractEntry] = Field(default_factory=list)
    signatures: list[Signature] = Field(default_factory=list)

    def signed_by(self, party: str) -> Signature | None:
        """The first signature of ``party``, if any."""
        return next((s for s in self.signatures if s.party == party), None)

    @property
    def in_force(self) -> bool:
        """A contract is in force once learner and provider have signed."""
        return self.signed_by("learner") is not None and self.signed_by("provider") is not None

    @property
    def in_force_on(self) -> date | None:
        """The day the contract came into force: the later of the learner's and the
        provider's signatures (None while one is missing)."""
        learner, provider = self.signed_by("learner"), self.signed_by("provider")
        if learner is None or provider is None:
            return None
        return max(learner.date, provider.date)
