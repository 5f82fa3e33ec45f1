"""Browser pages of auth: sign in, set a new password, sign out, and the home page.

Sign-in follows the API's rule and message (``auth_service.authenticate``): a rate-limited
attempt answers 429 on the page as on ``POST /api/auth/token``. A one-time password opens a
session that only the password page accepts, until a new password is set.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from concilia.auth import service as auth_service
from concilia.auth.dependencies import DbSession
from concilia.auth.models import User, WebSession
from concilia.auth.schemas import PASSWORD_MAX, USERNAME_MAX
from concilia.config import get_settings
from concilia.errors import ConciliaError
from concilia.web.templating import get_templates

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "concilia_login_csrf"
Username = Annotated[str, Form(max_length=USERNAME_MAX)]
Password = Annotated[str, Form(max_length=PASSWORD_MAX)]
CsrfField = Annotated[str, Form(max_length=100)]


def client_ip(request: Request) -> str:
    """The address rate limits count against (the direct peer: proxies are not trusted)."""
    return request.client.host if request.client else "unknown"


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure per the settings, and always over https."""
    return get_settings().cookie_secure or request.url.scheme == "https"


def _session(
    request: Request, db_session: DbSession, *, pending_ok: bool
) -> tuple[WebSession, User] | None:
    cookie = request.cookies.get(get_settings().session_cookie_name)
    if not cookie:
        return None
    return auth_service.get_web_session(db_session=db_session, clear=cookie, pending_ok=pending_ok)


def _redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def _set_session_cookie(request: Request, response: Response, clear: str) -> None:
    settings = get_settings()
    response.set_cookie(
        settings.session_cookie_name,
        clear,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        max_age=settings.session_hours * 3600,
    )


def _login_page(
    request: Request, error: str | None = None, username: str = "", status_code: int = 200
) -> Response:
    # Login CSRF: a double-submit token, since there is no session yet to bind it to.
    token = secrets.token_urlsafe(32)
    response = get_templates().TemplateResponse(
        request,
        "login.html",
        {"csrf_token": token, "error": error, "username": username},
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies(request)
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, db_session: DbSession) -> Response:
    """The sign-in page (or the password page for a session that must set one)."""
    found = _session(request, db_session, pending_ok=True)
    if found is not None and found[1].must_change_password:
        return _redirect("/password")
    return _login_page(request)


@router.post("/login")
def login_submit(
    request: Request,
    db_session: DbSession,
    username: Username,
    password: Password,
    csrf_token: CsrfField,
) -> Response:
    """Check the password and start a browser session."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _login_page(request, "The form expired; please try again.", username, 401)
    try:
        user = auth_service.authenticate(
            db_session=db_session, username=username, password=password, ip=client_ip(request)
        )
    except ConciliaError as exc:
        db_session.commit()  # the failed attempt counts even though sign-in fails
        return _login_page(request, exc.detail, username, exc.status)
    _, clear = auth_service.create_web_session(db_session=db_session, user=user)
    response = _redirect("/password" if user.must_change_password else "/")
    _set_session_cookie(request, response, clear)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _password_page(
    request: Request, web: WebSession, user: User, error: str | None = None, status_code: int = 200
) -> Response:
    return get_templates().TemplateResponse(
        request,
        "password.html",
        {
            "csrf_token": web.csrf_token,
            "must_change": user.must_change_password,
            "username": user.username,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, db_session: DbSession) -> Response:
    """Set a new password (the only page a one-time password opens)."""
    found = _session(request, db_session, pending_ok=True)
    if found is None:
        return _redirect("/login")
    return _password_page(request, *found)


@router.post("/password")
def password_submit(
    request: Request,
    db_session: DbSession,
    current_password: Password,
    new_password: Password,
    confirm_password: Password,
    csrf_token: CsrfField,
) -> Response:
    """Check the current password, set the new one, and start a fresh session."""
    found = _session(request, db_session, pending_ok=True)
    if found is None:
        return _redirect("/login")
    web, user = found
    if not hmac.compare_digest(web.csrf_token, csrf_token):
        return _password_page(request, web, user, "The form expired; please try again.", 403)
    if new_password != confirm_password:
        return _password_page(request, web, user, "The two new passwords differ.", 422)
    try:
        auth_service.authenticate(
            db_session=db_session,
            username=user.username,
            password=current_password,
            ip=client_ip(request),
        )
        auth_service.change_password(
            db_session=db_session,
            user=user,
            new_password=new_password,
            actor=f"user:{user.username}",
        )
    except ConciliaError as exc:
        db_session.commit()  # a wrong current password counts as a failed sign-in
        return _password_page(request, web, user, exc.detail, exc.status)
    # change_password ended every session, this one included: start a clean one.
    _, clear = auth_service.create_web_session(db_session=db_session, user=user)
    response = _redirect("/")
    _set_session_cookie(request, response, clear)
    return response


@router.post("/logout")
def logout(request: Request, db_session: DbSession) -> Response:
    """End the browser session, with or without the form's CSRF token.

    Refusing a sign-out that lacks the token would leave a session alive that its user
    believes closed (a stale page, a shared computer). Forced sign-out from another site is
    not possible anyway: the cookie is SameSite=Lax, so a cross-site POST arrives without it.
    """
    settings = get_settings()
    cookie = request.cookies.get(settings.session_cookie_name)
    if cookie:
        auth_service.end_web_session(db_session=db_session, clear=cookie)
    response = _redirect("/login")
    response.delete_cookie(settings.session_cookie_name)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db_session: DbSession) -> Response:
    """The console's home page (signed-in users only)."""
    found = _session(request, db_session, pending_ok=True)
    if found is None:
        return _redirect("/login")
    web, user = found
    if user.must_change_password:
        return _redirect("/password")
    return get_templates().TemplateResponse(
        request,
        "home.html",
        {"principal": auth_service.principal_for(user, "session"), "csrf_token": web.csrf_token},
    )
