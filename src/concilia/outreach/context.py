"""Build the engine's Communication for an outbox message from the case as it is now."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.outreach import settings as outreach_settings
from concilia.outreach.models import (
    ContactLog,
    IdentityCheck,
    InboundReply,
    OptOutEntry,
    OutboxMessage,
)
from concilia.outreach.rules import Communication, ContactEvent, OptOut
from concilia.outreach.rules.calendar import possible_time_zones
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.records import CONTACT_CONTEXT
from concilia.tracing import service as tracing_service

ADDRESS_CONTEXT = "outreach.address"
HISTORY_DAYS = 30
_PHONE_CHANNELS = ("sms", "call")
# The portfolio contact kind whose stated provenance a written channel's address has.
_CONTACT_KIND = {"email": "email", "sms": "phone"}


def address_index(address: str) -> str:
    return crypto.blind_index(address, context=ADDRESS_CONTEXT)


def _first_phone(debtor: Any) -> str | None:
    phones = portfolio_service.reveal_debtor(debtor).phones
    return phones[0] if phones else None


def history(*, db_session: Session, debt_id: int, now: datetime) -> tuple[ContactEvent, ...]:
    rows = db_session.scalars(
        select(ContactLog).where(
            ContactLog.debt_id == debt_id,
            ContactLog.direction == "out",
            ContactLog.at >= now - timedelta(days=HISTORY_DAYS),
        )
    )
    return tuple(
        ContactEvent(
            at=r.at,
            channel=r.channel,
            debt_id=str(r.debt_id),
            conversation=r.conversation,
            recipient=r.recipient,
            counts=r.counts,
        )
        for r in rows
    )


@dataclass
class Known:
    """What a worker looked up once for a batch of messages (see :func:`prefetch`): for
    each debt in ``debts``, its identity checks, opt-outs, replies, recent contacts and
    first letter, as they stood when the batch began."""

    debts: set[int] = field(default_factory=set)
    verified: set[tuple[int, str, str]] = field(default_factory=set)
    opt_outs: dict[int, list[OptOut]] = field(default_factory=dict)
    last_in: dict[str, datetime] = field(default_factory=dict)
    history: dict[int, list[ContactEvent]] = field(default_factory=dict)
    first_letter: dict[int, tuple[str | None, date | None]] = field(default_factory=dict)
    # Debtor ids with a profile accepted as theirs (GDPR art. 14 notice check).
    profiled: set[int] = field(default_factory=set)
    checked_profiles: set[int] = field(default_factory=set)
    # The settings for the whole batch (reading them walks the environment each time).
    settings: outreach_settings.OutreachSettings | None = None


def prefetch(
    *, db_session: Session, messages: Iterable[tuple[int, int, int, str]], at: datetime
) -> Known:
    """One query per table for a batch of (case id, debt id, debtor id, address) instead
    of one per message. Only debtors that appear once in the batch are covered: a second
    message to the same person must see what the first one changed (its contact counts
    towards the frequency limits, its refusal may opt the address out), so it is looked up
    afresh."""
    rows = list(messages)
    counts: dict[int, int] = {}
    for _, _, debtor_id, _ in rows:
        counts[debtor_id] = counts.get(debtor_id, 0) + 1
    rows = [r for r in rows if counts[r[2]] == 1]
    known = Known(debts={r[1] for r in rows}, settings=outreach_settings.current())
    if not rows:
        return known
    known.checked_profiles = {r[2] for r in rows}
    known.profiled = {
        int(key)
        for key in tracing_service.accepted_profiles_by_debtor(
            db_session=db_session, debtor_keys=[str(r[2]) for r in rows]
        )
    }
    cases = [r[0] for r in rows]
    debtors = sorted({r[2] for r in rows})
    indexes = sorted({address_index(r[3]) for r in rows if r[3]})
    for debtor_id, channel, index in db_session.execute(
        select(IdentityCheck.debtor_id, IdentityCheck.channel, IdentityCheck.address_index).where(
            IdentityCheck.debtor_id.in_(debtors)
        )
    ):
        known.verified.add((debtor_id, channel, index))
    for o in db_session.scalars(select(OptOutEntry).where(OptOutEntry.debtor_id.in_(debtors))):
        known.opt_outs.setdefault(o.debtor_id, []).append(OptOut(o.channel, o.address_index))
    if indexes:
        for index, last in db_session.execute(
            select(InboundReply.sender_index, func.max(InboundReply.received_at))
            .where(InboundReply.sender_index.in_(indexes))
            .group_by(InboundReply.sender_index)
        ):
            known.last_in[index] = last
    for r in db_session.scalars(
        select(ContactLog).where(
            ContactLog.debt_id.in_(sorted(known.debts)),
            ContactLog.direction == "out",
            ContactLog.at >= at - timedelta(days=HISTORY_DAYS),
        )
    ):
        known.history.setdefault(r.debt_id, []).append(
            ContactEvent(
                at=r.at,
                channel=r.channel,
                debt_id=str(r.debt_id),
                conversation=r.conversation,
                recipient=r.recipient,
                counts=r.counts,
            )
        )
    for case_id, ref, sent_at in db_session.execute(
        select(OutboxMessage.case_id, OutboxMessage.letter_ref, OutboxMessage.sent_at)
        .where(
            OutboxMessage.case_id.in_(cases),
            OutboxMessage.kind == "first_letter",
            OutboxMessage.status.in_(("sent", "delivered")),
        )
        .order_by(OutboxMessage.sent_at.desc())
    ):
        known.first_letter[case_id] = (ref, sent_at.date() if sent_at else None)  # earliest wins
    return known


def build(
    *,
    db_session: Session,
    case_id: int,
    channel: str,
    to: str,
    text: str,
    kind: str,
    at: datetime,
    automated: bool,
    recipient: str = "debtor",
    address_source: str | None = None,
    reassigned_check_on: date | None = None,
    sender_is_specialist: bool = False,
    known: Known | None = None,
) -> Communication:
    """The communication as the engine must judge it at time ``at`` (``known``: what a
    worker's batch already looked up)."""
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    debt = portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debt.debtor_id)
    creditor = portfolio_service.get_creditor(db_session=db_session, creditor_id=debtor.creditor_id)
    settings = (known.settings if known else None) or outreach_settings.current()
    index = address_index(to) if to else None
    batch = known is not None and debt.id in known.debts
    if known is not None and batch:
        verified = channel in ("letter", "call") or (
            index is not None and (debtor.id, channel, index) in known.verified
        )
        opt_outs = tuple(known.opt_outs.get(debtor.id, ()))
        first_ref, first_date = known.first_letter.get(case_id, (None, None))
        last_in = known.last_in.get(index) if index else None
        contacts = tuple(known.history.get(debt.id, ()))
    else:
        verified, opt_outs, (first_ref, first_date), last_in = _look_up(
            db_session, case_id=case_id, debtor_id=debtor.id, channel=channel, index=index
        )
        contacts = history(db_session=db_session, debt_id=debt.id, now=at)
    # How the creditor said it obtained this address (US safe harbour, 1006.6(d)(3)-(4)),
    # unless the caller knows better (e.g. the person wrote to us from it).
    notice_on = None
    if channel in _CONTACT_KIND and to:
        stated = (
            _stated_provenance(debtor, _CONTACT_KIND[channel], to)
            if batch
            else portfolio_service.contact_provenance(
                db_session=db_session, debtor_id=debtor.id, kind=_CONTACT_KIND[channel], value=to
            )
        )
        address_source = address_source or stated.provenance
        if address_source == "creditor_notice":
            notice_on = stated.creditor_notice_on
    zones = possible_time_zones(
        address_time_zone=debtor.time_zone,
        # An e-mail or a private message is also sent at a time: when the agency's data place
        # the person in several zones (address and phone disagree), every one counts (Reg F
        # 1006.6(b)(1)(i) and its commentary on ambiguous locations), whatever the channel.
        phone=to if channel in _PHONE_CHANNELS else _first_phone(debtor),
        region={"UK": "GB"}.get(debtor.jurisdiction, debtor.jurisdiction),
    )
    return Communication(
        jurisdiction=debtor.jurisdiction,
        channel=channel,
        text=text,
        recipient=recipient,
        lang=debtor.preferred_language if debtor.preferred_language in ("fr", "es", "en") else None,
        kind=kind,
        send_at=at,
        time_zones=zones,
        identity_verified=verified,
        automated=automated,
        sender_is_specialist=sender_is_specialist,
        debt_id=str(debt.id),
        cease_contact=case.cease_contact,
        disputed=case.disputed,
        dispute_answered=case.dispute_answered,
        vulnerable=case.vulnerable,
        deceased=case.deceased,
        bankrupt=case.bankrupt,
        time_barred=debt.status == "time_barred",
        first_letter_ref=first_ref,
        first_letter_date=first_date,
        address=index,
        address_source=address_source,
        address_last_used_by_consumer=last_in.date() if last_in else None,
        reassigned_check_at=reassigned_check_on,
        creditor_notice_at=notice_on,
        opt_outs=opt_outs,
        history=contacts,
        sender_kind=settings.sender_kind,
        agency_name=settings.agency_name or None,
        agency_address=settings.agency_address or None,
        creditor_name=creditor.name,
        creditor_address=creditor.address,
        # The case records when the validation notice went out (12 CFR 1006.34), so the
        # outbox always tracks it; a case without one is blocked until it is sent.
        validation_notice_at=case.validation_notice_at,
        validation_notice_tracked=True,
    )


def _stated_provenance(debtor: Any, kind: str, value: str) -> portfolio_service.ContactProvenance:
    """What :func:`portfolio_service.contact_provenance` answers, read from the debtor's
    contacts the batch already loaded (with the debtor) instead of one query per message:
    the newest current entry of this address that states a provenance."""
    index = crypto.blind_index(value, context=CONTACT_CONTEXT[kind])
    stated = [
        c
        for c in debtor.contacts
        if c.kind == kind
        and c.value_index == index
        and c.valid_to is None
        and c.provenance is not None
    ]
    if not stated:
        return portfolio_service.ContactProvenance(None, None)
    newest = max(stated, key=lambda c: c.id)
    return portfolio_service.ContactProvenance(newest.provenance, newest.creditor_notice_on)


def _look_up(
    db_session: Session, *, case_id: int, debtor_id: int, channel: str, index: str | None
) -> tuple[bool, tuple[OptOut, ...], tuple[str | None, date | None], datetime | None]:
    """Identity checked, opt-outs, first letter and last reply, one query each."""
    verified = channel in ("letter", "call") or (
        index is not None
        and db_session.scalar(
            select(IdentityCheck.id).where(
                IdentityCheck.debtor_id == debtor_id,
                IdentityCheck.channel == channel,
                IdentityCheck.address_index == index,
            )
        )
        is not None
    )
    opt_outs = tuple(
        OptOut(o.channel, o.address_index)
        for o in db_session.scalars(select(OptOutEntry).where(OptOutEntry.debtor_id == debtor_id))
    )
    first = db_session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.kind == "first_letter",
            OutboxMessage.status.in_(("sent", "delivered")),
        )
        .order_by(OutboxMessage.sent_at)
        .limit(1)
    ).first()
    # The consumer's own messages from this address are the best evidence it is theirs.
    last_in = (
        db_session.scalar(
            select(func.max(InboundReply.received_at)).where(InboundReply.sender_index == index)
        )
        if index
        else None
    )
    letter = (first.letter_ref, first.sent_at.date() if first.sent_at else None) if first else None
    return verified, opt_outs, letter or (None, None), last_in
