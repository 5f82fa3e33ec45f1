"""Portal pages: the door (``/portal``, link, knowledge check, one-time code), ``/verify``
and the portal's static files; the verified debtor's pages are in :mod:`pages`."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, Response

from concilia.auth.dependencies import DbSession
from concilia.db import utcnow
from concilia.errors import NotFound, TooManyRequests
from concilia.portal import chat_router, console_chat, entry, pages, payment_pages, security, views
from concilia.portal import service as portal_service
from concilia.portal.models import PortalFlow
from concilia.portal.settings import get_portal_settings
from concilia.special import guard as special_guard

_warmed = threading.Event()


def _warm_guard() -> None:
    # A failure here only means the first message loads the guard itself.
    with contextlib.suppress(Exception):
        special_guard.warm()


@contextlib.asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    """At start-up, once per process: the special-category guard that screens every debtor
    message is loaded (seconds, tens on a busy machine) before the server answers, or
    alongside (``CONCILIA_PORTAL_WARM_GUARD``), not when the first message comes."""
    mode = get_portal_settings().warm_guard
    if mode != "off" and not _warmed.is_set():
        _warmed.set()
        if mode == "startup":
            await asyncio.to_thread(_warm_guard)
        else:
            threading.Thread(target=_warm_guard, name="special-guard-warm", daemon=True).start()
    yield


router = APIRouter(include_in_schema=False, lifespan=_lifespan)
router.include_router(pages.router)
router.include_router(chat_router.router)
router.include_router(payment_pages.router)
router.include_router(console_chat.router)
STATIC_DIR = Path(__file__).resolve().parent / "static"
_MEDIA_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
Field = Annotated[str, Form(max_length=200)]


@router.get("/portal/static/{name}")
def static_file(name: str) -> Response:
    """A file of portal/static by plain name (no folders: no path can escape)."""
    path = STATIC_DIR / name
    media_type = _MEDIA_TYPES.get(path.suffix)
    if "/" in name or name.startswith(".") or media_type is None or not path.is_file():
        raise NotFound(f"no static file {name!r}")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "max-age=3600"})


def _entry_page(request: Request, lang: str, status_code: int = 200, **context: object) -> Response:
    pre, new = views.pre_cookie(request)
    response = views.render(
        request,
        "entry.html",
        lang,
        status_code=status_code,
        csrf=security.csrf_for(pre),
        **context,
    )
    if new:
        views.set_cookie(response, views.PRE_COOKIE, pre, max_age=3600)
    return response


@router.get("/portal")
def entry_page(request: Request, db_session: DbSession) -> Response:
    """The door: type your reference (or come by the link in our message)."""
    session = views.current_session(request, db_session)
    if session is not None:
        return views.redirect(request, "/portal/home")
    lang = views.lang_of(request)
    expired = request.query_params.get("expired") == "1"
    return _entry_page(request, lang, notice="session_expired" if expired else None)


@router.post("/portal/start")
def start(
    request: Request, db_session: DbSession, reference: Field = "", csrf: Field = ""
) -> Response:
    """A typed reference opens a flow, whether or not it exists (nothing is revealed)."""
    lang = views.lang_of(request)
    if not security.csrf_ok(request.cookies.get(views.PRE_COOKIE), csrf):
        return views.bad_csrf(request, lang)
    if not reference.strip():
        errors = {"reference": "reference_required"}
        return _entry_page(request, lang, status_code=400, errors=errors)
    try:
        _flow, clear = entry.start_by_reference(
            db_session=db_session,
            reference=reference,
            ip_key=views.client_key(request),
            lang=lang,
            now=utcnow(),
        )
    except entry.Locked as exc:
        return views.locked(request, lang, exc.until)
    response = views.redirect(request, "/portal/check")
    _set_flow(response, clear)
    return response


def _set_flow(response: Response, clear: str) -> None:
    views.set_cookie(response, get_portal_settings().flow_cookie_name, clear, max_age=1800)


@router.get("/portal/l/{token}")
def by_link(token: str, request: Request, db_session: DbSession) -> Response:
    """The link of a message: a valid token opens a flow for its case, then the token leaves
    the address bar (redirect) so it is not kept in history or shared by mistake."""
    lang = views.lang_of(request)
    try:
        started = entry.start_by_link(
            db_session=db_session,
            token=token[:100],
            ip_key=views.client_key(request),
            lang=lang,
            now=utcnow(),
        )
    except entry.Locked as exc:
        return views.locked(request, lang, exc.until)
    if started is None:
        return _entry_page(request, lang, status_code=400, notice="link_invalid")
    _flow, clear = started
    response = views.redirect(request, "/portal/check")
    _set_flow(response, clear)
    return response


def _flow(request: Request, db_session: DbSession) -> tuple[PortalFlow | None, str]:
    clear = request.cookies.get(get_portal_settings().flow_cookie_name, "")
    return entry.get_flow(db_session=db_session, clear=clear, now=utcnow()), clear


def _check_page(
    request: Request,
    flow: PortalFlow,
    clear: str,
    lang: str,
    status_code: int = 200,
    **context: object,
) -> Response:
    return views.render(
        request,
        "check.html",
        lang,
        status_code=status_code,
        csrf=security.csrf_for(clear),
        by_link=flow.case_id is not None,
        **context,
    )


@router.get("/portal/check")
def check_page(request: Request, db_session: DbSession) -> Response:
    """The knowledge check."""
    flow, clear = _flow(request, db_session)
    lang = views.lang_of(request, flow.lang if flow else None)
    if flow is None:
        return views.to_entry(request)
    return _check_page(request, flow, clear, lang)


def _parse_dob(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@router.post("/portal/check")
def check_submit(
    request: Request,
    db_session: DbSession,
    csrf: Field = "",
    method: Field = "dob",
    dob: Field = "",
    postal_code: Field = "",
    last_chars: Field = "",
) -> Response:
    """Answers to the knowledge check: on success, on to the one-time code."""
    flow, clear = _flow(request, db_session)
    lang = views.lang_of(request, flow.lang if flow else None)
    if flow is None:
        return views.to_entry(request)
    if not security.csrf_ok(clear, csrf):
        return views.bad_csrf(request, lang)
    use_digits = method == "digits" and flow.case_id is not None
    errors: dict[str, str] = {}
    born = None
    if use_digits:
        if len("".join(c for c in last_chars if c.isalnum())) != 4:
            errors["last_chars"] = "last_digits_required"
    else:
        born = _parse_dob(dob)
        if born is None:
            errors["dob"] = "dob_invalid"
        if not postal_code.strip():
            errors["postal_code"] = "postal_code_required"
    if errors:
        return _check_page(request, flow, clear, lang, 400, errors=errors, method=method)
    try:
        ok = entry.check_knowledge(
            db_session=db_session,
            flow=flow,
            ip_key=views.client_key(request),
            now=utcnow(),
            dob=born,
            postal_code=postal_code if not use_digits else None,
            last_chars=last_chars if use_digits else None,
        )
    except entry.Locked as exc:
        return views.locked(request, lang, exc.until)
    if not ok:
        return _check_page(request, flow, clear, lang, 400, notice="check_failed", method=method)
    return views.redirect(request, "/portal/code")


def _code_page(
    request: Request,
    db_session: DbSession,
    flow: PortalFlow,
    clear: str,
    lang: str,
    status_code: int = 200,
    **context: object,
) -> Response:
    points = entry.contact_points(db_session=db_session, flow=flow)
    return views.render(
        request,
        "code.html",
        lang,
        status_code=status_code,
        csrf=security.csrf_for(clear),
        points=points,
        code_sent=flow.otp_hash is not None,
        minutes=get_portal_settings().otp_minutes,
        **context,
    )


@router.get("/portal/code")
def code_page(request: Request, db_session: DbSession) -> Response:
    """Choose where the one-time code goes, then type it."""
    flow, clear = _flow(request, db_session)
    lang = views.lang_of(request, flow.lang if flow else None)
    if flow is None or flow.knowledge_ok_at is None:
        return views.to_entry(request)
    return _code_page(request, db_session, flow, clear, lang)


@router.post("/portal/code/send")
def code_send(
    request: Request, db_session: DbSession, csrf: Field = "", contact: Field = ""
) -> Response:
    """Send a one-time code to the chosen contact on file."""
    flow, clear = _flow(request, db_session)
    lang = views.lang_of(request, flow.lang if flow else None)
    if flow is None or flow.knowledge_ok_at is None:
        return views.to_entry(request)
    if not security.csrf_ok(clear, csrf):
        return views.bad_csrf(request, lang)
    try:
        contact_id = int(contact)
    except ValueError:
        contact_id = -1
    outcome = entry.send_code(
        db_session=db_session,
        flow=flow,
        contact_id=contact_id,
        now=utcnow(),
    )
    if outcome == "sent":
        return _code_page(request, db_session, flow, clear, lang, notice="code_sent")
    key = {"too_many": "too_many_sends", "failed": "send_failed"}.get(outcome)
    errors = {"contact": key or "option_required"}
    return _code_page(request, db_session, flow, clear, lang, 400, errors=errors)


@router.post("/portal/code/verify")
def code_verify(
    request: Request, db_session: DbSession, csrf: Field = "", code: Field = ""
) -> Response:
    """The one-time code: right, and the debtor is signed in."""
    flow, clear = _flow(request, db_session)
    lang = views.lang_of(request, flow.lang if flow else None)
    if flow is None or flow.knowledge_ok_at is None:
        return views.to_entry(request)
    if not security.csrf_ok(clear, csrf):
        return views.bad_csrf(request, lang)
    try:
        started = entry.check_code(
            db_session=db_session,
            flow=flow,
            code=code,
            ip_key=views.client_key(request),
            now=utcnow(),
        )
    except entry.Locked as exc:
        return views.locked(request, lang, exc.until)
    if started is None:
        errors = {"code": "code_wrong"}
        return _code_page(request, db_session, flow, clear, lang, 400, errors=errors)
    _session, session_clear = started
    response = views.redirect(request, "/portal/home")
    settings = get_portal_settings()
    views.set_cookie(
        response, settings.session_cookie_name, session_clear, settings.session_minutes * 60
    )
    views.set_cookie(
        response, views.SEEN_COOKIE, security.seen_value(session_clear, utcnow()), 24 * 3600
    )
    response.delete_cookie(settings.flow_cookie_name, path="/")
    return response


@router.post("/portal/not-me")
def not_me(
    request: Request,
    db_session: DbSession,
    csrf: Field = "",
    channel: Field = "",
    address: Field = "",
) -> Response:
    """A wrong-person report, from the link of a message (before any verification)."""
    flow, clear = _flow(request, db_session)
    lang = views.lang_of(request, flow.lang if flow else None)
    if flow is None or flow.case_id is None:
        return views.to_entry(request)
    if not security.csrf_ok(clear, csrf):
        return views.bad_csrf(request, lang)
    if channel not in ("email", "sms", "call", "letter", "social_dm"):
        errors = {"channel": "channel_required"}
        return _check_page(request, flow, clear, lang, 400, errors=errors, show_not_me=True)
    portal_service.report_wrong_person(
        db_session=db_session,
        case_id=flow.case_id,
        channel=channel,
        address=address,
        now=utcnow(),
    )
    flow.expires_at = utcnow()  # nothing more may be done from this link
    response = views.render(request, "message.html", lang, message_key="not_me_done")
    response.delete_cookie(get_portal_settings().flow_cookie_name, path="/")
    return response


# /verify -----------------------------------------------------------------------------------------


@router.get("/verify")
def verify_page(request: Request) -> Response:
    """Anyone may check whether a message really came from the agency."""
    lang = views.lang_of(request)
    pre, new = views.pre_cookie(request)
    response = views.render(request, "verify.html", lang, csrf=security.csrf_for(pre))
    if new:
        views.set_cookie(response, views.PRE_COOKIE, pre, max_age=3600)
    return response


@router.post("/verify")
def verify_submit(
    request: Request, db_session: DbSession, code: Field = "", csrf: Field = ""
) -> Response:
    """The answer: sent by us on this day by this channel, or not sent by us."""
    lang = views.lang_of(request)
    pre = request.cookies.get(views.PRE_COOKIE)
    if not security.csrf_ok(pre, csrf):
        return views.bad_csrf(request, lang)
    token = security.csrf_for(pre or "")
    if not code.strip():
        errors = {"code": "verification_code"}
        return views.render(request, "verify.html", lang, 400, csrf=token, errors=errors)
    try:
        result = portal_service.verify_message_code(
            db_session=db_session, code=code, ip_key=views.client_key(request), now=utcnow()
        )
    except TooManyRequests:
        window = timedelta(minutes=get_portal_settings().window_minutes)
        return views.locked(request, lang, utcnow() + window)
    return views.render(
        request,
        "verify.html",
        lang,
        csrf=token,
        result=result,
        code=security.normalise_message_code(code),
    )


# Room for the multipart envelope around the documents (boundaries, part headers, fields).
ENVELOPE_BYTES = 1_048_576


def body_limits() -> dict[str, int]:
    """The request-body limit of the dispute form (its documents), read by the app's
    body-limit middleware; the form checks each document's own size and count."""
    settings = get_portal_settings()
    documents = settings.upload_max_bytes * settings.upload_max_files
    return {"/portal/cases/": documents + ENVELOPE_BYTES}
