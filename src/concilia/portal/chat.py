"""Live chat of a case between the debtor and an agent: messages with ids (so a reconnect
resumes without loss or duplicates), agent replies checked by outreach before delivery.

Text is personal data: stored encrypted; the audit keeps who, when and the verdict only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.errors import InputProblem, InvalidInput
from concilia.outreach import service as outreach_service
from concilia.outreach.service import ToneFn
from concilia.portal.models import ChatMessage

TEXT_CONTEXT = "portal.chat"
ERASED = "[erased]"  # the stored text of a message whose author's data was erased
MAX_TEXT = 2000


def _text(text: str) -> str:
    clean = text.strip()
    if not clean or len(clean) > MAX_TEXT:
        reason = f"between 1 and {MAX_TEXT} characters"
        raise InvalidInput(problems=[InputProblem("(chat)", 0, "text", reason)])
    return clean


def _store(
    db_session: Session,
    *,
    case_id: int,
    sender: str,
    author: str,
    text: str,
    status: str,
    reasons: list[dict[str, Any]],
    at: datetime,
) -> ChatMessage:
    msg = ChatMessage(
        case_id=case_id,
        sender=sender,
        author=author,
        body_encrypted=crypto.encrypt(text, context=TEXT_CONTEXT),
        status=status,
        reasons=reasons,
        created_at=at,
    )
    db_session.add(msg)
    db_session.flush()
    rules = [r.get("rule") for r in reasons]
    audit_service.record(
        db_session=db_session,
        actor=author,
        action=f"portal.chat_{status}",
        object_type="chat_message",
        object_id=msg.id,
        change={"case_id": case_id, "sender": sender, "status": status, "text": text},
        detail={"case_id": case_id, "sender": sender, "status": status, "rules": rules},
    )
    return msg


def post_from_debtor(
    *, db_session: Session, case_id: int, debtor_actor: str, text: str, at: datetime
) -> ChatMessage:
    """A message from the signed-in debtor (the caller checked the case is theirs)."""
    return _store(
        db_session, case_id=case_id, sender="debtor", author=debtor_actor, text=_text(text),
        status="delivered", reasons=[], at=at,
    )  # fmt: skip


def post_from_agent(
    *,
    db_session: Session,
    case_id: int,
    agent_actor: str,
    text: str,
    at: datetime,
    tone: ToneFn | None = None,
) -> ChatMessage:
    """An agent's reply: delivered only if outreach's rules and tone check let it through."""
    clean = _text(text)
    decision = outreach_service.check_chat(
        db_session=db_session, case_id=case_id, text=clean, at=at, tone=tone
    )
    blocked = decision.verdict != "allow"
    return _store(
        db_session, case_id=case_id, sender="agent", author=agent_actor, text=clean,
        status="blocked" if blocked else "delivered",
        reasons=[r.as_dict() for r in decision.reasons], at=at,
    )  # fmt: skip


def history(
    *, db_session: Session, case_id: int, after_id: int, for_agent: bool, limit: int = 500
) -> list[ChatMessage]:
    """Messages after ``after_id``, oldest first; the debtor never sees a blocked one."""
    query = select(ChatMessage).where(ChatMessage.case_id == case_id, ChatMessage.id > after_id)
    if not for_agent:
        query = query.where(ChatMessage.status == "delivered")
    return list(db_session.scalars(query.order_by(ChatMessage.id).limit(limit)))


def payload(msg: ChatMessage, *, for_agent: bool) -> dict[str, Any]:
    """What a chat client receives for one message."""
    out: dict[str, Any] = {
        "type": "message",
        "id": msg.id,
        "sender": msg.sender,
        "text": ""
        if msg.body_encrypted == ERASED
        else crypto.decrypt(msg.body_encrypted, context=TEXT_CONTEXT),
        "at": msg.created_at.isoformat(),
        "status": msg.status,
    }
    if for_agent and msg.status == "blocked":
        out["reasons"] = [r.get("explanation", r.get("rule")) for r in msg.reasons]
    return out
