"""Console shapes: worklist filters, the case page's view model, and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CHANNELS = ("email", "sms", "social_dm", "letter")
# What an agent records after a call; "wrong_number" also stops using the number.
CallOutcome = Literal[
    "right_party", "promise", "refused", "wrong_number", "no_answer", "busy", "voicemail",
    "not_connected", "conversation",
]  # fmt: skip
CALL_OUTCOMES: tuple[str, ...] = CallOutcome.__args__  # type: ignore[attr-defined]
IDENTITY_METHODS = ("date_of_birth", "account_reference", "postal_code", "document", "portal_code")


@dataclass(frozen=True)
class WorklistFilters:
    """What the agent narrowed the worklist to (all optional)."""

    status: str | None = None
    jurisdiction: str | None = None
    flag: str | None = None
    min_balance: Decimal | None = None
    max_balance: Decimal | None = None
    q: str | None = None
    mine: bool = False


@dataclass(frozen=True)
class TimelineItem:
    """One thing that happened on a case, from any domain."""

    at: datetime
    kind: str  # message, reply, call, contact, decision, audit, evidence
    title: str
    detail: str = ""
    actor: str = ""


@dataclass(frozen=True)
class Component:
    """One part of a debt's balance: as placed, paid, and owed now."""

    name: str
    placed: Decimal
    paid: Decimal
    owed: Decimal


@dataclass
class DebtView:
    """A debt with its balance broken down to the cent, in its currency."""

    debt: Any
    currency: str
    components: list[Component]
    total_owed: Decimal
    credit: Decimal
    payments: list[Any] = field(default_factory=list)
    promises: list[Any] = field(default_factory=list)
    plans: list[Any] = field(default_factory=list)


@dataclass
class CandidateView:
    """A tracing candidate with its explanation and the waterfall drawn from it."""

    candidate: Any
    lines: list[dict[str, Any]]
    svg: str
    usable: bool
    authenticity: list[str]


# --- JSON API ---------------------------------------------------------------------------


class MessageIn(BaseModel):
    """A message for a case: a template kind or free text, to one of the debtor's addresses."""

    model_config = ConfigDict(extra="forbid")
    channel: Literal["email", "sms", "social_dm", "letter"]
    to: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=5000)
    subject: str = Field(default="", max_length=300)
    kind: str = Field(default="free_text", max_length=40)
    idempotency_key: str | None = Field(default=None, max_length=200)


class CheckIn(BaseModel):
    """A draft to check (nothing is stored)."""

    model_config = ConfigDict(extra="forbid")
    channel: Literal["email", "sms", "social_dm", "letter"]
    to: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=5000)
    kind: str = Field(default="free_text", max_length=40)


class ReasonOut(BaseModel):
    rule: str
    citation: str
    category: str
    severity: str
    explanation: str


class VerdictOut(BaseModel):
    verdict: str
    reasons: list[dict[str, Any]]
    suggestions: list[str]


class QueuedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    channel: str
    kind: str
    status: str
    verdict: str | None
    reasons: list[dict[str, Any]] = Field(default_factory=list)
    created_at: datetime


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=3, max_length=40)
    outcome: CallOutcome
    at: datetime | None = None


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    at: datetime
    outcome: str | None
    counts: bool


class IdentityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: Literal["email", "sms", "social_dm", "call", "letter"]
    address: str = Field(min_length=1, max_length=300)
    method: Literal["date_of_birth", "account_reference", "postal_code", "document", "portal_code"]


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    debtor_id: int
    channel: str
    method: str
    verified_at: datetime
    actor: str


class ReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int | None
    channel: str
    text: str
    received_at: datetime


class WorklistRowOut(BaseModel):
    case_id: int
    stage: str
    flags: list[str]
    debtor_name: str
    debtor_reference: str
    account_reference: str
    jurisdiction: str
    currency: str
    balance: Decimal
    promise_due: date | None
    last_contact_at: datetime | None


class WorklistOut(BaseModel):
    items: list[WorklistRowOut]
    next_after: int | None
