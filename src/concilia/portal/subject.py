"""A data subject's portal data: export (access request) and erasure.

Erasure removes what only served the person's use of the portal (sessions, sign-ins in
progress, preferences, chat text, dispute statements and documents) and keeps what a legal
obligation needs, stripped of content: that a dispute was raised and why (its reason code),
that a payment was made (the ledger keeps the money), that a chat message existed (its time
and verdict, text erased). Attempts hold keyed hashes only and no debtor link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Delete, delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.portal import casework, chat
from concilia.portal.models import (
    ChatMessage,
    ContactPreference,
    PortalDispute,
    PortalDocument,
    PortalFlow,
    PortalPayment,
    PortalSession,
)

ERASED = chat.ERASED


def _delete(db_session: Session, statement: Delete) -> int:
    return int(cast(CursorResult[Any], db_session.execute(statement)).rowcount)


def _case_ids(db_session: Session, debtor_id: int) -> list[int]:
    return [
        c.id for c in casework.list_cases_for_debtor(db_session=db_session, debtor_id=debtor_id)
    ]


def export_debtor(*, db_session: Session, debtor_id: int) -> dict[str, Any]:
    """Everything the portal holds about a debtor, decrypted, as plain data."""
    case_ids = _case_ids(db_session, debtor_id)
    pref = casework.get_preferences(db_session=db_session, debtor_id=debtor_id)
    disputes = []
    for d in db_session.scalars(select(PortalDispute).where(PortalDispute.debtor_id == debtor_id)):
        statement = (
            crypto.decrypt(d.statement_encrypted, context=casework.STATEMENT_CONTEXT)
            if d.statement_encrypted
            else None
        )
        documents = [
            {
                "filename": doc.filename,
                "media_type": doc.media_type,
                "sha256": doc.sha256,
                "content_base64": crypto.decrypt(
                    doc.content_encrypted, context=casework.DOCUMENT_CONTEXT
                ),
            }
            for doc in casework.list_documents(db_session=db_session, dispute_id=d.id)
        ]
        disputes.append(
            {
                "case_id": d.case_id,
                "reason": d.reason,
                "status": d.status,
                "created_at": d.created_at.isoformat(),
                "statement": statement,
                "documents": documents,
            }
        )
    messages = [
        {**chat.payload(m, for_agent=False), "case_id": m.case_id}
        for m in db_session.scalars(
            select(ChatMessage).where(ChatMessage.case_id.in_(case_ids)).order_by(ChatMessage.id)
        )
        if m.body_encrypted != ERASED
    ]
    payments = [
        {
            "case_id": p.case_id,
            "amount_cents": p.amount_cents,
            "currency": p.currency,
            "status": p.status,
            "created_at": p.created_at.isoformat(),
        }
        for p in db_session.scalars(
            select(PortalPayment).where(PortalPayment.debtor_id == debtor_id)
        )
    ]
    return {
        "preferences": None
        if pref is None
        else {
            "channel": pref.channel,
            "hours_from": pref.hours_from,
            "hours_to": pref.hours_to,
            "lang": pref.lang,
        },
        "disputes": disputes,
        "chat_messages": messages,
        "payments": payments,
        "sessions": len(
            list(
                db_session.scalars(
                    select(PortalSession.id).where(PortalSession.debtor_id == debtor_id)
                )
            )
        ),
    }


def erase_debtor(
    *, db_session: Session, debtor_id: int, actor: str, now: datetime
) -> dict[str, int]:
    """Erase the debtor's portal data (see the module's note for what is kept); audited."""
    case_ids = _case_ids(db_session, debtor_id)
    counts: dict[str, int] = {}
    counts["sessions"] = _delete(
        db_session, delete(PortalSession).where(PortalSession.debtor_id == debtor_id)
    )
    counts["flows"] = _delete(
        db_session, delete(PortalFlow).where(PortalFlow.debtor_id == debtor_id)
    )
    counts["preferences"] = _delete(
        db_session, delete(ContactPreference).where(ContactPreference.debtor_id == debtor_id)
    )
    dispute_ids = list(
        db_session.scalars(select(PortalDispute.id).where(PortalDispute.debtor_id == debtor_id))
    )
    for d in db_session.scalars(select(PortalDispute).where(PortalDispute.id.in_(dispute_ids))):
        d.statement_encrypted = None
    counts["documents"] = _delete(
        db_session, delete(PortalDocument).where(PortalDocument.dispute_id.in_(dispute_ids))
    )
    erased = 0
    for m in db_session.scalars(select(ChatMessage).where(ChatMessage.case_id.in_(case_ids))):
        if m.body_encrypted != ERASED:
            m.body_encrypted, erased = ERASED, erased + 1
    counts["chat_messages"] = erased
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portal.subject_erased",
        object_type="debtor",
        object_id=debtor_id,
        change={"counts": counts, "at": now.isoformat()},
        detail=counts,
    )
    return counts
