"""Outreach's answer for a data subject (see ``concilia.privacy.contract``).

Erasure keeps the trace that a contact happened (channel, kind, when, verdict, outcome):
the frequency and hour rules are rules the agency must be able to prove it kept, and a
complaint or claim about harassment is defended with exactly that record (art. 17(3)(e)).
What the messages said and where they went goes: bodies, subjects, reply texts, addresses
(re-encrypted as a marker, so readers still decrypt something) and their blind indexes.
Messages not yet sent are cancelled. Opt-outs stay, without the address index: keeping
"this person said no to e-mail" is how the objection keeps being honoured (art. 21(3)).
An objection (art. 21) cancels the queued social-channel messages only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.outreach.context import ADDRESS_CONTEXT
from concilia.outreach.models import (
    ContactLog,
    DeliveryEvent,
    IdentityCheck,
    InboundReply,
    OptInEntry,
    OptOutEntry,
    OutboxMessage,
)
from concilia.outreach.rules.model import SOCIAL_CHANNELS, Reason
from concilia.portfolio import service as portfolio_service
from concilia.tracing import service as tracing_service

ERASED = "[erased]"
# Statuses that have not left the agency yet: erasure or objection stops them.
_UNSENT = ("queued", "review", "blocked", "sending")
_CLAIM = "art. 17(3)(e) GDPR: proof that contact rules were kept (claims, complaints)"
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "outreach_outbox": (
        "channel, kind, language, status, verdict and reasons, dates; body, subject, address "
        "and its index erased; unsent messages cancelled",
        _CLAIM,
    ),
    "outreach_contact_log": ("every row (channel, direction, time, outcome; no content)", _CLAIM),
    "outreach_replies": ("channel and time received; text, sender and its index erased", _CLAIM),
    "outreach_opt_outs": (
        "the opt-out, made channel-wide: its address index is removed",
        "art. 21(3) GDPR: an objection to contact must keep being honoured",
    ),
    "outreach_identity_checks": ("nothing", "deleted: served only messages to erased addresses"),
    "outreach_opt_ins": ("nothing", "deleted: consent to be messaged ends with the address"),
    "outreach_delivery_events": (
        "status and time of each delivery event; the provider's detail text erased",
        _CLAIM,
    ),
}
_BASIS = "art. 6(1)(f) GDPR (legitimate interest in recovering the debt)"


def _decrypt(token: str) -> str:
    return crypto.decrypt(token, context=ADDRESS_CONTEXT)


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """Messages (with where they went), contacts and calls, replies, opt-outs, checks."""
    ids = list(case_ids)
    items: list[dict[str, Any]] = []

    def add(table: str, record_id: int, data: dict[str, Any], provenance: dict[str, Any]) -> None:
        items.append(
            {
                "domain": "outreach",
                "table": table,
                "record_id": record_id,
                "data": data,
                "provenance": provenance,
                "purposes": ["debt_recovery"],
                "legal_basis": _BASIS,
                "retain_until": None,
            }
        )

    for m in db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id.in_(ids)).order_by(OutboxMessage.id)
    ):
        add(
            "outreach_outbox",
            m.id,
            {
                "case_id": m.case_id,
                "channel": m.channel,
                "kind": m.kind,
                "to": _decrypt(m.to_encrypted),
                "subject": m.subject,
                "body": m.body,
                "status": m.status,
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            },
            {"written_by": m.created_by, "address_source": m.address_source},
        )
    for e in db_session.scalars(
        select(DeliveryEvent)
        .join(OutboxMessage, OutboxMessage.id == DeliveryEvent.outbox_id)
        .where(OutboxMessage.case_id.in_(ids))
        .order_by(DeliveryEvent.id)
    ):
        add(
            "outreach_delivery_events",
            e.id,
            {"status": e.status, "detail": e.detail, "at": e.received_at.isoformat()},
            {"reported_by": e.channel},
        )
    for c in db_session.scalars(
        select(ContactLog).where(ContactLog.case_id.in_(ids)).order_by(ContactLog.id)
    ):
        add(
            "outreach_contact_log",
            c.id,
            {
                "channel": c.channel,
                "direction": c.direction,
                "at": c.at.isoformat(),
                "outcome": c.outcome,
                "conversation": c.conversation,
            },
            {"recorded_by": c.actor},
        )
    for r in db_session.scalars(
        select(InboundReply).where(InboundReply.case_id.in_(ids)).order_by(InboundReply.id)
    ):
        add(
            "outreach_replies",
            r.id,
            {
                "channel": r.channel,
                "from": _decrypt(r.sender_encrypted),
                "text": r.text,
                "received_at": r.received_at.isoformat(),
            },
            {"received_through": r.channel},
        )
    for o in db_session.scalars(select(OptOutEntry).where(OptOutEntry.debtor_id == debtor_id)):
        add(
            "outreach_opt_outs",
            o.id,
            {
                "channel": o.channel,
                "whole_channel": o.address_index is None,
                "at": o.created_at.isoformat(),
            },
            {"source": o.source},
        )
    for consent in db_session.scalars(select(OptInEntry).where(OptInEntry.debtor_id == debtor_id)):
        add(
            "outreach_opt_ins",
            consent.id,
            {"channel": consent.channel, "at": consent.created_at.isoformat()},
            {"source": consent.source, "recorded_by": consent.actor},
        )
    for i in db_session.scalars(select(IdentityCheck).where(IdentityCheck.debtor_id == debtor_id)):
        add(
            "outreach_identity_checks",
            i.id,
            {"channel": i.channel, "method": i.method, "verified_at": i.verified_at.isoformat()},
            {"verified_by": i.actor},
        )
    return items


def _outcome(table: str, action: str, rows: int) -> dict[str, Any]:
    keeps, ground = PERSONAL_DATA[table]
    return {
        "domain": "outreach",
        "table": table,
        "action": action,
        "rows": rows,
        "keeps": keeps,
        "legal_ground": ground,
    }


def erase_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
    actor: str,
    now: datetime,
    scope: str,
) -> list[dict[str, Any]]:
    """Redact messages and replies, drop address indexes and identity checks (see module)."""
    ids = list(case_ids)
    messages = list(db_session.scalars(select(OutboxMessage).where(OutboxMessage.case_id.in_(ids))))
    if scope == "objection":
        cancelled = 0
        for m in messages:
            if m.channel in SOCIAL_CHANNELS and m.status in _UNSENT:
                m.status, m.updated_at, cancelled = "cancelled", now, cancelled + 1
        db_session.flush()
        return [_outcome("outreach_outbox", "kept", cancelled)]
    marker = crypto.encrypt(ERASED, context=ADDRESS_CONTEXT)
    for m in messages:
        if m.status in _UNSENT:
            m.status = "cancelled"
        m.body, m.subject, m.last_error = ERASED, "", None
        m.to_encrypted, m.to_index = marker, ERASED
        m.updated_at = now
    replies = list(db_session.scalars(select(InboundReply).where(InboundReply.case_id.in_(ids))))
    for r in replies:
        r.text, r.sender_encrypted, r.sender_index = ERASED, marker, ERASED
    opt_outs = list(
        db_session.scalars(select(OptOutEntry).where(OptOutEntry.debtor_id == debtor_id))
    )
    for o in opt_outs:
        o.address_index = None
    checks = db_session.execute(delete(IdentityCheck).where(IdentityCheck.debtor_id == debtor_id))
    opt_ins = db_session.execute(delete(OptInEntry).where(OptInEntry.debtor_id == debtor_id))
    # A provider's bounce text may quote the address.
    events = list(
        db_session.scalars(
            select(DeliveryEvent).where(DeliveryEvent.outbox_id.in_([m.id for m in messages]))
        )
    )
    for e in events:
        e.detail = None
    contacts = len(
        list(db_session.scalars(select(ContactLog.id).where(ContactLog.case_id.in_(ids))))
    )
    db_session.flush()
    return [
        _outcome("outreach_outbox", "redacted", len(messages)),
        _outcome("outreach_contact_log", "kept", contacts),
        _outcome("outreach_replies", "redacted", len(replies)),
        _outcome("outreach_opt_outs", "redacted", len(opt_outs)),
        _outcome("outreach_identity_checks", "deleted", int(getattr(checks, "rowcount", 0) or 0)),
        _outcome("outreach_opt_ins", "deleted", int(getattr(opt_ins, "rowcount", 0) or 0)),
        _outcome("outreach_delivery_events", "redacted", len(events)),
    ]


def purge_before(*, db_session: Session, before: datetime, dry_run: bool) -> dict[str, int]:
    """Redact message bodies and reply texts older than ``before`` (the retention schedule);
    sent messages only: an unsent one is still work in progress."""
    messages = list(
        db_session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.created_at < before,
                OutboxMessage.body != ERASED,
                OutboxMessage.status.not_in(_UNSENT),
            )
        )
    )
    replies = list(
        db_session.scalars(
            select(InboundReply).where(
                InboundReply.received_at < before, InboundReply.text != ERASED
            )
        )
    )
    if not dry_run and (messages or replies):
        marker = crypto.encrypt(ERASED, context=ADDRESS_CONTEXT)
        for m in messages:
            m.body, m.subject, m.last_error, m.to_encrypted, m.to_index = (
                ERASED,
                "",
                None,
                marker,
                ERASED,
            )
        for r in replies:
            r.text, r.sender_encrypted, r.sender_index = ERASED, marker, ERASED
        db_session.flush()
    return {"outreach_outbox": len(messages), "outreach_replies": len(replies)}


# GDPR art. 14 ------------------------------------------------------------------------------
# The information notice owed to a person whose data was not obtained from them (public
# profiles, inferences) travels as an outreach message of this kind; privacy composes it
# (FR/ES/EN) and tracks its deadline. Outreach keeps the gate because outreach owns the
# messages: privacy sits above outreach (it exports outreach's data), so the check cannot
# call into privacy; everything it needs (earlier notices) is in outreach's own table, and
# whether social data is in use comes from tracing, below outreach.
NOTICE_KIND = "privacy_notice"
# A message "includes" the notice when it carries the notice's heading (every language's
# template has one of these).
NOTICE_MARKERS = ("GDPR art. 14", "RGPD art. 14")
_NOT_DELIVERED = ("cancelled", "failed", "blocked")


def _case_ids_of(db_session: Session, debtor_id: int) -> list[int]:
    debts = portfolio_service.list_debts_of_debtor(db_session=db_session, debtor_id=debtor_id)
    return [
        portfolio_service.get_case_for_debt(db_session=db_session, debt_id=d.id).id for d in debts
    ]


def notice_sent_at(*, db_session: Session, debtor_id: int) -> tuple[datetime, str] | None:
    """When (and by which channel) the art. 14 notice left for the person, if it has: the
    earliest notice message sent, or an ordinary message that carried it."""
    ids = _case_ids_of(db_session, debtor_id)
    found: tuple[datetime, str] | None = None
    for m in db_session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id.in_(ids), OutboxMessage.sent_at.is_not(None)
        )
    ):
        carries = m.kind == NOTICE_KIND or any(marker in m.body for marker in NOTICE_MARKERS)
        if carries and m.sent_at is not None and (found is None or m.sent_at < found[0]):
            found = (m.sent_at, m.channel)
    return found


def notice_reasons(
    *, db_session: Session, case_id: int, kind: str, body: str, profiled: bool | None = None
) -> list[Reason]:
    """Why a message may not go (art. 14), or nothing: once the person's social data is in
    use (a public profile accepted as theirs), a message must be the notice, carry it, or
    follow one queued or sent. Outreach's decision adds this to the rules' verdict, at
    queueing and at every send (a notice that went meanwhile lifts it)."""
    debtor_id = portfolio_service.get_debt(
        db_session=db_session,
        debt_id=portfolio_service.get_case(db_session=db_session, case_id=case_id).debt_id,
    ).debtor_id
    if kind == NOTICE_KIND or any(marker in body for marker in NOTICE_MARKERS):
        return []
    # ``profiled``: whether a profile is accepted as the debtor's, when the caller knows.
    if profiled is False:
        return []
    if profiled is None and not tracing_service.accepted_profiles_by_debtor(
        db_session=db_session, debtor_keys=[str(debtor_id)]
    ):
        return []
    earlier = db_session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.case_id.in_(_case_ids_of(db_session, debtor_id)),
            OutboxMessage.kind == NOTICE_KIND,
            OutboxMessage.status.not_in(_NOT_DELIVERED),
        )
        .limit(1)
    )
    if earlier is not None:
        return []
    return [
        Reason(
            rule="GDPR-ART14",
            citation="GDPR art. 14(3)(b): the notice at the latest at the first communication",
            category="privacy",
            severity="block",
            explanation=(
                "this person's public social data is in use and they have not been told: send "
                "the information notice first (concilia privacy notices --send) or include it"
            ),
        )
    ]
