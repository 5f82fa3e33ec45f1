"""Build the engine's Communication for an outbox message from the case as it is now."""

from __future__ import annotations

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
) -> Communication:
    """The communication as the engine must judge it at time ``at``."""
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    debt = portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debt.debtor_id)
    creditor = portfolio_service.get_creditor(db_session=db_session, creditor_id=debtor.creditor_id)
    settings = outreach_settings.current()
    index = address_index(to) if to else None
    verified = channel in ("letter", "call") or (
        index is not None
        and db_session.scalar(
            select(IdentityCheck.id).where(
                IdentityCheck.debtor_id == debtor.id,
                IdentityCheck.channel == channel,
                IdentityCheck.address_index == index,
            )
        )
        is not None
    )
    opt_outs = tuple(
        OptOut(o.channel, o.address_index)
        for o in db_session.scalars(select(OptOutEntry).where(OptOutEntry.debtor_id == debtor.id))
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
    # How the creditor said it obtained this address (US safe harbour, 1006.6(d)(3)-(4)),
    # unless the caller knows better (e.g. the person wrote to us from it).
    notice_on = None
    if channel in _CONTACT_KIND and to:
        stated = portfolio_service.contact_provenance(
            db_session=db_session, debtor_id=debtor.id, kind=_CONTACT_KIND[channel], value=to
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
        first_letter_ref=first.letter_ref if first else None,
        first_letter_date=first.sent_at.date() if first and first.sent_at else None,
        address=index,
        address_source=address_source,
        address_last_used_by_consumer=last_in.date() if last_in else None,
        reassigned_check_at=reassigned_check_on,
        creditor_notice_at=notice_on,
        opt_outs=opt_outs,
        history=history(db_session=db_session, debt_id=debt.id, now=at),
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
