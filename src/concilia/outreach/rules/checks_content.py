"""Checks on who sees a message and what it says."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field

from concilia.outreach.rules.model import Communication
from concilia.outreach.rules.registry import Ctx, Hit, Params, Patterns, check

_NO_PATTERNS = Patterns(any=[])


class PrivateOnlyParams(Params):
    public_channels: tuple[str, ...] = ("social_post", "social_comment", "social_tag")
    allowed_visibility: tuple[str, ...] = ("private",)


@check("private_only", PrivateOnlyParams)
def private_only(comm: Communication, p: PrivateOnlyParams, ctx: Ctx) -> Hit | None:
    if comm.channel in p.public_channels:
        return Hit(f"channel {comm.channel} can be seen by others")
    if comm.visibility not in p.allowed_visibility:
        return Hit(
            f"visibility is {comm.visibility}, only {'/'.join(p.allowed_visibility)} allowed"
        )
    return None


class DisclosureParams(Params):
    channels: tuple[str, ...] = ("connection_request",)
    patterns: Patterns


@check("sender_disclosure", DisclosureParams)
def sender_disclosure(comm: Communication, p: DisclosureParams, ctx: Ctx) -> Hit | None:
    if comm.channel not in p.channels or comm.recipient != "debtor":
        return None
    if p.patterns.search(comm.text) is None:
        return Hit("the text does not say that the sender is a debt collector")
    return None


class IdentityParams(Params):
    channels: list[str]
    debt_patterns: Patterns
    # Phrases the law requires even before identity is known (e.g. "debt collector" in a US
    # connection request) are removed before looking for talk about the debt.
    allowed_phrases: Patterns = _NO_PATTERNS


@check("identity_before_disclosure", IdentityParams)
def identity_before_disclosure(comm: Communication, p: IdentityParams, ctx: Ctx) -> Hit | None:
    if comm.identity_verified or comm.channel not in p.channels or comm.recipient != "debtor":
        return None
    found = p.debt_patterns.search(p.allowed_phrases.strip(comm.text))
    if found is not None:
        return Hit(f"identity not verified and the text mentions the debt ({found.group(0)!r})")
    return None


class ThirdPartyParams(Params):
    location_requests: Literal["allow", "review", "block"] = "review"
    debt_patterns: Patterns
    allowed_phrases: Patterns = _NO_PATTERNS
    max_contacts_per_person: int = Field(1, ge=0)


@check("third_party", ThirdPartyParams)
def third_party(comm: Communication, p: ThirdPartyParams, ctx: Ctx) -> Hit | None:
    if comm.recipient == "debtor":
        return None
    if comm.third_party_purpose != "location":
        return Hit("message to a third party that is not a location-information request")
    if p.location_requests == "block":
        return Hit("location-information requests to third parties are not allowed here")
    if comm.has_attorney:
        return Hit("the person is represented by an attorney: contact the attorney")
    found = p.debt_patterns.search(p.allowed_phrases.strip(comm.text))
    if found is not None:
        return Hit(f"a location request must not mention the debt ({found.group(0)!r})")
    if not comm.sender_real_name_profile and comm.channel in ("social_dm", "connection_request"):
        return Hit(
            "a location request on a social network must come from the agent's real-name profile"
        )
    earlier = sum(
        1
        for e in comm.history
        if e.recipient == "third_party"
        and e.third_party_id is not None
        and e.third_party_id == comm.third_party_id
    )
    if earlier >= p.max_contacts_per_person and not comm.third_party_asked_again:
        return Hit(f"this person was already contacted {earlier} time(s) and did not ask again")
    if p.location_requests == "review":
        return Hit("location request to a third party: a compliance officer reviews it", "review")
    return None


class OptOutTextParams(Params):
    channels: tuple[str, ...] = ("email", "sms", "social_dm", "connection_request")
    patterns: Patterns


@check("opt_out_instruction", OptOutTextParams)
def opt_out_instruction(comm: Communication, p: OptOutTextParams, ctx: Ctx) -> Hit | None:
    if comm.channel not in p.channels:
        return None
    if p.patterns.search(comm.text) is None:
        return Hit("no clear instruction on how to stop these messages")
    return None


class TimeBarredParams(Params):
    require_disclosure: bool = True
    disclosure_patterns: Patterns
    threat_patterns: Patterns
    exempt_channels: tuple[str, ...] = ("call",)


@check("time_barred", TimeBarredParams)
def time_barred(comm: Communication, p: TimeBarredParams, ctx: Ctx) -> Hit | None:
    if not comm.time_barred or comm.channel in p.exempt_channels:
        return None
    # "we cannot sue you" is the disclosure, not a threat: remove it before the threat search.
    threat = p.threat_patterns.search(p.disclosure_patterns.strip(comm.text))
    if threat is not None:
        return Hit(f"time-barred debt and the text threatens suit ({threat.group(0)!r})")
    if p.require_disclosure and p.disclosure_patterns.search(comm.text) is None:
        return Hit("time-barred debt and the required disclosure is missing")
    return None


class FirstLetterParams(Params):
    channels: tuple[str, ...] = ("letter", "email", "social_dm", "sms")
    debt_patterns: Patterns
    # name of the mention -> patterns that must all be found
    mentions: dict[str, list[Patterns]]
    exempt_kinds: tuple[str, ...] = ("identity_request",)
    # Senders the text binds (CPCE L124-1: persons collecting for others without a regulated
    # professional status); a creditor collecting its own debt or a lawyer is outside it.
    senders: tuple[str, ...] = ("agency", "creditor", "lawyer")
    # Channels the first step may use (R124-4: "une lettre"); empty: any of ``channels``.
    first_channels: tuple[str, ...] = ()
    # Passages to reproduce in full: name -> text, compared after normalising case, spacing,
    # quotes and punctuation (a fragment does not pass).
    verbatim: dict[str, str] = Field(default_factory=dict)
    # Mention -> party whose name and address the case gives; when the case gives them, the
    # mention is checked against them instead of the mention's patterns.
    case_parties: dict[str, Literal["agency", "creditor"]] = Field(default_factory=dict)


_FR_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
_PUNCT = re.compile(r"[^\w']+")


def normalise(text: str) -> str:
    """Case, curly quotes, guillemets, line breaks and punctuation folded away."""
    folded = text.casefold().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(_PUNCT.sub(" ", folded).split())


def _date_forms(d: date) -> tuple[str, ...]:
    return (
        d.isoformat(),
        d.strftime("%d/%m/%Y"),
        f"{d.day}/{d.month:02d}/{d.year}",
        f"{d.day} {_FR_MONTHS[d.month - 1]} {d.year}",
        f"{'1er' if d.day == 1 else d.day} {_FR_MONTHS[d.month - 1]} {d.year}",
    )


def _party(comm: Communication, party: str) -> tuple[str | None, str | None]:
    if party == "agency":
        return comm.agency_name, comm.agency_address
    return comm.creditor_name, comm.creditor_address


def _missing_mentions(comm: Communication, p: FirstLetterParams) -> list[str]:
    text = normalise(comm.text)
    missing: list[str] = []
    for name, required in p.mentions.items():
        party = p.case_parties.get(name)
        party_name, party_address = _party(comm, party) if party else (None, None)
        if party_name:
            absent = [
                label
                for label, value in (("name", party_name), ("address", party_address))
                if not value or normalise(value) not in text
            ]
            if absent:
                missing.append(f"{name} ({' and '.join(absent)} from the case data)")
        elif any(pat.search(comm.text) is None for pat in required):
            missing.append(name)
    missing += [name for name, passage in p.verbatim.items() if normalise(passage) not in text]
    return missing


@check("first_letter_mentions", FirstLetterParams)
def first_letter_mentions(comm: Communication, p: FirstLetterParams, ctx: Ctx) -> Hit | None:
    if (
        comm.channel not in p.channels
        or comm.kind in p.exempt_kinds
        or comm.recipient != "debtor"
        or comm.sender_kind not in p.senders
    ):
        return None
    is_first = comm.kind == "first_letter" or comm.first_letter_ref is None
    # A message that says nothing about the debt (an identity check) is not the recovery
    # step R124-4 describes, and must not carry debt details before identity is verified.
    if comm.kind != "first_letter" and p.debt_patterns.search(comm.text) is None:
        return None
    if is_first:
        if p.first_channels and comm.channel not in p.first_channels:
            return Hit(
                f"the first step must be a {'/'.join(p.first_channels)}, not {comm.channel}: "
                "send the first letter before any other message about the debt"
            )
        missing = _missing_mentions(comm, p)
        if missing:
            return Hit("first written communication lacks: " + ", ".join(missing))
        return None
    assert comm.first_letter_ref is not None
    if comm.first_letter_ref not in comm.text:
        return Hit(f"does not repeat the first letter's reference {comm.first_letter_ref}")
    if comm.first_letter_date is None:
        return Hit("the first letter's date is unknown: cannot repeat it", "review")
    if not any(form in comm.text for form in _date_forms(comm.first_letter_date)):
        return Hit(f"does not repeat the first letter's date {comm.first_letter_date.isoformat()}")
    return None


class CollectorDisclosureParams(Params):
    channels: tuple[str, ...]
    patterns: Patterns
    debt_patterns: Patterns
    exempt_kinds: tuple[str, ...] = ("limited_content_message",)


@check("collector_disclosure", CollectorDisclosureParams)
def collector_disclosure(comm: Communication, p: CollectorDisclosureParams, ctx: Ctx) -> Hit | None:
    if (
        comm.channel not in p.channels
        or comm.recipient != "debtor"
        or comm.kind in p.exempt_kinds
        or not comm.text.strip()
    ):
        return None
    # Only a communication conveys information regarding a debt; the disclosure itself
    # ("debt collector") does not count as talk about the debt.
    if p.debt_patterns.search(p.patterns.strip(comm.text)) is None:
        return None
    if p.patterns.search(comm.text) is None:
        return Hit("the message talks about the debt but does not say it is from a debt collector")
    return None


class ValidationNoticeParams(Params):
    channels: tuple[str, ...] = ("email", "sms", "social_dm", "letter")
    debt_patterns: Patterns
    allowed_phrases: Patterns = _NO_PATTERNS
    notice_kinds: tuple[str, ...] = ("validation_notice",)
    exempt_kinds: tuple[str, ...] = ("identity_request", "cease_acknowledgement")
    days_after_initial: int = Field(5, ge=0)


@check("validation_notice", ValidationNoticeParams)
def validation_notice(comm: Communication, p: ValidationNoticeParams, ctx: Ctx) -> Hit | None:
    if (
        not comm.validation_notice_tracked
        or comm.validation_notice_at is not None
        or comm.recipient != "debtor"
        or comm.channel not in p.channels
        or comm.kind in p.notice_kinds
        or comm.kind in p.exempt_kinds
    ):
        return None
    if p.debt_patterns.search(p.allowed_phrases.strip(comm.text)) is None:
        return None  # conveys nothing regarding the debt: not an initial communication
    # The initial communication: the first contact with the consumer that reached them (a call
    # attempt that did not become a conversation conveyed nothing).
    reached = [
        e.at
        for e in comm.history
        if e.recipient == "debtor" and (e.channel != "call" or e.conversation)
    ]
    if not reached:
        return Hit(
            "no validation notice recorded: this initial communication must be the validation "
            "notice (or the notice must be recorded)"
        )
    initial = min(reached)
    if comm.send_at is not None and (comm.send_at - initial).days < p.days_after_initial:
        return None
    return Hit(
        f"no validation notice recorded, and the initial communication of "
        f"{initial.date().isoformat()} is more than {p.days_after_initial} days old"
    )


class ToneParams(Params):
    # category -> citation of the provision the flagged wording would breach
    citations: dict[str, str] = Field(default_factory=dict)


@check("tone", ToneParams)
def tone(comm: Communication, p: ToneParams, ctx: Ctx) -> Hit | None:
    if not ctx.tone_flags:
        return None
    blocking = [f for f in ctx.tone_flags if getattr(f, "severity", "review") == "block"]
    worst = blocking or list(ctx.tone_flags)
    parts = []
    for f in worst:
        cat = getattr(f, "category", "?")
        cite = p.citations.get(cat)
        parts.append(f"{cat} {getattr(f, 'text', '')!r}" + (f" [{cite}]" if cite else ""))
    return Hit("tone: " + "; ".join(parts), "block" if blocking else "review")
