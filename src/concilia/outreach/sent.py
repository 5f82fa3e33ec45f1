"""What a message's send changes, written the same way whoever learns of it: the worker that
sent it, or a provider's webhook that names a message whose send was never recorded (its
worker died after the provider accepted it and before the commit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.outreach.models import OutboxMessage
from concilia.outreach.service import log_contact
from concilia.portfolio import service as portfolio_service

VALIDATION_NOTICE_KIND = "validation_notice"
# Written to an outbox message's last_error: its send may have reached the provider, nobody
# knows (a worker died or failed during it). See outbox.send_one.
INTERRUPTED = "interrupted: "
# A provider without idempotency: the resend waits for webhooks that would prove the first
# send went, then goes (docs/outreach.md, "Crash safety").
UNCONFIRMED = "unconfirmed: "

# Writes an audit entry now, or later (a worker writes a batch's entries just before its
# commit, so the audit chain's lock is held for those inserts only, not during the sends).
AuditFn = Callable[..., None]


def audit_now(db_session: Session) -> AuditFn:
    """An :data:`AuditFn` that writes each entry at once."""

    def write(**entry: Any) -> None:
        audit_service.record(db_session=db_session, **entry)

    return write


def audit_message(
    audit: AuditFn, msg: OutboxMessage, action: str, actor: str, **change: object
) -> None:
    """An outbox message's audit entry (no personal data in the clear detail)."""
    audit(
        actor=actor,
        action=action,
        object_type="outbox_message",
        object_id=msg.id,
        change={"status": msg.status, **change},
        detail={"case_id": msg.case_id, "channel": msg.channel, "status": msg.status},
    )


def failure_reason(rule: str, explanation: str) -> dict[str, str]:
    """A reason shown with the message (the console lists a message's reasons)."""
    return {
        "rule": rule,
        "citation": "-",
        "category": "delivery",
        "severity": "block",
        "explanation": explanation,
    }


def record_sent(
    *,
    db_session: Session,
    msg: OutboxMessage,
    provider_id: str | None,
    status: str,
    at: datetime,
    actor: str,
    audit: AuditFn,
    recovered: bool = False,
) -> None:
    """The message went: its status, the case's contact log and audit, and (a validation
    notice) the case's notice date, which later messages are judged by."""
    msg.status = status
    msg.provider_id = provider_id
    msg.sent_at = at
    msg.updated_at = at
    msg.next_attempt_at = None
    msg.last_error = None
    msg.lease_owner = None
    msg.lease_expires_at = None
    msg.attempts = max(msg.attempts, 1)
    log_contact(
        db_session=db_session,
        case_id=msg.case_id,
        channel=msg.channel,
        direction="out",
        recipient=msg.recipient,
        at=at,
        outbox_id=msg.id,
        actor=actor,
    )
    extra: dict[str, object] = {"recovered": True} if recovered else {}
    audit_message(audit, msg, "outreach.sent", actor, attempts=msg.attempts, **extra)
    if msg.kind == VALIDATION_NOTICE_KIND:
        # The case now holds the notice (12 CFR 1006.34), which later messages are judged by.
        case = portfolio_service.get_case(db_session=db_session, case_id=msg.case_id)
        if case.validation_notice_at is None:
            portfolio_service.record_validation_notice(
                db_session=db_session, case=case, sent_on=at.date(), actor=actor
            )
