"""The agents' side of the chat, in the staff console's layout: ``/console/chat`` lists the
open conversations (hand-offs from the assistant first) of the cases the agent may see, and
``/console/chat/{case}`` is one conversation. Replies go over the agent socket
(``/api/portal/cases/{case}/chat/ws``), where outreach's compliance and tone check judges
each one: a blocked reply is never delivered, and the agent sees why.

Served by the portal's router (it owns the chat), on the staff browser session.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from concilia import reads
from concilia.auth import service as auth_service
from concilia.auth.dependencies import DbSession
from concilia.auth.schemas import Principal
from concilia.config import get_settings
from concilia.db import utcnow
from concilia.errors import NotFound
from concilia.portal import chat
from concilia.portal.i18n import translator
from concilia.portfolio import service as portfolio_service
from concilia.web.i18n import language_of
from concilia.web.templating import get_templates

router = APIRouter(prefix="/console/chat", include_in_schema=False)
# A conversation stays in the list this long after its last message (hand-offs until taken).
ACTIVE = timedelta(days=14)


def _staff(request: Request, db_session: DbSession) -> tuple[Principal, str] | None:
    cookie = request.cookies.get(get_settings().session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    if found is None:
        return None
    web, user = found
    return auth_service.principal_for(user, "session"), web.csrf_token


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    lang = language_of(request)
    return get_templates().TemplateResponse(
        request,
        f"portal/{name}",
        {"lang": lang, "t": translator(lang), "nav": "chat", **context},
        status_code=status_code,
    )


@router.get("")
def inbox(request: Request, db_session: DbSession) -> Response:
    """Open conversations of the agent's cases: hand-offs first, then unanswered ones."""
    staff = _staff(request, db_session)
    if staff is None:
        return RedirectResponse("/login", status_code=303)
    principal, csrf = staff
    rows = chat.conversations(
        db_session=db_session,
        case_ids=portfolio_service.visible_case_ids(principal=principal),
        since=utcnow() - ACTIVE,
    )
    return _render(
        request, "console_chat_list.html", principal=principal, csrf_token=csrf, rows=rows
    )


@router.get("/{case_id}")
def conversation(case_id: int, request: Request, db_session: DbSession) -> Response:
    """One case's chat for an agent: the transcript (blocked replies marked) and the reply box."""
    staff = _staff(request, db_session)
    if staff is None:
        return RedirectResponse("/login", status_code=303)
    principal, csrf = staff
    try:
        portfolio_service.get_case_for_principal(
            db_session=db_session, principal=principal, case_id=case_id
        )
    except NotFound:
        return _render(
            request, "console_chat_missing.html", 404, principal=principal, csrf_token=csrf
        )
    # The transcript follows over the agent's socket: this view is the read to log.
    reads.record_staff_read(
        db_session=db_session, principal=principal, what="chat", via="page", case_ids=[case_id]
    )
    return _render(
        request,
        "console_chat.html",
        principal=principal,
        csrf_token=csrf,
        case_id=case_id,
        may_write=principal.role.value != "auditor",
    )
