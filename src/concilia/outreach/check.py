"""Engine and tone checker together on one message: what `concilia outreach check` runs.

Stores nothing. Input is one JSON object per message; output is the same object with
``verdict``, ``reasons`` and the tone checker's ``flags`` added.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from concilia.outreach.rules import Communication, ContactEvent, Decision, OptOut, PackSet, evaluate
from concilia.outreach.rules.calendar import possible_time_zones

_OUTPUT_KEYS = frozenset({"verdict", "reasons", "flags"})
ToneFn = Callable[[str, str | None], Sequence[Any]]


def default_tone_checker() -> ToneFn | None:
    """The tone checker of ``concilia.outreach.tone`` if it is installed, else None."""
    try:
        from concilia.outreach.tone import check_tone  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    fn: ToneFn = check_tone
    return fn


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: datetime
    channel: str
    debt_id: str | None = None
    conversation: bool = False
    recipient: Literal["debtor", "third_party"] = "debtor"
    third_party_id: str | None = None
    counts: bool = True

    @field_validator("at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("time needs an offset, e.g. 2026-11-23T10:00:00+01:00")
        return v


class OptOutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str
    address: str | None = None


class MessageIn(BaseModel):
    """One line of `concilia outreach check` input; only the first six fields are required."""

    model_config = ConfigDict(extra="forbid")
    jurisdiction: Literal["FR", "ES", "UK", "US"]
    channel: Literal[
        "social_dm", "social_post", "social_comment", "social_tag", "connection_request",
        "email", "sms", "letter", "call",
    ]  # fmt: skip
    visibility: Literal["private", "friends", "public"] = "private"
    identity_verified: bool
    text: str
    send_at: datetime | None = None
    recipient: Literal["debtor", "third_party"] = "debtor"
    # Optional context, same names as the engine's Communication
    id: str | None = None
    expected: Literal["allow", "block", "review"] | None = None
    note: str | None = None
    lang: Literal["en", "fr", "es"] | None = None
    kind: str | None = None
    time_zones: list[str] = Field(default_factory=list)
    address_time_zone: str | None = None
    phone: str | None = None
    automated: bool = True
    sender_is_specialist: bool = False
    debt_id: str | None = None
    cease_contact: bool = False
    disputed: bool = False
    dispute_answered: bool = False
    vulnerable: bool = False
    time_barred: bool = False
    has_attorney: bool = False
    bankrupt: bool = False
    deceased: bool = False
    third_party_purpose: str | None = None
    third_party_id: str | None = None
    third_party_asked_again: bool = False
    sender_real_name_profile: bool = True
    first_letter_ref: str | None = None
    first_letter_date: date | None = None
    # Who sends (CPCE L124-1 binds agencies collecting for others), and the case's parties
    sender_kind: Literal["agency", "creditor", "lawyer"] = "agency"
    agency_name: str | None = None
    agency_address: str | None = None
    creditor_name: str | None = None
    creditor_address: str | None = None
    # US 1006.34: date the validation notice was sent; null means none is recorded
    validation_notice_at: date | None = None
    address: str | None = None
    address_source: str | None = None
    address_is_work: bool = False
    address_last_used_by_consumer: date | None = None
    reassigned_check_at: date | None = None
    creditor_notice_at: date | None = None
    preferred_channels: list[str] = Field(default_factory=list)
    opt_outs: list[OptOutIn] = Field(default_factory=list)
    history: list[EventIn] = Field(default_factory=list)

    @field_validator("send_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("send_at needs an offset, e.g. 2026-11-23T10:00:00+01:00")
        return v

    def to_communication(self) -> Communication:
        zones = tuple(self.time_zones) or possible_time_zones(
            address_time_zone=self.address_time_zone,
            phone=self.phone,
            region={"UK": "GB"}.get(self.jurisdiction, self.jurisdiction),
        )
        names = {f.name for f in dataclasses.fields(Communication)}
        data = {k: v for k, v in self.__dict__.items() if k in names}
        data.update(
            time_zones=zones,
            preferred_channels=tuple(self.preferred_channels),
            opt_outs=tuple(OptOut(o.channel, o.address) for o in self.opt_outs),
            history=tuple(ContactEvent(**e.model_dump()) for e in self.history),
            # The input states the notice's date (or its absence), so the rule can judge it.
            validation_notice_tracked=True,
        )
        return Communication(**data)


def flag_as_dict(flag: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(flag) and not isinstance(flag, type):
        return dataclasses.asdict(flag)
    return dict(vars(flag))


def check_message(
    msg: MessageIn,
    *,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
    lang: str = "en",
) -> tuple[Decision, list[Any]]:
    """Run the tone checker, then the engine with its flags."""
    comm = msg.to_communication()
    flags = list(tone(comm.text, comm.lang)) if tone is not None and comm.text else []
    return evaluate(comm, packs, tone_flags=flags, lang=lang), flags


def check_record(
    record: dict[str, Any],
    *,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """Check one input object; return it with verdict, reasons and flags added."""
    # An earlier output line can be checked again: its results are recomputed, not read.
    msg = MessageIn.model_validate({k: v for k, v in record.items() if k not in _OUTPUT_KEYS})
    decision, flags = check_message(msg, packs=packs, tone=tone, lang=lang)
    out = dict(record)
    out["verdict"] = decision.verdict
    out["reasons"] = [r.as_dict() for r in decision.reasons]
    out["flags"] = [flag_as_dict(f) for f in flags]
    return out


def describe_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(line)"
    return f"field {field}: {err['msg']}"
