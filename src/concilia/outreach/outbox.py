"""Send what is due: re-check each message now, send through its channel, retry with backoff.

A message is checked again at send time because the case may have changed since it was
queued (a dispute, a cease request, a call that used up the week's limit, the clock).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.outreach import context, letter
from concilia.outreach.channels import Attachment, Channel, OutgoingMessage
from concilia.outreach.compose import Rendered
from concilia.outreach.models import InboundReply, OutboxMessage
from concilia.outreach.rules import PackSet
from concilia.outreach.service import ToneFn, judge, log_contact, record_opt_out
from concilia.portfolio import service as portfolio_service

VALIDATION_NOTICE_KIND = "validation_notice"

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# While only the clock blocks a message, look again after this long.
WAIT_STEP = timedelta(minutes=15)
_STOP_WORDS = re.compile(r"^\s*(stop|arr[eê]t|baja|unsubscribe|d[ée]sinscri\w*)\s*[.!]?\s*$", re.I)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes, at most an hour."""
    step: timedelta = BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    return min(step, BACKOFF_MAX)


@dataclass
class RunReport:
    sent: list[int] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)
    review: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.__dict__.items()}


def _audit(
    db_session: Session, msg: OutboxMessage, action: str, actor: str, **change: object
) -> None:
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action=action,
        object_type="outbox_message",
        object_id=msg.id,
        change={"status": msg.status, **change},
        detail={"case_id": msg.case_id, "channel": msg.channel, "status": msg.status},
    )


def _outgoing(msg: OutboxMessage, to: str, now: datetime) -> OutgoingMessage:
    attachments: tuple[Attachment, ...] = ()
    if msg.channel == "letter":
        rendered = Rendered(msg.kind, msg.lang, "letter", msg.subject, msg.body)
        pdf = letter.render_pdf(
            rendered, sender_block=msg.created_by, recipient_block=to, place="", on=now.date()
        )
        attachments = (Attachment(f"{msg.letter_ref or msg.id}.pdf", pdf),)
    return OutgoingMessage(
        channel=msg.channel,
        to=to,
        body=msg.body,
        subject=msg.subject,
        idempotency_key=msg.idempotency_key,
        attachments=attachments,
    )


def due(*, db_session: Session, now: datetime, limit: int = 500) -> list[OutboxMessage]:
    """Queued messages whose time has come."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status.in_(("queued", "sending")),
            or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(db_session.scalars(query))


def send_one(
    *,
    db_session: Session,
    msg: OutboxMessage,
    channel: Channel,
    now: datetime,
    actor: str,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
) -> str:
    """Check and send one message; returns what happened (sent, blocked, waiting, ...)."""
    outcome, decision = judge(db_session=db_session, message=msg, at=now, packs=packs, tone=tone)
    msg.updated_at = now
    if outcome in ("blocked", "review"):
        rules = [r.rule for r in decision.reasons]
        _audit(db_session, msg, f"outreach.{outcome}", actor, rules=rules)
        return outcome
    if outcome == "waiting":
        msg.next_attempt_at = now + WAIT_STEP
        return "waiting"
    to = crypto.decrypt(msg.to_encrypted, context=context.ADDRESS_CONTEXT)
    msg.attempts += 1
    result = channel.send(_outgoing(msg, to, now))
    if result.status in ("sent", "delivered"):
        msg.status = result.status
        msg.provider_id = result.provider_id
        msg.sent_at = now
        msg.next_attempt_at = None
        msg.last_error = None
        log_contact(
            db_session=db_session,
            case_id=msg.case_id,
            channel=msg.channel,
            direction="out",
            recipient=msg.recipient,
            at=now,
            outbox_id=msg.id,
            actor=actor,
        )
        _audit(db_session, msg, "outreach.sent", actor, attempts=msg.attempts)
        if msg.kind == VALIDATION_NOTICE_KIND:
            # The case now holds the notice (12 CFR 1006.34), which later messages are judged by.
            case = portfolio_service.get_case(db_session=db_session, case_id=msg.case_id)
            if case.validation_notice_at is None:
                portfolio_service.record_validation_notice(
                    db_session=db_session, case=case, sent_on=now.date(), actor=actor
                )
        return "sent"
    msg.last_error = result.error
    if result.retryable and msg.attempts < MAX_ATTEMPTS:
        msg.status = "queued"
        msg.next_attempt_at = now + backoff(msg.attempts)
        _audit(
            db_session, msg, "outreach.send_retry", actor, attempts=msg.attempts, error=result.error
        )
        return "retrying"
    msg.status = "failed"
    _audit(
        db_session, msg, "outreach.send_failed", actor, attempts=msg.attempts, error=result.error
    )
    return "failed"


def run_due(
    *,
    db_session: Session,
    channels: Mapping[str, Channel],
    now: datetime,
    actor: str = "outbox",
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
) -> RunReport:
    """Send every due message whose channel is configured; the caller commits."""
    report = RunReport()
    for msg in due(db_session=db_session, now=now):
        channel = channels.get(msg.channel)
        if channel is None:
            continue
        outcome = send_one(
            db_session=db_session,
            msg=msg,
            channel=channel,
            now=now,
            actor=actor,
            packs=packs,
            tone=tone,
        )
        getattr(report, outcome).append(msg.id)
    db_session.flush()
    return report


def refresh_statuses(
    *, db_session: Session, channels: Mapping[str, Channel], now: datetime, actor: str = "outbox"
) -> int:
    """Ask providers about sent messages; record deliveries and failures reported later."""
    changed = 0
    rows = db_session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status == "sent", OutboxMessage.provider_id.is_not(None)
        )
    )
    for msg in rows:
        channel = channels.get(msg.channel)
        status = channel.status(msg.provider_id or "") if channel else None
        if status == "delivered":
            msg.status, msg.delivered_at, msg.updated_at = "delivered", now, now
            _audit(db_session, msg, "outreach.delivered", actor)
            changed += 1
        elif status == "failed":
            msg.status, msg.updated_at = "failed", now
            _audit(db_session, msg, "outreach.delivery_failed", actor)
            changed += 1
    return changed


def ingest_replies(
    *,
    db_session: Session,
    channel: Channel,
    since: datetime | None,
    now: datetime,
    actor: str = "outbox",
) -> list[InboundReply]:
    """Store new replies, attach them to their case, and honour a STOP as an opt-out."""
    stored: list[InboundReply] = []
    for m in channel.fetch_replies(since):
        if db_session.scalar(
            select(InboundReply.id).where(InboundReply.provider_id == m.provider_id)
        ):
            continue
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
        reply = InboundReply(
            provider_id=m.provider_id,
            channel=m.channel,
            case_id=origin.case_id if origin else None,
            outbox_id=origin.id if origin else None,
            sender_encrypted=crypto.encrypt(m.sender, context=context.ADDRESS_CONTEXT),
            sender_index=context.address_index(m.sender),
            text=m.text,
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
            debt = portfolio_service.get_debt(
                db_session=db_session,
                debt_id=portfolio_service.get_case(
                    db_session=db_session, case_id=origin.case_id
                ).debt_id,
            )
            record_opt_out(
                db_session=db_session,
                debtor_id=debt.debtor_id,
                channel=m.channel,
                address=m.sender,
                source="reply_stop",
                actor=actor,
            )
        stored.append(reply)
    return stored


def run_all(
    *,
    db_session: Session,
    channels: Mapping[str, Channel],
    now: datetime,
    actor: str = "outbox",
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
) -> dict[str, object]:
    """One pass of `concilia outreach run`: replies first (a STOP must stop what is due)."""
    replies = 0
    for name, channel in channels.items():
        last = db_session.scalar(
            select(func.max(InboundReply.received_at)).where(InboundReply.channel == name)
        )
        replies += len(
            ingest_replies(db_session=db_session, channel=channel, since=last, now=now, actor=actor)
        )
    report = run_due(
        db_session=db_session, channels=channels, now=now, actor=actor, packs=packs, tone=tone
    )
    delivered = refresh_statuses(db_session=db_session, channels=channels, now=now, actor=actor)
    return {**report.as_dict(), "replies": replies, "status_updates": delivered}
