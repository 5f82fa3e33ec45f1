"""Chat over WebSockets: the debtor's socket (portal session) and the agent's (bearer token
or staff session), one case each; messages fan out through the broker.

Protocol: the client sends ``{"text": "..."}``; the server sends ``{"type": "message", "id",
"sender", "text", "at", "status"}`` for every delivered message (the sender's own included:
that is its acknowledgement), and to an agent whose reply was refused ``{"type": "blocked",
..., "reasons": [...]}``. Connect with ``?after=<last id received>`` to resume: the server
sends what came after it, then live messages, each id at most once.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from concilia.auth import service as auth_service
from concilia.auth.dependencies import DbSession
from concilia.config import get_settings
from concilia.db import begin_write, session_scope, utcnow
from concilia.errors import ConciliaError, NotFound
from concilia.portal import assistant, casework, chat, entry, views
from concilia.portal.broker import get_broker
from concilia.portal.settings import get_portal_settings
from concilia.portfolio import service as portfolio_service

router = APIRouter(include_in_schema=False)
NOT_ALLOWED = 4404  # the same close code for "no such case" and "not yours"
# The chat's clock; tests pin it, since the hours rules judge every agent reply.
clock = utcnow


def _same_origin(ws: WebSocket) -> bool:
    # A browser always sends Origin on a WebSocket: another site's page must not ride the
    # debtor's or agent's cookies (cross-site WebSocket hijacking).
    origin = ws.headers.get("origin")
    if origin is None:
        return True
    host = ws.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


def _after(ws: WebSocket) -> int:
    raw = ws.query_params.get("after", "0")
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


@dataclass(frozen=True)
class Debtor:
    actor: str
    debtor_id: int
    lang: str


def _debtor_of(ws: WebSocket, case_id: int) -> Debtor | None:
    """The debtor (audit actor, id, language) if the portal session owns the case, else None."""
    clear = ws.cookies.get(get_portal_settings().session_cookie_name)
    with session_scope(ws.app.state.session_factory) as db_session:
        now = utcnow()
        session = entry.get_session(db_session=db_session, clear=clear, now=now)
        seen = ws.cookies.get(views.SEEN_COOKIE)
        if session is None or not clear or views.idle(clear, seen, now):
            return None
        try:
            casework.get_case_for_debtor(
                db_session=db_session, debtor_id=session.debtor_id, case_id=case_id
            )
        except NotFound:
            return None
        return Debtor(entry.debtor_actor(session.debtor_id), session.debtor_id, session.lang)


def _agent_of(ws: WebSocket, case_id: int) -> tuple[str, bool] | None:
    """(actor, may write) for a staff member who may see the case, else None."""
    authorization = ws.headers.get("authorization", "")
    with session_scope(ws.app.state.session_factory) as db_session:
        principal = None
        if authorization.lower().startswith("bearer "):
            principal = auth_service.principal_from_token(
                db_session=db_session, clear=authorization[7:].strip()
            )
        else:
            cookie = ws.cookies.get(get_settings().session_cookie_name)
            found = (
                auth_service.get_web_session(db_session=db_session, clear=cookie)
                if cookie
                else None
            )
            principal = auth_service.principal_for(found[1], "session") if found else None
        if principal is None:
            return None
        try:
            portfolio_service.get_case_for_principal(
                db_session=db_session, principal=principal, case_id=case_id
            )
        except NotFound:
            return None
        return principal.actor, principal.role.value != "auditor"


def _history(ws: WebSocket, case_id: int, after: int, for_agent: bool) -> list[dict[str, Any]]:
    with session_scope(ws.app.state.session_factory) as db_session:
        rows = chat.history(
            db_session=db_session, case_id=case_id, after_id=after, for_agent=for_agent
        )
        return [chat.payload(m, for_agent=for_agent) for m in rows]


def _post(
    ws: WebSocket, case_id: int, who: Debtor | str, data: dict[str, Any]
) -> list[dict[str, Any]]:
    """Store what a client sent; the messages to deliver (or the agent's blocked one)."""
    text = str(data.get("text", ""))
    at = clock()
    # The guard reads a debtor's text before the transaction, which then writes from its
    # start: on SQLite a transaction that read first, then wrote after another socket's
    # commit, failed at once with "database is locked" (its snapshot was stale), whatever the
    # busy timeout (1 to 3 messages in 500 were refused); and the write lock is not held
    # while the guard reads.
    reading = None
    if not isinstance(who, str) and data.get("handoff") is not True:
        reading = chat.read_text(text)
    with session_scope(ws.app.state.session_factory) as db_session:
        begin_write(db_session)
        if isinstance(who, str):
            msg = chat.post_from_agent(
                db_session=db_session,
                case_id=case_id,
                agent_actor=who,
                text=text,
                at=at,
                tone=getattr(ws.app.state, "chat_tone", None),  # None: outreach default
            )
            if msg.status == "delivered":  # a person answers: the hand-off is taken
                chat.take_handoffs(db_session=db_session, case_id=case_id, agent_actor=who, at=at)
            return [chat.payload(msg, for_agent=True)]
        if data.get("handoff") is True:
            done = chat.request_handoff(
                db_session=db_session, case_id=case_id, debtor_actor=who.actor, lang=who.lang, at=at
            )
            return [chat.payload(done, for_agent=False)]
        msg = chat.post_from_debtor(
            db_session=db_session, case_id=case_id, debtor_actor=who.actor, text=text, at=at,
            reading=reading,
        )  # fmt: skip
        out = [chat.payload(msg, for_agent=False)]
        if chat.assistant_due(at):
            answer = chat.answer_as_assistant(
                db_session=db_session, case_id=case_id, debtor_id=who.debtor_id,
                question=text, lang=who.lang, at=at,
            )  # fmt: skip
            out.append(chat.payload(answer, for_agent=False))
        return out


# A write that found the database busy (SQLite's single writer: "database is locked" after
# its busy timeout) is tried again: nothing of it was committed.
POST_ATTEMPTS = 3


async def _post_retrying(
    ws: WebSocket, case_id: int, who: Debtor | str, data: Any
) -> list[dict[str, Any]]:
    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            return await run_in_threadpool(
                _post, ws, case_id, who, data if isinstance(data, dict) else {}
            )
        except OperationalError:
            if attempt == POST_ATTEMPTS:
                raise
            await asyncio.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


async def _serve(ws: WebSocket, case_id: int, who: Debtor | str, may_write: bool) -> None:
    for_agent = isinstance(who, str)
    sending = asyncio.Lock()
    seen: set[int] = set()

    async def send(message: dict[str, Any]) -> None:
        async with sending:
            await ws.send_json(message)

    async def deliver(message: dict[str, Any]) -> None:
        # Each id at most once, whichever way it came first (backlog, broker, own post).
        if message["id"] not in seen:
            seen.add(message["id"])
            await send(message)

    async with get_broker().subscribe(case_id) as queue:
        # Subscribed before reading the backlog: a message posted in between is in both,
        # and ``seen`` drops the second copy.
        for message in await run_in_threadpool(_history, ws, case_id, _after(ws), for_agent):
            await deliver(message)

        async def forward() -> None:
            while True:
                await deliver(await queue.get())

        pump = asyncio.create_task(forward())
        try:
            while True:
                data = await ws.receive_json()
                if not may_write:
                    await send({"type": "error", "detail": "read-only access"})
                    continue
                try:
                    posted = await _post_retrying(ws, case_id, who, data)
                except ConciliaError as exc:
                    await send({"type": "error", "detail": exc.detail})
                    continue
                except OperationalError:
                    # The database stayed busy: this message is refused, the socket lives on
                    # (an error here used to close it, and every later message was lost).
                    await send({"type": "error", "detail": "busy, please send it again"})
                    continue
                for message in posted:
                    if message["status"] == "delivered":
                        # The writer's own copy first and directly: its acknowledgement does not
                        # wait for, nor depend on, the round trip through the broker.
                        await deliver(message)
                        await get_broker().publish(case_id, message)
                    else:
                        seen.add(message["id"])
                        await send({**message, "type": "blocked"})
        except WebSocketDisconnect:
            pass
        finally:
            pump.cancel()


_warming = threading.Event()


def _warm_assistant_soon() -> None:
    """Out of hours, load the assistant's model when the first debtor opens a chat (tens of
    seconds on a busy machine), so that their first question does not wait for it."""
    if not _warming.is_set() and chat.assistant_due(clock()):
        _warming.set()
        threading.Thread(target=assistant.warm, name="assistant-warm", daemon=True).start()


@router.websocket("/portal/cases/{case_id}/chat/ws")
async def debtor_socket(ws: WebSocket, case_id: int) -> None:
    """The debtor's side of the chat of one of their cases."""
    debtor = await run_in_threadpool(_debtor_of, ws, case_id) if _same_origin(ws) else None
    if debtor is None:
        await ws.close(code=NOT_ALLOWED)
        return
    await ws.accept()
    _warm_assistant_soon()
    await _serve(ws, case_id, debtor, True)


@router.websocket("/api/portal/cases/{case_id}/chat/ws")
async def agent_socket(ws: WebSocket, case_id: int) -> None:
    """The agent's side: a case of the agent's teams; auditors read only."""
    found = await run_in_threadpool(_agent_of, ws, case_id) if _same_origin(ws) else None
    if found is None:
        await ws.close(code=NOT_ALLOWED)
        return
    await ws.accept()
    await _serve(ws, case_id, found[0], found[1])


@router.get("/portal/cases/{case_id}/chat")
def chat_page(case_id: int, request: Request, db_session: DbSession) -> Response:
    """The debtor's chat page (the socket does the rest, from /portal/static/chat.js)."""
    session = views.current_session(request, db_session)
    lang = views.lang_of(request, session.lang if session else None)
    if session is None:
        return views.to_entry(request)
    try:
        casework.get_case_for_debtor(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id
        )
    except NotFound:
        return views.not_found(request, lang)
    return views.render(
        request, "chat.html", lang, signed_in=True, csrf=session.csrf_token, case_id=case_id
    )
