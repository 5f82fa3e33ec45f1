"""The compliance officer's privacy page in the console: ``/console/privacy`` (open
requests and their deadlines, the art. 30 register, the retention schedule with a dry run
of the next purge, recent erasures, who read whose data) and the register as a file.

Server-rendered on the staff browser session like the console's pages; read-only (GETs
only, so no CSRF token is needed and the auditor may use all of it). Filters and the dry
run are plain GET forms that HTMX swaps in place and that work without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from concilia.auth import service as auth_service
from concilia.auth.dependencies import DbSession
from concilia.auth.schemas import Principal
from concilia.config import get_settings
from concilia.privacy import officer
from concilia.privacy import register as register_doc
from concilia.privacy.i18n import translator
from concilia.web.i18n import language_of
from concilia.web.templating import get_templates

pages = APIRouter(prefix="/console/privacy", include_in_schema=False)


def _staff(request: Request, db_session: DbSession) -> tuple[Principal, str] | None:
    cookie = request.cookies.get(get_settings().session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    if found is None:
        return None
    web, user = found
    request.state.user_language = user.language  # language_of reads it first
    return auth_service.principal_for(user, "session"), web.csrf_token


def _render(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    lang = language_of(request)
    return get_templates().TemplateResponse(
        request,
        "privacy/officer.html",
        {"lang": lang, "t": translator(lang), "nav": "privacy", **context},
        status_code=status_code,
    )


@pages.get("", response_class=HTMLResponse)
def officer_page(
    request: Request,
    db_session: DbSession,
    reference: Annotated[str, Query(max_length=100)] = "",
    user: Annotated[str, Query(max_length=200)] = "",
    days: Annotated[str, Query(max_length=4)] = "7",
    dry_run: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """Requests and deadlines, register, retention (dry run on demand), erasures, reads."""
    staff = _staff(request, db_session)
    if staff is None:
        return RedirectResponse("/login", status_code=303)
    principal, csrf = staff
    context: dict[str, Any] = {"principal": principal, "csrf_token": csrf}
    if not officer.may_see(principal):
        return _render(request, {**context, "forbidden": True}, status_code=403)
    wanted = officer.ReadFilter(
        reference=reference.strip(),
        user=user.strip(),
        # An unreadable or out-of-range number of days falls back to the week.
        days=int(days) if days.isdigit() and 1 <= int(days) <= 366 else 7,
    )
    view = officer.overview(db_session=db_session, read_filter=wanted, with_dry_run=dry_run == "1")
    return _render(request, {**context, "forbidden": False, "view": view})


@pages.get("/register.html")
def register_file(request: Request, db_session: DbSession) -> Response:
    """The art. 30 record as a standalone HTML file to keep or hand to the authority."""
    staff = _staff(request, db_session)
    if staff is None:
        return RedirectResponse("/login", status_code=303)
    principal, _csrf = staff
    if not officer.may_see(principal):
        return Response("forbidden", status_code=403, media_type="text/plain")
    return Response(
        register_doc.render_html(db_session=db_session),
        media_type="text/html",
        headers={"Content-Disposition": 'attachment; filename="art30-register.html"'},
    )
