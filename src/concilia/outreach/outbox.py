"""Send what is due: claim, re-check each message now, send through its channel, retry.

A message is checked again at send time because the case may have changed since it was
queued (a dispute, a cease request, a call that used up the week's limit, the clock).

Several workers may share the queue (PostgreSQL): :func:`claim` takes due rows with
``FOR UPDATE SKIP LOCKED`` and marks them ``sending`` under a lease; a worker that dies
leaves its lease to run out and another takes the message over. The provider sees the
message's idempotency key each time, so a message whose send reached the provider before
its worker died is not delivered twice. Two clocks are at play: ``now`` is the outbox's
time (hours, back-off, provider pauses; a test or a one-off run may pretend), the wall
clock measures leases and rate limits (processes and wires, never pretended).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.db import begin_write, session_scope, utcnow
from concilia.outreach import context, letter, optin
from concilia.outreach import settings as outreach_settings
from concilia.outreach.channels import Attachment, Channel, OutgoingMessage, SendResult, platforms
from concilia.outreach.compose import Rendered
from concilia.outreach.inbound import ingest_replies, refresh_statuses, unsubscribe_url
from concilia.outreach.models import InboundReply, OutboxMessage, ProviderState
from concilia.outreach.rules import PackSet
from concilia.outreach.service import ToneFn, judge, log_contact
from concilia.outreach.worker import claim_rows, exclusive
from concilia.portfolio import service as portfolio_service

__all__ = [
    "RunReport",
    "backoff",
    "claim",
    "ingest_replies",
    "refresh_statuses",
    "run_all",
    "run_due",
    "run_pass",
    "send_one",
    "work",
]

VALIDATION_NOTICE_KIND = "validation_notice"

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# While only the clock blocks a message, look again after this long.
WAIT_STEP = timedelta(minutes=15)
LEASE = timedelta(seconds=60)
CLAIM_BATCH = 20
# A pass stops claiming after this many messages, so replies and statuses get their turn.
PASS_LIMIT = 5000


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
    # The provider is down or throttling: kept in place, sent when it answers again.
    paused: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    # Claimed, then lost: the lease ran out and another worker took the message over.
    lost: list[int] = field(default_factory=list)

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
        metadata=_metadata(msg),
    )


def _metadata(msg: OutboxMessage) -> dict[str, str]:
    meta = {"kind": msg.kind, "lang": msg.lang, "case_id": str(msg.case_id)}
    base = outreach_settings.current().public_base_url
    if msg.channel == "email" and base:
        meta["unsubscribe_url"] = unsubscribe_url(base, msg.id)
    return meta


# Providers: outage pauses and rate limits, shared by every worker through one row each --------


def _provider(db_session: Session, channel: str, *, lock: bool) -> ProviderState:
    query = select(ProviderState).where(ProviderState.channel == channel)
    if lock:
        query = query.with_for_update()
    state = db_session.scalars(query).first()
    if state is not None:
        return state
    # Two workers may create it at once: the unique channel lets one win, the other reads it.
    try:
        with db_session.begin_nested():
            db_session.add(ProviderState(channel=channel, failures=0, tokens=0.0))
    except IntegrityError:
        pass
    return db_session.scalars(query).one()


def _room(
    db_session: Session, channel: str, *, now: datetime, wall: datetime, limit: int, rate: float
) -> int:
    """How many messages of this channel may be claimed now: 0 while the provider is paused,
    1 (the oldest, as a probe) just after an outage, else what the rate limit allows."""
    state = db_session.scalars(
        select(ProviderState).where(ProviderState.channel == channel)
    ).first()
    if state is not None and state.paused_until is not None and state.paused_until > now:
        return 0
    probing = state is not None and state.failures > 0
    if rate <= 0:
        return 1 if probing else limit
    state = _provider(db_session, channel, lock=True)
    burst = max(rate, 1.0)
    elapsed = (wall - state.refilled_at).total_seconds() if state.refilled_at else burst / rate
    state.tokens = min(burst, state.tokens + max(elapsed, 0.0) * rate)
    state.refilled_at = wall
    room = min(limit, math.floor(state.tokens))
    return min(room, 1) if probing else room


def claim(
    *,
    db_session: Session,
    channels: Collection[str],
    now: datetime,
    worker: str,
    limit: int = CLAIM_BATCH,
    lease: timedelta = LEASE,
    rates: Mapping[str, float] | None = None,
    wall: datetime | None = None,
) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages of these channels for ``worker``, oldest first.

    Due: queued and its time has come, or sending under a lease that ran out (its worker
    died). Rows other workers hold are skipped, not waited for. The caller commits at once,
    so the lease is visible to the others before the sending starts.
    """
    wall = wall or utcnow()
    due = or_(
        and_(
            OutboxMessage.status == "queued",
            or_(OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        ),
        and_(
            OutboxMessage.status == "sending",
            or_(OutboxMessage.lease_expires_at.is_(None), OutboxMessage.lease_expires_at <= wall),
        ),
    )
    claimed: list[OutboxMessage] = []
    for channel in sorted(channels):
        room = _room(
            db_session,
            channel,
            now=now,
            wall=wall,
            limit=limit - len(claimed),
            rate=(rates or {}).get(channel, 0.0),
        )
        if room <= 0:
            continue
        rows = claim_rows(
            db_session,
            select(OutboxMessage)
            .where(OutboxMessage.channel == channel, due)
            .order_by(OutboxMessage.id)
            .limit(room)
            .execution_options(populate_existing=True),
        )
        for msg in rows:
            msg.status = "sending"
            msg.lease_owner = worker
            msg.lease_expires_at = wall + lease
        if rows and (rates or {}).get(channel, 0.0) > 0:
            state = _provider(db_session, channel, lock=True)
            state.tokens -= len(rows)
        claimed.extend(rows)
        if len(claimed) >= limit:
            break
    db_session.flush()
    return claimed


def _provider_answered(db_session: Session, channel: str) -> None:
    state = db_session.scalars(
        select(ProviderState).where(ProviderState.channel == channel)
    ).first()
    if state is not None and (state.failures or state.paused_until is not None):
        state = _provider(db_session, channel, lock=True)
        state.failures, state.paused_until, state.last_error = 0, None, None


def _pause_provider(db_session: Session, channel: str, result: SendResult, now: datetime) -> None:
    state = _provider(db_session, channel, lock=True)
    state.failures += 1
    wait = (
        timedelta(seconds=result.retry_after)
        if result.retry_after is not None
        else backoff(state.failures)
    )
    state.paused_until = now + wait
    state.last_error = result.error


def _platform_verdict(
    db_session: Session, msg: OutboxMessage, to: str, now: datetime
) -> platforms.PlatformVerdict | None:
    """The platform's own rule for this message (window, template), from when the person
    last wrote to us on this address."""
    if platforms.platform_of(to) is None:
        return None
    last = db_session.scalar(
        select(func.max(InboundReply.received_at)).where(
            InboundReply.channel == msg.channel, InboundReply.sender_index == msg.to_index
        )
    )
    return platforms.check(
        address=to,
        kind=msg.kind,
        last_inbound_at=last,
        now=now,
        automated=msg.automated,
        opted_in=optin.has_opt_in(
            db_session=db_session, channel=msg.channel, address_index=msg.to_index
        ),
    )


def _release(msg: OutboxMessage) -> None:
    msg.lease_owner = None
    msg.lease_expires_at = None
    if msg.status == "sending":
        msg.status = "queued"


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
    _release(msg)
    if outcome in ("blocked", "review"):
        rules = [r.rule for r in decision.reasons]
        _audit(db_session, msg, f"outreach.{outcome}", actor, rules=rules)
        return outcome
    if outcome == "waiting":
        msg.next_attempt_at = now + WAIT_STEP
        return "waiting"
    to = crypto.decrypt(msg.to_encrypted, context=context.ADDRESS_CONTEXT)
    outgoing = _outgoing(msg, to, now)
    platform = _platform_verdict(db_session, msg, to, now)
    if platform is not None and platform.refusal:
        msg.status = "blocked"
        msg.verdict = "block"
        msg.reasons = [
            *msg.reasons,
            {
                "rule": f"PLATFORM-{platform.platform.upper()}-WINDOW",
                "citation": platform.citation,
                "category": "platform",
                "severity": "block",
                "explanation": platform.refusal,
            },
        ]
        _audit(db_session, msg, "outreach.blocked", actor, rules=[msg.reasons[-1]["rule"]])
        return "blocked"
    if platform is not None and (platform.template or platform.tag):
        extra = (
            {"template": platform.template, "template_language": msg.lang}
            if platform.template
            else {"tag": platform.tag or ""}
        )
        outgoing = replace(outgoing, metadata={**outgoing.metadata, **extra})
    result = channel.send(outgoing)
    if result.status in ("sent", "delivered"):
        msg.attempts += 1
        msg.status = result.status
        msg.provider_id = result.provider_id
        msg.sent_at = now
        msg.next_attempt_at = None
        msg.last_error = None
        _provider_answered(db_session, msg.channel)
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
    if result.outage:
        # The provider, not the message: the message keeps its place (and its attempts) and
        # the provider is paused for every worker; the oldest message probes it next time.
        _pause_provider(db_session, msg.channel, result, now)
        _audit(db_session, msg, "outreach.send_retry", actor, outage=True, error=result.error)
        return "paused"
    msg.attempts += 1
    _provider_answered(db_session, msg.channel)
    if result.retryable and msg.attempts < MAX_ATTEMPTS:
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
    worker: str = "inline",
    rates: Mapping[str, float] | None = None,
) -> RunReport:
    """Send every due message of the configured channels in the caller's transaction (the
    caller commits): claims and sends in one unit of work, for one process and tests."""
    report = RunReport()
    for _ in range(PASS_LIMIT // CLAIM_BATCH):
        batch = claim(
            db_session=db_session,
            channels=channels,
            now=now,
            worker=worker,
            limit=CLAIM_BATCH,
            rates=rates,
        )
        if not batch:
            break
        down: set[str] = set()
        for msg in batch:
            if msg.channel in down:
                _release(msg)  # not tried: its provider just went down
                continue
            outcome = send_one(
                db_session=db_session,
                msg=msg,
                channel=channels[msg.channel],
                now=now,
                actor=actor,
                packs=packs,
                tone=tone,
            )
            getattr(report, outcome).append(msg.id)
            if outcome == "paused":
                down.add(msg.channel)
    db_session.flush()
    return report


def work(
    *,
    factory: sessionmaker[Session],
    channels: Mapping[str, Channel],
    now: datetime,
    worker: str,
    actor: str = "outbox",
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
    batch: int = CLAIM_BATCH,
    lease: timedelta = LEASE,
    rates: Mapping[str, float] | None = None,
    limit: int = PASS_LIMIT,
) -> RunReport:
    """One worker's share of what is due, each claim and each send its own transaction.

    A send is committed before the next starts, so a worker killed mid-send loses at most
    that message's bookkeeping: its lease runs out and the retry carries the same key.
    """
    report = RunReport()
    done = 0
    while done < limit:
        with session_scope(factory) as db_session:
            begin_write(db_session)
            ids = [
                m.id
                for m in claim(
                    db_session=db_session,
                    channels=channels,
                    now=now,
                    worker=worker,
                    limit=min(batch, limit - done),
                    lease=lease,
                    rates=rates,
                )
            ]
        if not ids:
            break
        down: set[str] = set()
        for message_id in ids:
            done += 1
            try:
                with session_scope(factory) as db_session:
                    begin_write(db_session)
                    msg = db_session.get(
                        OutboxMessage, message_id, with_for_update=True, populate_existing=True
                    )
                    if msg is None or msg.status != "sending" or msg.lease_owner != worker:
                        report.lost.append(message_id)
                        continue
                    channel_name = msg.channel
                    if channel_name in down:
                        _release(msg)  # not tried: its provider just went down
                        continue
                    outcome = send_one(
                        db_session=db_session,
                        msg=msg,
                        channel=channels[msg.channel],
                        now=now,
                        actor=actor,
                        packs=packs,
                        tone=tone,
                    )
            except Exception as exc:
                # Rolled back: the lease stands until it runs out, then the message is retried.
                print(f"outbox: message {message_id} not sent: {exc!r}", file=sys.stderr)
                report.lost.append(message_id)
                continue
            getattr(report, outcome).append(message_id)
            if outcome == "paused":
                down.add(channel_name)
    return report


def _poll_replies(
    db_session: Session, channels: Mapping[str, Channel], now: datetime, actor: str
) -> int:
    replies = 0
    for name, channel in channels.items():
        if not exclusive(db_session, f"outreach.replies.{name}"):
            continue  # another worker is polling this provider right now
        last = db_session.scalar(
            select(func.max(InboundReply.received_at)).where(InboundReply.channel == name)
        )
        replies += len(
            ingest_replies(db_session=db_session, channel=channel, since=last, now=now, actor=actor)
        )
    return replies


def run_all(
    *,
    db_session: Session,
    channels: Mapping[str, Channel],
    now: datetime,
    actor: str = "outbox",
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
) -> dict[str, object]:
    """One pass in the caller's transaction: replies first (a STOP must stop what is due)."""
    replies = _poll_replies(db_session, channels, now, actor)
    report = run_due(
        db_session=db_session, channels=channels, now=now, actor=actor, packs=packs, tone=tone
    )
    delivered = refresh_statuses(db_session=db_session, channels=channels, now=now, actor=actor)
    return {**report.as_dict(), "replies": replies, "status_updates": delivered}


def run_pass(
    *,
    factory: sessionmaker[Session],
    channels: Mapping[str, Channel],
    now: datetime,
    worker: str,
    actor: str = "outbox",
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
    batch: int = CLAIM_BATCH,
    lease: timedelta = LEASE,
    rates: Mapping[str, float] | None = None,
) -> dict[str, object]:
    """One pass of `concilia outreach run` as one of possibly many workers: replies (one
    worker per provider at a time), the worker's share of due sends, delivery statuses."""
    with session_scope(factory) as db_session:
        begin_write(db_session)
        replies = _poll_replies(db_session, channels, now, actor)
    report = work(
        factory=factory,
        channels=channels,
        now=now,
        worker=worker,
        actor=actor,
        packs=packs,
        tone=tone,
        batch=batch,
        lease=lease,
        rates=rates,
    )
    with session_scope(factory) as db_session:
        begin_write(db_session)
        delivered = (
            refresh_statuses(db_session=db_session, channels=channels, now=now, actor=actor)
            if exclusive(db_session, "outreach.statuses")
            else 0
        )
    return {**report.as_dict(), "replies": replies, "status_updates": delivered}
