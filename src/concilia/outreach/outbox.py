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
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.db import begin_write, session_scope, utcnow
from concilia.outreach import context, letter, optin
from concilia.outreach import settings as outreach_settings
from concilia.outreach.channels import (
    Attachment,
    Channel,
    OutgoingMessage,
    SendResult,
    is_idempotent,
    platforms,
)
from concilia.outreach.channels.imap import ImapMailbox
from concilia.outreach.compose import Rendered
from concilia.outreach.inbound import (
    ingest_replies,
    opt_out_address,
    poll_mailbox,
    refresh_statuses,
    unsubscribe_url,
)
from concilia.outreach.models import InboundReply, OutboxMessage, ProviderState
from concilia.outreach.rules import PackSet
from concilia.outreach.sent import (
    INTERRUPTED,
    UNCONFIRMED,
    VALIDATION_NOTICE_KIND,
    AuditFn,
    audit_message,
    audit_now,
    failure_reason,
    record_sent,
)
from concilia.outreach.service import ToneFn, judge
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

__all__ += ["VALIDATION_NOTICE_KIND"]

# A message is tried at most this many times (provider refusals that a retry may fix, a
# worker that died or failed during its send), with back-off in between; then it fails
# with the reason, shown with the message in the console. Never retried forever.
MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# While only the clock blocks a message, look again after this long.
WAIT_STEP = timedelta(minutes=15)
LEASE = timedelta(seconds=60)
# A provider that cannot de-duplicate (Meta): a send interrupted by a crash is re-sent only
# after this long without a webhook proving the first one went (docs/outreach.md).
SETTLE = timedelta(minutes=2)
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
    base = outreach_settings.current().public_base_url if msg.channel == "email" else None
    if base:
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
            if msg.status == "sending":
                # Its worker died (or failed) during the send: that was an attempt, which
                # may have reached the provider (send_one decides how to go on).
                msg.attempts += 1
                msg.last_error = (f"{INTERRUPTED}worker {msg.lease_owner} stopped during the send")[
                    :500
                ]
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


def _give_up(
    msg: OutboxMessage, rule: str, explanation: str, actor: str, audit: AuditFn, **change: object
) -> str:
    """Failed for good, with the reason shown beside the message."""
    msg.status = "failed"
    msg.next_attempt_at = None
    msg.lease_owner = msg.lease_expires_at = None
    msg.reasons = [*msg.reasons, failure_reason(rule, explanation)]
    audit_message(audit, msg, "outreach.send_failed", actor, attempts=msg.attempts, **change)
    return "failed"


def _retry_or_give_up(
    msg: OutboxMessage, now: datetime, error: str, actor: str, audit: AuditFn
) -> str:
    """Another attempt later (back-off), or failed once MAX_ATTEMPTS are spent."""
    if msg.attempts >= MAX_ATTEMPTS:
        return _give_up(
            msg,
            "SEND-ATTEMPTS",
            f"not sent after {msg.attempts} attempts; last: {error}",
            actor,
            audit,
            error=error,
        )
    msg.next_attempt_at = now + backoff(msg.attempts)
    audit_message(audit, msg, "outreach.send_retry", actor, attempts=msg.attempts, error=error)
    return "retrying"


def interrupted(
    *,
    db_session: Session,
    msg: OutboxMessage,
    now: datetime,
    error: str,
    actor: str,
    audit: AuditFn | None = None,
) -> str:
    """A send that raised part-way: it may have reached the provider, so it counts as an
    attempt and is handled like a worker that died during it (back-off, then the same key;
    failed once MAX_ATTEMPTS are spent)."""
    audit = audit or audit_now(db_session)
    _release(msg)
    msg.attempts += 1
    msg.updated_at = now
    msg.last_error = f"{INTERRUPTED}{error}"[:500]
    return _retry_or_give_up(msg, now, error, actor, audit)


def send_one(
    *,
    db_session: Session,
    msg: OutboxMessage,
    channel: Channel,
    now: datetime,
    actor: str,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
    audit: AuditFn | None = None,
    answered: set[str] | None = None,
    known: context.Known | None = None,
) -> str:
    """Check and send one message; returns what happened (sent, blocked, waiting, ...).

    ``audit`` receives the audit entries (default: written at once); ``answered``: the
    channels whose provider state this batch already cleared (one look per batch)."""
    audit = audit or audit_now(db_session)
    if msg.attempts >= MAX_ATTEMPTS and (msg.last_error or "").startswith(INTERRUPTED):
        # Workers keep dying (or failing) on this one: a poison message, not retried forever.
        _release(msg)
        msg.updated_at = now
        return _give_up(
            msg,
            "SEND-ATTEMPTS",
            f"not sent after {msg.attempts} interrupted attempts; last: {msg.last_error}",
            actor,
            audit,
        )
    if (msg.last_error or "").startswith(INTERRUPTED) and not is_idempotent(channel):
        # The provider cannot tell a resend from a new message: give its webhooks time to
        # prove the first send went (inbound.record_status_event then records it as sent);
        # without such proof the message goes again after SETTLE.
        _release(msg)
        msg.updated_at = now
        msg.next_attempt_at = now + SETTLE
        msg.last_error = f"{UNCONFIRMED}{(msg.last_error or '').removeprefix(INTERRUPTED)}"[:500]
        audit_message(audit, msg, "outreach.send_unconfirmed", actor, attempts=msg.attempts)
        return "waiting"
    outcome, decision = judge(
        db_session=db_session, message=msg, at=now, packs=packs, tone=tone, known=known
    )
    msg.updated_at = now
    _release(msg)
    if outcome in ("blocked", "review"):
        rules = [r.rule for r in decision.reasons]
        audit_message(audit, msg, f"outreach.{outcome}", actor, rules=rules)
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
        audit_message(audit, msg, "outreach.blocked", actor, rules=[msg.reasons[-1]["rule"]])
        return "blocked"
    if platform is not None and (platform.template or platform.tag):
        extra = (
            {"template": platform.template, "template_language": msg.lang}
            if platform.template
            else {"tag": platform.tag or ""}
        )
        outgoing = replace(outgoing, metadata={**outgoing.metadata, **extra})
    result = channel.send(outgoing)
    if not result.outage and (answered is None or msg.channel not in answered):
        _provider_answered(db_session, msg.channel)
        if answered is not None:
            answered.add(msg.channel)
    if result.status in ("sent", "delivered"):
        msg.attempts += 1
        record_sent(
            db_session=db_session,
            msg=msg,
            provider_id=result.provider_id,
            status=result.status,
            at=now,
            actor=actor,
            audit=audit,
        )
        return "sent"
    msg.last_error = result.error
    if result.outage:
        # The provider, not the message: the message keeps its place (and its attempts) and
        # the provider is paused for every worker; the oldest message probes it next time.
        _pause_provider(db_session, msg.channel, result, now)
        audit_message(audit, msg, "outreach.send_retry", actor, outage=True, error=result.error)
        return "paused"
    msg.attempts += 1
    if result.unsubscribed:
        # The person told the provider to stop (an SMS STOP that reached Twilio, not us):
        # the address is opted out here too, and this message is never retried.
        opt_out_address(db_session=db_session, msg=msg, source="provider_stop", actor=actor)
        return _give_up(
            msg,
            "RECIPIENT-UNSUBSCRIBED",
            f"the provider refuses: the person unsubscribed ({result.error})",
            actor,
            audit,
            error=result.error,
        )
    if result.retryable:
        return _retry_or_give_up(msg, now, result.error or "refused", actor, audit)
    return _give_up(
        msg, "SEND-REFUSED", f"the provider refused: {result.error}", actor, audit,
        error=result.error,
    )  # fmt: skip


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
    """One worker's share of what is due: claim a batch (committed at once, so the leases
    are visible), then send it.

    A batch's sends are recorded in one transaction (one commit, the audit entries written
    together just before it), each message in its own savepoint so one that raises spoils
    no other. That is safe because the provider sees each message's key: a worker killed
    before the commit leaves its claims to run out, and the retry carries the same key. A
    provider that cannot de-duplicate (:func:`is_idempotent` false) gets a commit after each
    of its sends instead, so a crash leaves at most one send unrecorded.
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
        done += len(ids)
        _send_claimed(
            factory, ids, channels=channels, now=now, worker=worker, actor=actor,
            packs=packs, tone=tone, report=report,
        )  # fmt: skip
    return report


def _send_claimed(
    factory: sessionmaker[Session],
    ids: list[int],
    *,
    channels: Mapping[str, Channel],
    now: datetime,
    worker: str,
    actor: str,
    packs: PackSet | None,
    tone: ToneFn | None,
    report: RunReport,
) -> None:
    """Send the messages this worker claimed (see :func:`work`)."""
    remaining = list(ids)
    down: set[str] = set()
    answered: set[str] = set()
    pending: list[dict[str, Any]] = []

    def defer(**entry: Any) -> None:
        pending.append(entry)

    while remaining:
        outcomes: list[tuple[str, int]] = []
        tried = list(remaining)
        try:
            with session_scope(factory) as db_session:
                begin_write(db_session)
                # One look at the whole batch, locked; in case order, so two workers whose
                # batches share cases take those cases' rows in the same order (no deadlock).
                rows = list(
                    db_session.scalars(
                        select(OutboxMessage)
                        .where(OutboxMessage.id.in_(remaining))
                        .order_by(OutboxMessage.case_id, OutboxMessage.id)
                        .with_for_update()
                        .execution_options(populate_existing=True)
                    )
                )
                found = {m.id for m in rows}
                outcomes.extend(("lost", i) for i in remaining if i not in found)
                remaining = [m.id for m in rows]
                pinned: list[Any] = []
                known: context.Known | None = None
                try:
                    with db_session.begin_nested():
                        pinned, known = _look_ahead(db_session, rows, now)
                except Exception as exc:
                    # One bad message must not stop the batch (every retry would fail the
                    # same way): look up message by message, where each fails on its own.
                    print(f"outbox: batch look-ahead failed: {exc!r}", file=sys.stderr)
                for msg in rows:
                    remaining.remove(msg.id)
                    outcome = _send_locked(
                        db_session, msg, channels=channels, now=now, worker=worker,
                        actor=actor, packs=packs, tone=tone, down=down, answered=answered,
                        audit=defer, known=known,
                    )  # fmt: skip
                    if outcome is None:
                        continue
                    outcomes.append((outcome, msg.id))
                    if outcome == "paused":
                        down.add(msg.channel)
                    if outcome == "sent" and not is_idempotent(channels[msg.channel]):
                        break  # recorded before the next send (see work)
                _write_audit(db_session, pending)
                del pinned
        except Exception as exc:
            # The transaction failed (the database): its sends are unrecorded and its claims
            # stand until their leases run out; the retries carry the same keys.
            print(f"outbox: batch not recorded: {exc!r}", file=sys.stderr)
            report.lost.extend(tried)
            return
        finally:
            pending.clear()
        for outcome, message_id in outcomes:
            getattr(report, outcome).append(message_id)


def _look_ahead(
    db_session: Session, rows: list[OutboxMessage], now: datetime
) -> tuple[list[Any], context.Known]:
    """The batch's cases, debtors and creditors, held for the batch (the session keeps only
    weak references: unheld, each service look-up would load them again, three times per
    message), and what :func:`context.prefetch` looks up once for the batch."""
    pinned = _load_parties(db_session, sorted({msg.case_id for msg in rows}))
    parties = {case.id: (case.debt_id, case.debt.debtor_id) for case in pinned[::4]}
    targets: list[tuple[int, int, int, str]] = []
    for msg in rows:
        debt_id, debtor_id = parties[msg.case_id]
        to = crypto.decrypt(msg.to_encrypted, context=context.ADDRESS_CONTEXT)
        targets.append((msg.case_id, debt_id, debtor_id, to))
    return pinned, context.prefetch(db_session=db_session, messages=targets, at=now)


def _load_parties(db_session: Session, case_ids: list[int]) -> list[Any]:
    """Each case with its debt, debtor and creditor (four per case, in that order): five
    statements for the batch (one look-up per case took four each)."""
    found = portfolio_service.get_cases_with_parties(db_session=db_session, case_ids=case_ids)
    loaded: list[Any] = []
    for case_id in case_ids:
        if case_id in found:
            case, debtor, creditor = found[case_id]
            loaded += [case, case.debt, debtor, creditor]
    return loaded


def _write_audit(db_session: Session, entries: list[dict[str, Any]]) -> None:
    """A batch's audit entries, chained in order just before its commit: one chain lock,
    one head read and one INSERT for the batch (three statements each, one by one)."""
    audit_service.record_many(
        db_session=db_session, entries=[audit_service.NewEntry(**entry) for entry in entries]
    )


def _send_locked(
    db_session: Session,
    msg: OutboxMessage,
    *,
    channels: Mapping[str, Channel],
    now: datetime,
    worker: str,
    actor: str,
    packs: PackSet | None,
    tone: ToneFn | None,
    down: set[str],
    answered: set[str],
    audit: Callable[..., None],
    known: context.Known | None = None,
) -> str | None:
    """One claimed message, locked: lost (another worker took it over), left for later (its
    provider just went down), or sent through :func:`send_one` in a savepoint."""
    if msg.status != "sending" or msg.lease_owner != worker:
        return "lost"
    if msg.channel in down:
        _release(msg)  # not tried: its provider just went down
        return None
    entries: list[dict[str, Any]] = []

    def collect(**entry: Any) -> None:
        entries.append(entry)

    try:
        with db_session.begin_nested():
            outcome = send_one(
                db_session=db_session, msg=msg, channel=channels[msg.channel], now=now,
                actor=actor, packs=packs, tone=tone, audit=collect, answered=answered,
                known=known,
            )  # fmt: skip
    except Exception as exc:
        # Rolled back to the savepoint: what it wrote is gone, the send may have happened.
        print(f"outbox: message {msg.id} interrupted: {exc!r}", file=sys.stderr)
        entries.clear()
        outcome = interrupted(
            db_session=db_session, msg=msg, now=now, error=repr(exc)[:300], actor=actor,
            audit=collect,
        )  # fmt: skip
    for entry in entries:
        audit(**entry)
    return outcome


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


def _poll_mailbox(
    factory: sessionmaker[Session], mailbox: ImapMailbox | None, now: datetime, actor: str
) -> int:
    """The IMAP mailbox's unseen mail stored, then marked seen (after the commit: a failed
    pass leaves it for the next). One worker at a time."""
    if mailbox is None:
        return 0
    with session_scope(factory) as db_session:
        begin_write(db_session)
        if not exclusive(db_session, "outreach.replies.imap"):
            return 0
        replies, _, uids = poll_mailbox(
            db_session=db_session, mailbox=mailbox, now=now, actor=actor
        )
    mailbox.mark_seen(uids)
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
    mailbox: ImapMailbox | None = None,
) -> dict[str, object]:
    """One pass of `concilia outreach run` as one of possibly many workers: replies (one
    worker per provider at a time, and the IMAP mailbox if any), the worker's share of due
    sends, delivery statuses."""
    with session_scope(factory) as db_session:
        begin_write(db_session)
        replies = _poll_replies(db_session, channels, now, actor)
    replies += _poll_mailbox(factory, mailbox, now, actor)
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
