"""Live chat of a case between the debtor and an agent: messages with ids (so a reconnect
resumes without loss or duplicates), agent replies checked by outreach before delivery.

Text is personal data: stored encrypted; the audit keeps who, when and the verdict only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.errors import InputProblem, InvalidInput
from concilia.outreach import service as outreach_service
from concilia.outreach.service import ToneFn
from concilia.portal import assistant, casework, views
from concilia.portal.models import ChatHandoff, ChatMessage
from concilia.portal.settings import get_portal_settings
from concilia.signals import service as signals_service

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


def read_text(text: str) -> signals_service.Reading:
    """The special-category guard's reading of a debtor's text, to take before the unit of
    work that posts it (``post_from_debtor``'s ``reading``)."""
    return signals_service.read_debtor_text(_text(text))


def post_from_debtor(
    *,
    db_session: Session,
    case_id: int,
    debtor_actor: str,
    text: str,
    at: datetime,
    reading: signals_service.Reading | None = None,
) -> ChatMessage:
    """A message from the signed-in debtor (the caller checked the case is theirs).

    A message revealing a special category (health, religion...) is stored redacted and the
    case flagged as possibly vulnerable: agents see the flag, never the detail."""
    screened = signals_service.screen_debtor_text(
        db_session=db_session, case_id=case_id, text=_text(text), channel="portal_chat",
        actor=debtor_actor, reading=reading,
    )  # fmt: skip
    stored = screened.text if screened.text is not None else signals_service.REDACTED
    return _store(
        db_session, case_id=case_id, sender="debtor", author=debtor_actor, text=stored,
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
    if msg.sender == "assistant":
        # Every answer offers a person, except the confirmation that one was asked for.
        intents = [r.get("intent") for r in msg.reasons]
        out["handoff_offer"] = "handoff_done" not in intents
    return out


# The assistant and hand-offs ----------------------------------------------------------------

ASSISTANT = "portal:assistant"


def assistant_due(at: datetime) -> bool:
    """Does the assistant answer now? Outside agents' hours (weekdays, local time), unless
    the settings say always or never."""
    settings = get_portal_settings()
    if settings.assistant in ("always", "never"):
        return settings.assistant == "always"
    local = at.astimezone(ZoneInfo(settings.agent_time_zone))
    working = local.weekday() < 5 and settings.agent_hours_from <= local.hour
    return not (working and local.hour < settings.agent_hours_to)


def _ledger_facts(db_session: Session, debtor_id: int, case_id: int) -> Any:
    """The figures the assistant may quote, from the ledger only, written each way."""
    view = casework.view_debt(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    pending = [i for i in view.plan or [] if i.status not in ("paid", "cancelled")]
    paid = view.since_itemization.get("payments")
    settings = get_portal_settings()

    def facts(lang: str) -> dict[str, str]:
        return {
            "balance": views.money(view.balance["total"], lang),
            "creditor": view.creditor,
            "paid": views.money(paid, lang) if paid is not None else "",
            "next_due": views.day(pending[0].due_on, lang) if pending else "",
            "next_amount": views.money(pending[0].amount, lang) if pending else "",
            "hours_from": str(settings.agent_hours_from),
            "hours_to": str(settings.agent_hours_to),
        }

    return facts


def answer_as_assistant(
    *, db_session: Session, case_id: int, debtor_id: int, question: str, lang: str, at: datetime
) -> ChatMessage:
    """The assistant's reply to the debtor's question: an FAQ answer, figures from the ledger."""
    found = assistant.reply(
        question=question, lang=lang, facts=_ledger_facts(db_session, debtor_id, case_id)
    )
    meta = [{"intent": found.intent, "score": round(found.score, 3), "lang": found.lang}]
    return _store(
        db_session, case_id=case_id, sender="assistant", author=ASSISTANT, text=found.text,
        status="delivered", reasons=meta, at=at,
    )  # fmt: skip


def request_handoff(
    *, db_session: Session, case_id: int, debtor_actor: str, lang: str, at: datetime
) -> ChatMessage:
    """The debtor wants a person: a hand-off in the agents' inbox (one open per case) and
    the assistant's confirmation in the chat."""
    open_one = db_session.scalar(
        select(ChatHandoff).where(ChatHandoff.case_id == case_id, ChatHandoff.status == "open")
    )
    if open_one is None:
        open_one = ChatHandoff(case_id=case_id, status="open", created_at=at)
        db_session.add(open_one)
        db_session.flush()
        audit_service.record(
            db_session=db_session,
            actor=debtor_actor,
            action="portal.chat_handoff_requested",
            object_type="case",
            object_id=case_id,
            change={"handoff": open_one.id},
            detail={"handoff_id": open_one.id},
        )
    text = assistant.HANDOFF_DONE.get(lang, assistant.HANDOFF_DONE["en"])
    return _store(
        db_session, case_id=case_id, sender="assistant", author=ASSISTANT, text=text,
        status="delivered", reasons=[{"intent": "handoff_done"}], at=at,
    )  # fmt: skip


def take_handoffs(*, db_session: Session, case_id: int, agent_actor: str, at: datetime) -> int:
    """An agent takes the case's open hand-offs (audited); how many were open."""
    rows = list(
        db_session.scalars(
            select(ChatHandoff).where(ChatHandoff.case_id == case_id, ChatHandoff.status == "open")
        )
    )
    for row in rows:
        row.status, row.taken_by, row.taken_at = "taken", agent_actor, at
        audit_service.record(
            db_session=db_session,
            actor=agent_actor,
            action="portal.chat_handoff_taken",
            object_type="case",
            object_id=case_id,
            change={"handoff": row.id},
            detail={"handoff_id": row.id},
        )
    db_session.flush()
    return len(rows)


@dataclass(frozen=True)
class Conversation:
    """A case's chat as the agents' inbox lists it."""

    case_id: int
    last_at: datetime
    last_sender: str
    messages: int
    handoff_open: bool


def conversations(
    *, db_session: Session, case_ids: Select[Any], since: datetime, limit: int = 100
) -> list[Conversation]:
    """Chats of these cases active since ``since`` (or with an open hand-off): hand-offs
    first, then those whose last word is the debtor's, newest first."""
    handoffs = set(
        db_session.scalars(
            select(ChatHandoff.case_id).where(
                ChatHandoff.status == "open", ChatHandoff.case_id.in_(case_ids)
            )
        )
    )
    rows = db_session.execute(
        select(ChatMessage.case_id, func.max(ChatMessage.id), func.count())
        .where(ChatMessage.case_id.in_(case_ids), ChatMessage.status == "delivered")
        .group_by(ChatMessage.case_id)
    ).all()
    last_ids = {int(case_id): (int(last), int(n)) for case_id, last, n in rows}
    lasts = {
        m.id: m
        for m in db_session.scalars(
            select(ChatMessage).where(ChatMessage.id.in_([v[0] for v in last_ids.values()]))
        )
    }
    out = []
    for case_id, (last_id, count) in last_ids.items():
        last = lasts[last_id]
        if last.created_at < since and case_id not in handoffs:
            continue
        out.append(Conversation(case_id, last.created_at, last.sender, count, case_id in handoffs))
    out.sort(key=lambda c: (not c.handoff_open, c.last_sender == "agent", -c.last_at.timestamp()))
    return out[:limit]


# Transcript --------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptLine:
    """One message of a case's chat, for staff (the timeline): blocked ones with reasons."""

    id: int
    at: datetime
    sender: str
    author: str
    text: str
    status: str
    reasons: list[str]


def transcript(*, db_session: Session, case_id: int) -> list[TranscriptLine]:
    """The case's whole chat, oldest first (blocked agent messages included, marked)."""
    rows = history(db_session=db_session, case_id=case_id, after_id=0, for_agent=True, limit=10_000)
    return [
        TranscriptLine(
            id=m.id,
            at=m.created_at,
            sender=m.sender,
            author=m.author,
            text=payload(m, for_agent=True)["text"],
            status=m.status,
            reasons=[str(r.get("explanation", r.get("rule"))) for r in m.reasons if r.get("rule")],
        )
        for m in rows
    ]
