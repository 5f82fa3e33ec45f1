"""What comes back from providers: replies and delivery statuses, polled or pushed by webhook.

Both ways land here, so a reply received by webhook and one fetched by polling are the same
row in the same inbox, attached to the same case, in the same contact log. A provider's
message id (replies) or event key (statuses) is stored unique: a replayed delivery finds it
and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.outreach import context
from concilia.outreach.channels import Channel, InboundMessage
from concilia.outreach.channels.base import StatusEvent
from concilia.outreach.channels.imap import ImapMailbox
from concilia.outreach.models import DeliveryEvent, InboundReply, OptOutEntry, OutboxMessage
from concilia.outreach.sent import audit_now, record_sent
from concilia.outreach.service import log_contact, record_opt_out
from concilia.portfolio import service as portfolio_service
from concilia.signals import service as signals_service
from concilia.special import guard as special_guard

_STOP_WORDS = re.compile(r"^\s*(stop|arr[eê]t|baja|unsubscribe|d[ée]sinscri\w*)\s*[.!]?\s*$", re.I)
# A later status never goes back to an earlier one (a late "sent" after "delivered").
_RANK = {"sent": 1, "delivered": 2, "read": 3}


def _audit_message(db_session: Session, msg: OutboxMessage, action: str, actor: str) -> None:
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action=action,
        object_type="outbox_message",
        object_id=msg.id,
        change={"status": msg.status},
        detail={"case_id": msg.case_id, "channel": msg.channel, "status": msg.status},
    )


def apply_status(
    *,
    db_session: Session,
    msg: OutboxMessage,
    status: str,
    at: datetime,
    actor: str,
    detail: str | None = None,
) -> bool:
    """Record a provider's status for a sent message; True if it changed anything."""
    if status == "delivered" and msg.status == "sent":
        msg.status, msg.delivered_at, msg.updated_at = "delivered", at, at
        _audit_message(db_session, msg, "outreach.delivered", actor)
        return True
    if status == "read" and msg.status in ("sent", "delivered"):
        msg.status, msg.updated_at = "delivered", at
        msg.delivered_at = msg.delivered_at or at
        _audit_message(db_session, msg, "outreach.read", actor)
        return True
    if status in ("failed", "undelivered", "bounced") and msg.status in ("sent", "delivered"):
        msg.status, msg.updated_at, msg.last_error = "failed", at, detail or status
        _audit_message(db_session, msg, "outreach.delivery_failed", actor)
        return True
    return False


def record_status_event(
    *, db_session: Session, event: StatusEvent, now: datetime, actor: str
) -> bool:
    """A pushed status (webhook, DSN): once per event key; True if it changed the message."""
    if db_session.scalar(select(DeliveryEvent.id).where(DeliveryEvent.event_key == event.key)):
        return False
    msg = db_session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.provider_id == event.provider_id, OutboxMessage.channel == event.channel
        )
    ).first()
    recovered = False
    if msg is None and event.idempotency_key:
        msg, recovered = _recover(db_session, event, now, actor)
    db_session.add(
        DeliveryEvent(
            event_key=event.key,
            channel=event.channel,
            outbox_id=msg.id if msg else None,
            status=event.status,
            detail=(event.detail or "")[:200] or None,
            received_at=now,
        )
    )
    db_session.flush()
    if msg is None:
        return False
    changed = apply_status(
        db_session=db_session, msg=msg, status=event.status, at=event.at, actor=actor
    )
    changed = changed or recovered
    if event.status == "complained" or event.permanent:
        # A hard bounce or a complaint (feedback loop) ends the use of that address: it is
        # recorded as the address's opt-out, which every later message is checked against.
        changed = (
            _opt_out_once(
                db_session,
                msg,
                "complaint" if event.status == "complained" else "hard_bounce",
                actor,
            )
            or changed
        )
    return changed


def _recover(
    db_session: Session, event: StatusEvent, now: datetime, actor: str
) -> tuple[OutboxMessage | None, bool]:
    """The message a provider names by our key; if its send was never recorded (the worker
    died after the provider accepted it), it is recorded now, so no worker sends it again.

    Locked first: a worker re-sending it right now finishes (and records its own send)
    before this looks at it."""
    msg = db_session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key == event.idempotency_key,
            OutboxMessage.channel == event.channel,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if msg is None or msg.provider_id is not None or msg.status not in ("queued", "sending"):
        # Unknown, or recorded under another provider id (a resend did go): not this one.
        return None, False
    record_sent(
        db_session=db_session,
        msg=msg,
        provider_id=event.provider_id,
        status="sent",
        at=min(event.at, now),
        actor=actor,
        audit=audit_now(db_session),
        recovered=True,
    )
    return msg, True


def opt_out_address(*, db_session: Session, msg: OutboxMessage, source: str, actor: str) -> bool:
    """Opt the address a message went to out of its channel (a provider said the person
    unsubscribed, a hard bounce, a complaint); False when it already was."""
    return _opt_out_once(db_session, msg, source, actor)


def _opt_out_once(db_session: Session, msg: OutboxMessage, source: str, actor: str) -> bool:
    """Opt the message's address out of its channel unless it already is; True if recorded."""
    debtor_id = _debtor_of(db_session, msg.case_id)
    already = db_session.scalar(
        select(OptOutEntry.id).where(
            OptOutEntry.debtor_id == debtor_id,
            OptOutEntry.channel == msg.channel,
            OptOutEntry.address_index == msg.to_index,
        )
    )
    if already is not None:
        return False
    record_opt_out(
        db_session=db_session,
        debtor_id=debtor_id,
        channel=msg.channel,
        address=crypto.decrypt(msg.to_encrypted, context=context.ADDRESS_CONTEXT),
        source=source,
        actor=actor,
    )
    return True


def _debtor_of(db_session: Session, case_id: int) -> int:
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    return int(portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id).debtor_id)


def refresh_statuses(
    *, db_session: Session, channels: Mapping[str, Channel], now: datetime, actor: str = "outbox"
) -> int:
    """Ask providers about sent messages; record deliveries and failures reported later."""
    changed = 0
    rows = db_session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status == "sent",
            OutboxMessage.provider_id.is_not(None),
            OutboxMessage.channel.in_(list(channels)),
        )
    )
    for msg in rows:
        status = channels[msg.channel].status(msg.provider_id or "")
        if status is not None and apply_status(
            db_session=db_session, msg=msg, status=status, at=now, actor=actor
        ):
            changed += 1
    return changed


def _screened(
    *, db_session: Session, message: InboundMessage, origin: OutboxMessage | None, actor: str
) -> str:
    """The reply text as it may be stored: a text revealing a special category (art. 9 GDPR)
    is redacted, and when its case is known the case is flagged as possibly vulnerable."""
    if origin is not None:
        screened = signals_service.screen_debtor_text(
            db_session=db_session,
            case_id=origin.case_id,
            text=message.text,
            channel="outreach_reply",
            actor=actor,
        )
        return screened.text if screened.text is not None else signals_service.REDACTED
    # No case to flag: the text is kept only when it reveals nothing special.
    if special_guard.scan(message.text).storable:
        return message.text
    return signals_service.REDACTED


def store_reply(
    *, db_session: Session, message: InboundMessage, now: datetime, actor: str
) -> InboundReply | None:
    """Store one reply (None if this provider id is already stored), attach it to its case,
    log it, and honour a STOP as an opt-out."""
    m = message
    if db_session.scalar(select(InboundReply.id).where(InboundReply.provider_id == m.provider_id)):
        return None
    origin = None
    if m.in_reply_to:
        origin = db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.provider_id == m.in_reply_to)
        ).first()
    if origin is None:
        origin = db_session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_index == context.address_index(m.sender))
            .order_by(OutboxMessage.id.desc())
        ).first()
    stored_text = _screened(db_session=db_session, message=m, origin=origin, actor=actor)
    reply = InboundReply(
        provider_id=m.provider_id,
        channel=m.channel,
        case_id=origin.case_id if origin else None,
        outbox_id=origin.id if origin else None,
        sender_encrypted=crypto.encrypt(m.sender, context=context.ADDRESS_CONTEXT),
        sender_index=context.address_index(m.sender),
        text=stored_text,
        received_at=m.received_at,
        created_at=now,
    )
    db_session.add(reply)
    db_session.flush()
    if origin is not None:
        log_contact(
            db_session=db_session,
            case_id=origin.case_id,
            channel=m.channel,
            direction="in",
            at=m.received_at,
            outbox_id=origin.id,
            actor="debtor",
        )
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.reply_received",
        object_type="inbound_reply",
        object_id=reply.id,
        change={"case_id": reply.case_id, "channel": m.channel, "provider_id": m.provider_id},
        detail={"case_id": reply.case_id, "channel": m.channel, "matched": origin is not None},
    )
    if origin is not None and _STOP_WORDS.match(m.text):
        record_opt_out(
            db_session=db_session,
            debtor_id=_debtor_of(db_session, origin.case_id),
            channel=m.channel,
            address=m.sender,
            source="reply_stop",
            actor=actor,
        )
    return reply


def ingest_replies(
    *,
    db_session: Session,
    channel: Channel,
    since: datetime | None,
    now: datetime,
    actor: str = "outbox",
) -> list[InboundReply]:
    """Store new replies polled from a channel (see :func:`store_reply`)."""
    stored: list[InboundReply] = []
    for m in channel.fetch_replies(since):
        reply = store_reply(db_session=db_session, message=m, now=now, actor=actor)
        if reply is not None:
            stored.append(reply)
    return stored


def poll_mailbox(
    *, db_session: Session, mailbox: ImapMailbox, now: datetime, actor: str = "outbox"
) -> tuple[int, int, list[str]]:
    """Store the mailbox's unseen mail (replies, bounces, complaints) in the caller's
    transaction; returns (replies stored, statuses changed, the UIDs to mark seen once the
    caller has committed)."""
    replies = changed = 0
    uids: list[str] = []
    for mail in mailbox.fetch_unseen():
        if isinstance(mail.parsed, InboundMessage):
            replies += (
                store_reply(db_session=db_session, message=mail.parsed, now=now, actor=actor)
                is not None
            )
        elif isinstance(mail.parsed, StatusEvent):
            changed += record_status_event(
                db_session=db_session, event=mail.parsed, now=now, actor=actor
            )
        uids.append(mail.uid)
    return replies, changed, uids


def unsubscribe_token(message_id: int) -> str:
    """The secret part of a message's one-click unsubscribe URL (keyed: not guessable)."""
    return crypto.blind_index(str(message_id), context="outreach-unsubscribe")[:32]


def unsubscribe_url(base_url: str, message_id: int) -> str:
    """The RFC 8058 one-click URL for one message (List-Unsubscribe)."""
    return (
        f"{base_url.rstrip('/')}/api/outreach/webhooks/unsubscribe/"
        f"{message_id}/{unsubscribe_token(message_id)}"
    )


def unsubscribe(*, db_session: Session, message_id: int, token: str, actor: str) -> bool:
    """Honour a one-click unsubscribe: the address the message went to is opted out of its
    channel. False when the token is wrong; a repeated click changes nothing."""
    if not crypto.same_secret(unsubscribe_token(message_id), token):
        return False
    msg = db_session.get(OutboxMessage, message_id)
    if msg is None:
        return False
    _opt_out_once(db_session, msg, "list_unsubscribe", actor)
    return True
