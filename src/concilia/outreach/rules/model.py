"""What the engine reads (a proposed communication) and what it returns (a decision)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Verdict = Literal["allow", "block", "review"]

CHANNELS: tuple[str, ...] = (
    "social_dm",
    "social_post",
    "social_comment",
    "social_tag",
    "connection_request",
    "email",
    "sms",
    "letter",
    "call",
)
SOCIAL_CHANNELS = frozenset(
    {"social_dm", "social_post", "social_comment", "social_tag", "connection_request"}
)
ELECTRONIC_CHANNELS = frozenset({"social_dm", "connection_request", "email", "sms"})
WRITTEN_CHANNELS = frozenset({"social_dm", "email", "sms", "letter"})


@dataclass(frozen=True, slots=True)
class ContactEvent:
    """A past contact or attempt, as the contact history records it."""

    at: datetime
    channel: str
    debt_id: str | None = None
    # A telephone conversation about the debt actually took place (Reg F 1006.14(b)(2)(ii)).
    conversation: bool = False
    recipient: str = "debtor"
    third_party_id: str | None = None
    # False for attempts the law does not count (e.g. a call that did not connect to the
    # dialled number, or one made with the consumer's consent of the last 7 days).
    counts: bool = True


@dataclass(frozen=True, slots=True)
class OptOut:
    """The person asked us not to use this channel (address None) or this one address."""

    channel: str
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Communication:
    """Everything a check may need about one proposed message or call."""

    jurisdiction: str
    channel: str
    text: str = ""
    visibility: str = "private"
    recipient: str = "debtor"  # debtor | third_party
    lang: str | None = None
    kind: str | None = None  # identity_request, first_contact, first_letter, reminder, ...
    send_at: datetime | None = None
    # Every zone the person may be in; several when address and phone area disagree.
    time_zones: tuple[str, ...] = ()
    identity_verified: bool = False
    automated: bool = True
    sender_is_specialist: bool = False
    debt_id: str | None = None
    # Case state
    cease_contact: bool = False
    disputed: bool = False
    dispute_answered: bool = False
    vulnerable: bool = False
    time_barred: bool = False
    has_attorney: bool = False
    deceased: bool = False
    bankrupt: bool = False
    # Third parties
    third_party_purpose: str | None = None  # "location" for a location-information request
    third_party_id: str | None = None
    third_party_asked_again: bool = False
    sender_real_name_profile: bool = True
    # France: reference and date of the first R124-4 letter, once it was sent
    first_letter_ref: str | None = None
    first_letter_date: date | None = None
    # Who sends: an agency collecting for others (CPCE L124-1), the creditor itself, or a lawyer.
    sender_kind: str = "agency"  # agency | creditor | lawyer
    # Names and addresses from the case, so a letter's mentions are checked against them
    # rather than against a bare word; None when the caller does not know them.
    agency_name: str | None = None
    agency_address: str | None = None
    creditor_name: str | None = None
    creditor_address: str | None = None
    # US 1006.34: when the validation notice was sent (None: not recorded). The rule runs only
    # when the caller tracks the notice (the check input always does; the outbox once it
    # reads the case's validation_notice_at).
    validation_notice_at: date | None = None
    validation_notice_tracked: bool = False
    # Address used and where it came from (US safe harbour 1006.6(d)(3)-(5))
    address: str | None = None
    address_source: str | None = None
    address_is_work: bool = False
    address_last_used_by_consumer: date | None = None
    reassigned_check_at: date | None = None
    creditor_notice_at: date | None = None
    # Person's stated preferences (UK CONC 7.9.4): channels they accept, hours they refuse
    preferred_channels: tuple[str, ...] = ()
    opt_outs: tuple[OptOut, ...] = ()
    history: tuple[ContactEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a rule fired: enough for an agent, a debtor or an auditor to understand it."""

    rule: str
    citation: str
    category: str
    severity: Verdict
    explanation: str
    action: str | None = None  # e.g. "route_to_specialist"

    def as_dict(self) -> dict[str, str]:
        out = {
            "rule": self.rule,
            "citation": self.citation,
            "category": self.category,
            "severity": self.severity,
            "explanation": self.explanation,
        }
        if self.action:
            out["action"] = self.action
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    pack_versions: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(r.action for r in self.reasons if r.action)
