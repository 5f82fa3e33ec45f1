"""What a strategy may know of a case, read through the other domains' services only.

Signals count only once a person accepted them (a suggestion nobody reviewed changes
nothing); contactability is the addresses the agency holds (portfolio), the social handles
an agent accepted (tracing), and the identity checks recorded (outreach).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from concilia.outreach import service as outreach_service
from concilia.portal import service as portal_service
from concilia.portfolio import service as portfolio_service
from concilia.signals import service as signals_service
from concilia.strategy.definition import Segment, Strategy
from concilia.tracing import service as tracing_service

CLOSED_STAGES = ("paid", "closed")


@dataclass(frozen=True)
class CaseFacts:
    """One case as the strategy engine sees it at a moment."""

    case_id: int
    debtor_id: int
    debt_id: int
    jurisdiction: str
    lang: str
    time_zone: str
    currency: str
    stage: str
    balance: Decimal
    age_days: int | None
    ability: str  # low | medium | high | unknown (unknown until a person accepted a band)
    vulnerable: bool
    disputed_open: bool
    cease_contact: bool
    deceased: bool
    bankrupt: bool
    # channel -> the address a message on it would go to
    addresses: dict[str, str] = field(default_factory=dict)
    verified: frozenset[str] = frozenset()
    # Addresses the person wrote from (US safe harbour: an address the consumer used).
    used_by_consumer: frozenset[str] = frozenset()
    last_reply_at: datetime | None = None
    promise_due: date | None = None
    preferred_channel: str | None = None
    preferred_hours: tuple[int, int] | None = None

    @property
    def replied(self) -> bool:
        return self.last_reply_at is not None


def _ability(db_session: Session, case_id: int) -> tuple[str, bool]:
    assessment = signals_service.get_assessment(db_session=db_session, case_id=case_id)
    if assessment is None or assessment.status != "accepted":
        return "unknown", False
    band = assessment.band if assessment.band in ("low", "medium", "high") else "unknown"
    return band, bool(assessment.vulnerability_possible)


def facts(*, db_session: Session, case_id: int, today: date) -> CaseFacts:
    """Read one case's facts (NotFound when the case does not exist)."""
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    debt = portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debt.debtor_id)
    view = portfolio_service.reveal_debtor(debtor)
    balance = portfolio_service.balance_of(debt)
    total = balance.principal.amount + balance.interest.amount + balance.fees.amount
    since = debt.charge_off_date or case.created_at.date()
    ability, vulnerable_signal = _ability(db_session, case.id)
    addresses: dict[str, str] = {}
    if view.emails:
        addresses["email"] = view.emails[0]
    if view.phones:
        addresses["sms"] = addresses["call"] = view.phones[0]
    current = [a for a in debtor.addresses if a.valid_to is None and a.line]
    if current:
        addresses["letter"] = ", ".join(
            p for p in (current[-1].line, current[-1].postal_code, current[-1].city) if p
        )
    handles = [
        ev.value
        for ev in tracing_service.list_evidence(db_session=db_session, debtor_key=str(debtor.id))
        if ev.kind == "contact_handle"
    ]
    if handles:
        addresses["social_dm"] = handles[0]
    verified = frozenset(
        channel
        for channel, address in addresses.items()
        if channel in ("email", "sms", "social_dm")
        and outreach_service.is_identity_verified(
            db_session=db_session, debtor_id=debtor.id, channel=channel, address=address
        )
    )
    contacts = outreach_service.list_case_contacts(db_session=db_session, case_id=case.id)
    replies = [c.at for c in contacts if c.direction == "in" or c.conversation]
    used = frozenset(
        outreach_service.reply_sender(r)
        for r in outreach_service.list_replies(
            db_session=db_session, case_ids=None, case_id=case.id
        )
    )
    pending = [
        p.due_on
        for p in portfolio_service.list_promises(db_session=db_session, debt_id=debt.id)
        if p.status == "pending"
    ]
    pref = portal_service.get_preferences(db_session=db_session, debtor_id=debtor.id)
    hours = (
        (pref.hours_from, pref.hours_to)
        if pref is not None and pref.hours_from is not None and pref.hours_to is not None
        else None
    )
    return CaseFacts(
        case_id=case.id,
        debtor_id=debtor.id,
        debt_id=debt.id,
        jurisdiction=debtor.jurisdiction,
        lang=debtor.preferred_language if debtor.preferred_language in ("fr", "es", "en") else "en",
        time_zone=debtor.time_zone,
        currency=debt.currency,
        stage=case.stage,
        balance=total,
        age_days=(today - since).days,
        ability=ability,
        vulnerable=case.vulnerable or vulnerable_signal,
        disputed_open=case.disputed and not case.dispute_answered,
        cease_contact=case.cease_contact,
        deceased=case.deceased,
        bankrupt=case.bankrupt,
        addresses=addresses,
        verified=verified,
        used_by_consumer=used,
        last_reply_at=max(replies) if replies else None,
        promise_due=min(pending) if pending else None,
        preferred_channel=pref.channel if pref is not None else None,
        preferred_hours=hours,
    )


def matches(segment: Segment, f: CaseFacts) -> bool:
    """Whether a segment's ``when`` holds for the case."""
    w = segment.when
    balance = float(f.balance)
    if w.min_balance is not None and balance < w.min_balance:
        return False
    if w.max_balance is not None and balance > w.max_balance:
        return False
    if w.min_age_days is not None and (f.age_days is None or f.age_days < w.min_age_days):
        return False
    if w.max_age_days is not None and (f.age_days is None or f.age_days > w.max_age_days):
        return False
    if w.ability is not None and f.ability not in w.ability:
        return False
    if w.reachable_by is not None and not any(c in f.addresses for c in w.reachable_by):
        return False
    return not (w.jurisdiction is not None and f.jurisdiction not in w.jurisdiction)


def segment_of(strategy: Strategy, f: CaseFacts) -> Segment:
    """The first segment of the strategy that takes the case (the last one takes all)."""
    for segment in strategy.segments:
        if matches(segment, f):
            return segment
    return strategy.segments[-1]
