"""One timeline of a case, newest first, gathered from every domain through its service."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.console.schemas import TimelineItem
from concilia.outreach import service as outreach_service
from concilia.portal import service as portal_service
from concilia.tracing import service as tracing_service


def timeline(
    *,
    db_session: Session,
    case: Any,
    messages: list[Any] | None = None,
    candidates: list[Any] | None = None,
    evidence: list[Any] | None = None,
) -> list[TimelineItem]:
    """Everything that happened on a case, newest first: messages, replies, calls, the
    portal chat, decisions, evidence with provenance, audit. The case page passes the
    messages, candidates and evidence it already read (None: read here)."""
    debtor_key = str(case.debt.debtor_id)
    if messages is None:
        messages = outreach_service.list_case_messages(db_session=db_session, case_id=case.id)
    if candidates is None:
        candidates = tracing_service.list_candidates(
            db_session=db_session, debtor_keys=[debtor_key], status=None
        )
    if evidence is None:
        evidence = tracing_service.list_evidence(db_session=db_session, debtor_key=debtor_key)
    items: list[TimelineItem] = []
    for msg in messages:
        items.append(
            TimelineItem(
                at=msg.sent_at or msg.created_at,
                kind="message",
                title=f"{msg.channel} · {msg.kind} · {msg.status}",
                detail=msg.body,
                actor=msg.created_by,
            )
        )
    for reply in outreach_service.list_replies(
        db_session=db_session, case_ids=None, case_id=case.id
    ):
        items.append(
            TimelineItem(at=reply.received_at, kind="reply", title=reply.channel, detail=reply.text)
        )
    for entry in outreach_service.list_case_contacts(db_session=db_session, case_id=case.id):
        if entry.channel == "call":
            items.append(
                TimelineItem(
                    at=entry.at,
                    kind="call",
                    title=f"call · {entry.outcome or ''}",
                    actor=entry.actor,
                )
            )
    for line in portal_service.chat_transcript(db_session=db_session, case_id=case.id):
        # The portal chat, each message with who wrote it; a blocked agent reply is shown
        # with why, marked as never delivered.
        blocked = f" · {line.status}: {'; '.join(line.reasons)}" if line.reasons else ""
        items.append(
            TimelineItem(
                at=line.at,
                kind="chat",
                title=f"chat · {line.sender}{blocked}",
                detail=line.text,
                actor=line.author,
            )
        )
    objects = [("case", case.id), ("debt", case.debt_id), ("debtor", case.debt.debtor_id)]
    about = [(object_type, str(object_id)) for object_type, object_id in objects]
    for e in audit_service.entries_about(db_session=db_session, objects=about):
        items.append(TimelineItem(at=e.at, kind="audit", title=e.action, detail="", actor=e.actor))
    for cand in candidates:
        if cand.decided_at is not None:
            items.append(
                TimelineItem(
                    at=cand.decided_at,
                    kind="decision",
                    title=f"tracing · {cand.status} · {cand.network or ''} {cand.profile_key}",
                    detail=cand.reason or "",
                    actor=cand.decided_by or "",
                )
            )
    for ev in evidence:
        source = (ev.provenance or {}).get("source") or ""
        items.append(
            TimelineItem(
                at=ev.created_at,
                kind="evidence",
                title=f"evidence · {ev.kind}: {ev.value}",
                detail=f"{source} {(ev.provenance or {}).get('url') or ''}".strip(),
                actor=ev.accepted_by,
            )
        )
    items.sort(key=lambda i: i.at, reverse=True)
    return items
