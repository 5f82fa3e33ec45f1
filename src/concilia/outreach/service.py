"""Outreach service: queue messages (checked by the engine), opt-outs, identity, call log.

Every function takes keyword-only arguments, never commits, and audits what matters.
Sending, delivery status and replies are in :mod:`concilia.outreach.outbox`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.authenticity import service as authenticity_service
from concilia.certification import service as certification_service
from concilia.db import utcnow
from concilia.errors import Conflict, NotFound
from concilia.outreach import compose, context, fake_providers, verification
from concilia.outreach import personal_data as personal_data
from concilia.outreach.channels import Channel, OutgoingMessage
from concilia.outreach.check import MessageIn, check_message, default_tone_checker
from concilia.outreach.models import (
    ContactLog,
    IdentityCheck,
    InboundReply,
    OptOutEntry,
    OutboxMessage,
)
from concilia.outreach.rules import Decision, PackSet, Reason, evaluate
from concilia.outreach.rules.model import SOCIAL_CHANNELS
from concilia.outreach.settings import OutreachSettings
from concilia.portfolio import service as portfolio_service
from concilia.sources import service as sources_service

ToneFn = Callable[[str, str | None], Sequence[Any]]
# The message templates an agent may start from (FR/ES/EN each).
TEMPLATE_KINDS = compose.KINDS
CALL_OUTCOMES = (
    "no_answer",
    "busy",
    "voicemail",
    "not_connected",
    "conversation",
    # The console's outcomes of a call that connected: the debtor (right party, promise,
    # refused) or someone else (wrong number: the console stops using the number).
    "right_party",
    "promise",
    "refused",
    "wrong_number",
)
# Outcomes where the agent spoke with the debtor.
RIGHT_PARTY_OUTCOMES = ("conversation", "right_party", "promise", "refused")


def get(*, db_session: Session, message_id: int) -> OutboxMessage:
    """One outbox message or NotFound."""
    msg = db_session.get(OutboxMessage, message_id)
    if msg is None:
        raise NotFound(f"outbox message {message_id} not found")
    return msg


def get_by_key(*, db_session: Session, idempotency_key: str) -> OutboxMessage | None:
    """The message queued under this idempotency key, if any."""
    return db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    ).first()


def decide(
    *,
    db_session: Session,
    message: OutboxMessage,
    at: datetime,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
    known: context.Known | None = None,
) -> Decision:
    """Run engine and tone checker on a queued message as the case stands at ``at``."""
    comm = context.build(
        db_session=db_session,
        case_id=message.case_id,
        channel=message.channel,
        to=_address(message),
        text=message.body,
        kind=message.kind,
        at=at,
        automated=message.automated,
        recipient=message.recipient,
        address_source=message.address_source,
        reassigned_check_on=message.reassigned_check_on,
        known=known,
    )
    flags = list(tone(message.body, comm.lang)) if tone is not None and message.body else []
    decision = evaluate(comm, packs, tone_flags=flags)
    # GDPR art. 14 (issue 18): once their social data is in use, the person hears of it first.
    profiled = None
    if known is not None:
        case = portfolio_service.get_case(db_session=db_session, case_id=message.case_id)
        if case.debt.debtor_id in known.checked_profiles:
            profiled = case.debt.debtor_id in known.profiled
    notice = personal_data.notice_reasons(
        db_session=db_session,
        case_id=message.case_id,
        kind=message.kind,
        body=message.body,
        profiled=profiled,
    )
    if notice:
        decision = Decision("block", (*decision.reasons, *notice), decision.pack_versions)
    if message.channel not in SOCIAL_CHANNELS:
        return decision
    refused = _flagged_profile_reasons(db_session=db_session, address=_address(message))
    if not refused:
        return decision
    return Decision("block", (*decision.reasons, *refused), decision.pack_versions)


def _address(message: OutboxMessage) -> str:
    return crypto.decrypt(message.to_encrypted, context=context.ADDRESS_CONTEXT)


def _flagged_profile_reasons(*, db_session: Session, address: str) -> list[Reason]:
    """A social address that leads to a profile flagged fake or as an impersonator is refused.

    Checked at every decision, not only at queueing, because a flag may arrive in between;
    an agent's audited override of the flag lifts it.
    """
    out = []
    for profile_id in sources_service.profiles_at_address(db_session=db_session, address=address):
        usable, why = authenticity_service.can_use_as_evidence(
            db_session=db_session, profile_id=profile_id
        )
        if not usable:
            out.append(
                Reason(
                    rule="CONCILIA-AUTHENTICITY",
                    citation="Concilia policy: flagged profiles are not contact channels",
                    category="identification",
                    severity="block",
                    explanation=(
                        f"the address leads to profile {profile_id}, flagged: " + "; ".join(why)
                    ),
                )
            )
    return out


def only_time_reasons(decision: Decision) -> bool:
    """Blocked only by the clock: the message waits for its window instead of failing."""
    return decision.verdict == "block" and all(
        r.category == "time" for r in decision.reasons if r.severity == "block"
    )


def needs_review(decision: Decision) -> bool:
    """A rule asks a compliance officer to look before the message goes."""
    return any(r.severity == "review" for r in decision.reasons)


def judge(
    *,
    db_session: Session,
    message: OutboxMessage,
    at: datetime,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
    known: context.Known | None = None,
) -> tuple[str, Decision]:
    """Decide a message as the case stands at ``at``: the one place a verdict becomes what
    happens to it, at queueing and at every send.

    Records the verdict and reasons on the message and answers ``blocked`` (a rule forbids
    it; status blocked), ``review`` (a rule wants an officer and none approved it; status
    review), ``waiting`` (only the clock blocks it) or ``clear`` (it may go now)."""
    decision = decide(
        db_session=db_session, message=message, at=at, packs=packs, tone=tone, known=known
    )
    message.verdict = decision.verdict
    message.reasons = [r.as_dict() for r in decision.reasons]
    if decision.verdict == "block" and not only_time_reasons(decision):
        message.status = "blocked"
        return "blocked", decision
    if needs_review(decision) and not message.approved_by:
        message.status = "review"
        return "review", decision
    if only_time_reasons(decision):
        return "waiting", decision
    return "clear", decision


def enqueue(
    *,
    db_session: Session,
    case_id: int,
    channel: str,
    kind: str,
    lang: str,
    to: str,
    body: str,
    actor: str,
    idempotency_key: str,
    subject: str = "",
    automated: bool = True,
    recipient: str = "debtor",
    address_source: str | None = None,
    reassigned_check_on: date | None = None,
    letter_ref: str | None = None,
    not_before: datetime | None = None,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
) -> OutboxMessage:
    """Queue a message; the same idempotency key returns the first message, never a second."""
    existing = get_by_key(db_session=db_session, idempotency_key=idempotency_key)
    if existing is not None:
        if existing.case_id != case_id or existing.channel != channel:
            raise Conflict(f"idempotency key {idempotency_key!r} already used for another message")
        return existing
    now = utcnow()
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    debt = portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debt.debtor_id)
    if channel in SOCIAL_CHANNELS:
        # Only certified staff who acknowledged the current social-media policy (issue 20);
        # refused before anything of the message is written, the refusal audited.
        certification_service.require_social_channels(
            db_session=db_session, action=channel, actor=actor, jurisdiction=debtor.jurisdiction
        )
    # The /verify code goes into the text before it is judged: what is checked is what is sent.
    code = verification.issue(
        db_session=db_session, idempotency_key=idempotency_key, channel=channel, now=now
    )
    body = verification.stamp(body, code=code, lang=lang)
    msg = OutboxMessage(
        case_id=case_id,
        idempotency_key=idempotency_key,
        jurisdiction=debtor.jurisdiction,
        channel=channel,
        kind=kind,
        lang=lang,
        recipient=recipient,
        to_encrypted=crypto.encrypt(to, context=context.ADDRESS_CONTEXT),
        to_index=context.address_index(to),
        address_source=address_source,
        reassigned_check_on=reassigned_check_on,
        subject=subject,
        body=body,
        letter_ref=letter_ref,
        automated=automated,
        status="queued",
        reasons=[],
        not_before=not_before,
        attempts=0,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    db_session.add(msg)
    db_session.flush()
    # A message the clock holds back stays queued: the outbox sends it when its window opens.
    _, decision = judge(
        db_session=db_session, message=msg, at=not_before or now, packs=packs, tone=tone
    )
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.queued" if msg.status == "queued" else f"outreach.{msg.status}",
        object_type="outbox_message",
        object_id=msg.id,
        change={
            "case_id": case_id,
            "channel": channel,
            "kind": kind,
            "status": msg.status,
            "verdict": decision.verdict,
            "rules": [r.rule for r in decision.reasons],
        },
        detail={
            "case_id": case_id,
            "channel": channel,
            "kind": kind,
            "status": msg.status,
            "rules": [r.rule for r in decision.reasons],
        },
    )
    return msg


def approve(*, db_session: Session, message_id: int, actor: str) -> OutboxMessage:
    """A compliance officer releases a message held for review (blocks cannot be approved)."""
    msg = get(db_session=db_session, message_id=message_id)
    if msg.status != "review":
        raise Conflict(f"message {message_id} is {msg.status}, not waiting for review")
    msg.status = "queued"
    msg.approved_by = actor
    msg.updated_at = utcnow()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.approved",
        object_type="outbox_message",
        object_id=msg.id,
        change={"status": "queued"},
    )
    return msg


def cancel(*, db_session: Session, message_id: int, actor: str) -> OutboxMessage:
    """Withdraw a message that has not been sent."""
    msg = get(db_session=db_session, message_id=message_id)
    if msg.status in ("sending", "sent", "delivered"):
        raise Conflict(f"message {message_id} is already {msg.status}")
    msg.status = "cancelled"
    msg.updated_at = utcnow()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.cancelled",
        object_type="outbox_message",
        object_id=msg.id,
        change={"status": "cancelled"},
    )
    return msg


def record_opt_out(
    *,
    db_session: Session,
    debtor_id: int,
    channel: str,
    address: str | None,
    source: str,
    actor: str,
) -> OptOutEntry:
    """The person refused a channel (address None) or one address; honoured from now on."""
    entry = OptOutEntry(
        debtor_id=debtor_id,
        channel=channel,
        address_index=context.address_index(address) if address else None,
        source=source,
        created_at=utcnow(),
    )
    db_session.add(entry)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.opt_out",
        object_type="debtor",
        object_id=debtor_id,
        change={"channel": channel, "address_index": entry.address_index, "source": source},
        detail={"channel": channel, "source": source},
    )
    return entry


def mark_identity_verified(
    *, db_session: Session, debtor_id: int, channel: str, address: str, method: str, actor: str
) -> IdentityCheck:
    """Record that the person at this address is the debtor (e.g. date of birth matched)."""
    check = IdentityCheck(
        debtor_id=debtor_id,
        channel=channel,
        address_index=context.address_index(address),
        method=method,
        verified_at=utcnow(),
        actor=actor,
    )
    db_session.add(check)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.identity_verified",
        object_type="debtor",
        object_id=debtor_id,
        change={"channel": channel, "address_index": check.address_index, "method": method},
        detail={"channel": channel, "method": method},
    )
    return check


def check_call(
    *,
    db_session: Session,
    case_id: int,
    phone: str,
    at: datetime,
    sender_is_specialist: bool = False,
    packs: PackSet | None = None,
) -> Decision:
    """May an agent call now? Hours, frequency, cease, dispute and vulnerability rules."""
    comm = context.build(
        db_session=db_session,
        case_id=case_id,
        channel="call",
        to=phone,
        text="",
        kind="call",
        at=at,
        automated=False,
        sender_is_specialist=sender_is_specialist,
    )
    return evaluate(comm, packs)


def log_contact(
    *,
    db_session: Session,
    case_id: int,
    channel: str,
    direction: str,
    at: datetime,
    actor: str,
    recipient: str = "debtor",
    outbox_id: int | None = None,
    outcome: str | None = None,
    conversation: bool = False,
    counts: bool = True,
) -> ContactLog:
    """Add a contact or attempt, in or out, to the case's log: the history the frequency
    rules count (a message sent, a reply received, a call)."""
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    entry = ContactLog(
        case_id=case_id,
        debt_id=case.debt_id,
        channel=channel,
        direction=direction,
        recipient=recipient,
        at=at,
        outcome=outcome,
        conversation=conversation,
        counts=counts,
        outbox_id=outbox_id,
        actor=actor,
    )
    db_session.add(entry)
    db_session.flush()
    portfolio_service.note_contact(db_session=db_session, case_id=case_id, at=at)
    return entry


def log_call(
    *, db_session: Session, case_id: int, at: datetime, outcome: str, actor: str
) -> ContactLog:
    """An agent logs a call attempt; it counts towards the frequency limits from now on."""
    if outcome not in CALL_OUTCOMES:
        raise Conflict(f"outcome {outcome!r} is not one of {CALL_OUTCOMES}")
    entry = log_contact(
        db_session=db_session,
        case_id=case_id,
        channel="call",
        direction="out",
        at=at,
        actor=actor,
        outcome=outcome,
        conversation=outcome in RIGHT_PARTY_OUTCOMES,
        # Reg F does not count a call that did not connect to the dialled number.
        counts=outcome != "not_connected",
    )
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.call_logged",
        object_type="case",
        object_id=case_id,
        change={"at": at.isoformat(), "outcome": outcome},
        detail={"outcome": outcome},
    )
    return entry


# Console reads and the live check -----------------------------------------------------------


def check_draft(
    *,
    db_session: Session,
    case_id: int,
    channel: str,
    kind: str,
    to: str,
    body: str,
    at: datetime,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
) -> Decision:
    """The verdict an agent's message would get if queued at ``at``; stores nothing.

    The draft goes through :func:`decide`, the one place a message is judged, as an
    unsaved outbox row, so the live check and the queue can never disagree.
    """
    draft = OutboxMessage(
        case_id=case_id,
        channel=channel,
        kind=kind,
        body=body,
        automated=False,
        recipient="debtor",
        to_encrypted=crypto.encrypt(to, context=context.ADDRESS_CONTEXT),
        address_source=None,
        reassigned_check_on=None,
    )
    return decide(db_session=db_session, message=draft, at=at, packs=packs, tone=tone)


def last_contact_query(case_ids: Select[Any] | None = None) -> Subquery:
    """Each case's latest logged contact, in or out (columns ``case_id``, ``at``), for the
    cases of ``case_ids`` (a select of ids) or every case: restricting it to a team's cases
    spares the database grouping the whole contact log for one worklist page."""
    query = select(ContactLog.case_id, func.max(ContactLog.at).label("at"))
    if case_ids is not None:
        query = query.where(ContactLog.case_id.in_(case_ids))
    return query.group_by(ContactLog.case_id).subquery("last_contact")


def list_case_messages(*, db_session: Session, case_id: int) -> list[OutboxMessage]:
    """A case's outbox, oldest first."""
    return list(
        db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
        )
    )


def list_case_contacts(*, db_session: Session, case_id: int) -> list[ContactLog]:
    """A case's contact log (calls, messages sent, replies), oldest first."""
    return list(
        db_session.scalars(
            select(ContactLog).where(ContactLog.case_id == case_id).order_by(ContactLog.at)
        )
    )


def list_replies(
    *,
    db_session: Session,
    case_ids: Select[Any] | None,
    case_id: int | None = None,
    limit: int = 100,
) -> list[InboundReply]:
    """Replies on the given cases (a select of case ids; None: every case), newest first."""
    query = select(InboundReply).where(InboundReply.case_id.is_not(None))
    if case_ids is not None:
        query = query.where(InboundReply.case_id.in_(case_ids))
    if case_id is not None:
        query = query.where(InboundReply.case_id == case_id)
    query = query.order_by(InboundReply.received_at.desc(), InboundReply.id.desc()).limit(limit)
    return list(db_session.scalars(query))


def reply_sender(reply: InboundReply) -> str:
    """Who a reply came from, decrypted (for an authorised reader)."""
    return crypto.decrypt(reply.sender_encrypted, context=context.ADDRESS_CONTEXT)


def message_recipient(message: OutboxMessage) -> str:
    """Where a message goes, decrypted (for an authorised reader)."""
    return _address(message)


def list_identity_checks(*, db_session: Session, debtor_id: int) -> list[IdentityCheck]:
    """Identity verifications recorded for a debtor, oldest first."""
    return list(
        db_session.scalars(
            select(IdentityCheck)
            .where(IdentityCheck.debtor_id == debtor_id)
            .order_by(IdentityCheck.verified_at)
        )
    )


def is_identity_verified(
    *, db_session: Session, debtor_id: int, channel: str, address: str
) -> bool:
    """Whether the person at this address was verified to be the debtor."""
    return (
        db_session.scalar(
            select(IdentityCheck.id).where(
                IdentityCheck.debtor_id == debtor_id,
                IdentityCheck.channel == channel,
                IdentityCheck.address_index == context.address_index(address),
            )
        )
        is not None
    )


def send_requested(
    *,
    db_session: Session,
    debtor_id: int,
    channel: str,
    to: str,
    subject: str,
    body: str,
    idempotency_key: str,
    actor: str,
    channels: Mapping[str, Channel] | None = None,
    lang: str = "en",
) -> bool:
    """Send at once a message the person asked for (e.g. a portal sign-in code); True if sent.

    It says nothing about any debt and answers the person's own request, so it bypasses the
    outbox, its collection rules and the frequency count; it is audited without the address.
    """
    available = channels if channels is not None else OutreachSettings().channels()
    transport = available.get(channel)
    code = verification.issue(
        db_session=db_session, idempotency_key=idempotency_key, channel=channel, now=utcnow()
    )
    body = verification.stamp(body, code=code, lang=lang)
    result = (
        transport.send(
            OutgoingMessage(
                channel=channel, to=to, body=body, subject=subject, idempotency_key=idempotency_key
            )
        )
        if transport is not None
        else None
    )
    sent = result is not None and result.status in ("sent", "delivered")
    if sent:
        verification.mark_sent(db_session=db_session, idempotency_key=idempotency_key, at=utcnow())
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.requested_sent" if sent else "outreach.requested_failed",
        object_type="debtor",
        object_id=debtor_id,
        change={"channel": channel, "to_index": context.address_index(to), "key": idempotency_key},
        detail={
            "channel": channel,
            "configured": transport is not None,
            "error": result.error if result is not None and not sent else None,
        },
    )
    return sent


def check_chat(
    *,
    db_session: Session,
    case_id: int,
    text: str,
    at: datetime,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
) -> Decision:
    """Judge an agent's live-chat reply in the debtor's portal before it is delivered.

    The same engine and tone check (outreach's default checker unless one is given) as any
    written message; the person is the one the portal
    verified (a signed-in debtor), so identity counts as verified. Nothing is relaxed: a rule
    that blocks (hours included) blocks the reply, and the agent is told why.
    """
    comm = context.build(
        db_session=db_session,
        case_id=case_id,
        channel="portal_chat",
        to="",
        text=text,
        kind="chat_reply",
        at=at,
        automated=False,
    )
    comm = replace(comm, identity_verified=True)
    tone = tone if tone is not None else default_tone_checker()
    flags = list(tone(text, comm.lang)) if tone is not None and text else []
    return evaluate(comm, packs, tone_flags=flags)


# Team dashboard (the console's supervisor page) ---------------------------------------------


def status_counts(*, db_session: Session, case_ids: Select[Any]) -> dict[str, int]:
    """Outbox messages of these cases by status (``review`` is the compliance backlog)."""
    rows = db_session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.case_id.in_(case_ids))
        .group_by(OutboxMessage.status)
    ).all()
    return {status: int(count) for status, count in rows}


def blocks_by_rule(*, db_session: Session, case_ids: Select[Any]) -> dict[str, int]:
    """How often each rule blocked a message of these cases, most frequent first."""
    counts: dict[str, int] = {}
    for reasons in db_session.scalars(
        select(OutboxMessage.reasons).where(
            OutboxMessage.case_id.in_(case_ids), OutboxMessage.status == "blocked"
        )
    ):
        for reason in reasons or []:
            if reason.get("severity") == "block":
                counts[reason["rule"]] = counts.get(reason["rule"], 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def call_outcomes(*, db_session: Session, case_ids: Select[Any]) -> dict[str, int]:
    """Logged calls of these cases by outcome (``conversation`` is a right-party contact)."""
    rows = db_session.execute(
        select(ContactLog.outcome, func.count())
        .where(ContactLog.case_id.in_(case_ids), ContactLog.channel == "call")
        .group_by(ContactLog.outcome)
    ).all()
    return {str(outcome): int(count) for outcome, count in rows}


def list_messages(
    *, db_session: Session, case_ids: Select[Any], statuses: tuple[str, ...], limit: int = 100
) -> list[OutboxMessage]:
    """Messages of these cases in these statuses, newest first (the compliance queue)."""
    return list(
        db_session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.case_id.in_(case_ids), OutboxMessage.status.in_(statuses))
            .order_by(OutboxMessage.updated_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def look_up_verification_code(
    *, db_session: Session, code: str
) -> verification.VerifiedMessage | None:
    """Did the agency send a message with this /verify code? When and by which channel only."""
    return verification.look_up(db_session=db_session, code=code)


def render_template(
    *, kind: str, lang: str, channel: str, ctx: compose.TemplateContext
) -> compose.Rendered:
    """A message template's subject and body for a context (read-only; stores nothing).
    ``kind`` is one of ``TEMPLATE_KINDS``; a language without templates falls back to English."""
    return compose.render(kind, lang if lang in compose.LANGS else "en", channel=channel, ctx=ctx)


# Texts outside any case (reputation's public replies) -------------------------------------


def check_text(
    *,
    jurisdiction: str,
    channel: str,
    text: str,
    lang: str,
    kind: str = "free_text",
    identity_verified: bool = False,
    packs: PackSet | None = None,
    tone: ToneFn | None = None,
) -> tuple[Decision, list[Any]]:
    """Judge a text that belongs to no case (e.g. reputation's public reply to a mention) with
    the engine and the tone check, as ``concilia outreach check`` does: (verdict, tone flags).
    ValueError (pydantic's) for a jurisdiction, channel or language the engine does not know."""
    msg = MessageIn(
        jurisdiction=jurisdiction,
        channel=channel,
        visibility="private",
        identity_verified=identity_verified,
        text=text,
        lang=lang,
        kind=kind,
        automated=False,
    )
    tone = tone if tone is not None else default_tone_checker()
    return check_message(msg, packs=packs, tone=tone)


def start_fake_providers() -> AbstractContextManager[fake_providers.FakeProviders]:
    """Local fakes of Twilio, the WhatsApp Cloud API and Meta's Send API on loopback, for
    demos (nothing leaves the machine): ``with start_fake_providers() as fakes:``, then
    ``fakes.environment()`` is the CONCILIA_OUTREACH_* settings a worker sends through."""
    return fake_providers.running()
