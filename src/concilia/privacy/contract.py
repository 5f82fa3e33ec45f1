"""The contract every domain holding personal data keeps, and how privacy checks it.

A domain answers for a data subject through ``concilia.<domain>.personal_data``, re-exported
by its ``service.py`` as ``personal_data``. That module has:

- ``PERSONAL_DATA``: ``{table: (what erasure keeps, legal ground)}`` for each of its tables
  holding personal data. The completeness test fails for a table nobody declares.
- ``export_subject(*, db_session, debtor_id, case_ids, profile_ids) -> list[dict]``: every
  item held about the person, each a mapping with the keys of :class:`ExportItem`.
- ``erase_subject(*, db_session, debtor_id, case_ids, profile_ids, actor, now, scope)
  -> list[dict]``: what was done per table, each a mapping with the keys of
  :class:`TableOutcome`. ``scope`` is ``"erasure"`` (art. 17) or ``"objection"`` (art. 21:
  only the social data and what was derived from it).

The domains return plain data rather than these classes: privacy sits above every domain it
orchestrates (it calls their services), so a domain importing privacy's types would close an
import circle. Privacy validates what each domain returns against the models below, so a
domain drifting from the contract fails loudly (and in the completeness test), not silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

Scope = Literal["erasure", "objection"]
Action = Literal["deleted", "pseudonymised", "redacted", "kept"]


@dataclass(frozen=True)
class SubjectRef:
    """One data subject: a debtor of one creditor, with what other domains key them by."""

    creditor: str
    debtor_reference: str
    debtor_id: int
    case_ids: tuple[int, ...]
    # Public profiles an agent accepted as this person's (tracing): the social items linked
    # to them are theirs; profiles only proposed or rejected are someone else's.
    profile_ids: tuple[int, ...] = field(default_factory=tuple)

    def keys(self) -> dict[str, Any]:
        """The keyword arguments every domain's export and erasure take."""
        return {
            "debtor_id": self.debtor_id,
            "case_ids": list(self.case_ids),
            "profile_ids": list(self.profile_ids),
        }


class ExportItem(BaseModel):
    """One thing held about the person, where it came from, why, and until when."""

    model_config = ConfigDict(extra="forbid")

    domain: str
    table: str
    record_id: int | str
    data: dict[str, Any]
    # Where the item came from: the creditor's file, a declared source (URL, captured at,
    # captured by, legal basis), an agent's decision, the person themself.
    provenance: dict[str, Any]
    purposes: list[str]
    legal_basis: str
    retain_until: datetime | None
    # The retention rule in words (filled by privacy from its schedule when a domain leaves
    # it empty), e.g. "5 years after the last case is closed".
    retention: str = ""
    # For derived data (a match, an inference, a signal): how it was derived.
    derived: bool = False


class TableOutcome(BaseModel):
    """What erasure (or objection) did to one table, and what it kept there and why."""

    model_config = ConfigDict(extra="forbid")

    domain: str
    table: str
    action: Action
    rows: int
    keeps: str
    legal_ground: str


class PersonalDataModule(Protocol):
    """The shape of ``concilia.<domain>.personal_data`` (checked by mypy where assigned)."""

    @property
    def PERSONAL_DATA(self) -> Mapping[str, tuple[str, str]]: ...  # a module constant

    def export_subject(
        self,
        *,
        db_session: Session,
        debtor_id: int,
        case_ids: Sequence[int],
        profile_ids: Sequence[int],
    ) -> list[dict[str, Any]]: ...

    def erase_subject(
        self,
        *,
        db_session: Session,
        debtor_id: int,
        case_ids: Sequence[int],
        profile_ids: Sequence[int],
        actor: str,
        now: datetime,
        scope: str,
    ) -> list[dict[str, Any]]: ...
