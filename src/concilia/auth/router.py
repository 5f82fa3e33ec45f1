"""Auth routes: API tokens, users and teams (admin), and the web sign-in page."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from concilia.auth import service as auth_service
from concilia.auth.dependencies import CurrentPrincipal, DbSession, require_roles
from concilia.auth.models import Role
from concilia.auth.schemas import (
    LoginIn,
    Principal,
    TeamIn,
    TeamOut,
    TokenCreated,
    TokenOut,
    UserCreated,
    UserIn,
    UserOut,
    UserUpdate,
)
from concilia.config import get_settings
from concilia.errors import ConciliaError, TooManyRequests, Unauthorized, problem_responses
from concilia.ids import Id
from concilia.web.templating import get_templates

router = APIRouter(tags=["auth"])
AdminPrincipal = Annotated[Principal, Depends(require_roles(Role.admin))]
_LOGIN_CSRF_COOKIE = "concilia_login_csrf"


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/api/auth/token",
    response_model=TokenCreated,
    status_code=201,
    responses=problem_responses(Unauthorized, TooManyRequests),
)
def issue_token(body: LoginIn, request: Request, db_session: DbSession) -> TokenCreated:
    """Exchange a username and password for a bearer token (rate-limited)."""
    try:
        user = auth_service.authenticate(
            db_session=db_session,
            username=body.username,
            password=body.password,
            ip=_client_ip(request),
        )
    except ConciliaError:
        # The failed attempt must be kept even though the request fails.
        db_session.commit()
        raise
    token, clear = auth_service.create_token(
        db_session=db_session, user_id=user.id, name=body.token_name
    )
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=clear)


@router.get("/api/auth/me", response_model=UserOut)
def me(principal: CurrentPrincipal, db_session: DbSession) -> UserOut:
    """The signed-in user."""
    user = auth_service.get_user(db_session=db_session, user_id=principal.user_id)
    return UserOut.model_validate(user)


@router.get("/api/auth/tokens", response_model=list[TokenOut])
def my_tokens(principal: CurrentPrincipal, db_session: DbSession) -> list[TokenOut]:
    """The signed-in user's tokens (hashes are never shown)."""
    tokens = auth_service.list_tokens(db_session=db_session, user_id=principal.user_id)
    return [TokenOut.model_validate(t) for t in tokens]


@router.delete("/api/auth/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: Id, principal: CurrentPrincipal, db_session: DbSession) -> TokenOut:
    """Revoke a token at once."""
    token = auth_service.revoke_token(db_session=db_session, principal=principal, token_id=token_id)
    return TokenOut.model_validate(token)


@router.get("/api/auth/users", response_model=list[UserOut])
def list_users(_: AdminPrincipal, db_session: DbSession) -> list[UserOut]:
    """Every user (admin)."""
    return [UserOut.model_validate(u) for u in auth_service.list_users(db_session=db_session)]


@router.post("/api/auth/users", response_model=UserCreated, status_code=201)
def create_user(body: UserIn, principal: AdminPrincipal, db_session: DbSession) -> UserCreated:
    """Create a user (admin); without a password a one-time password is returned once."""
    user, one_time = auth_service.create_user(
        db_session=db_session,
        username=body.username,
        role=body.role,
        password=body.password,
        full_name=body.full_name,
        teams=body.teams,
        actor=principal.actor,
    )
    return UserCreated(**UserOut.model_validate(user).model_dump(), one_time_password=one_time)


@router.patch("/api/auth/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: Id, body: UserUpdate, principal: AdminPrincipal, db_session: DbSession
) -> UserOut:
    """Change a user's role, teams or status (admin)."""
    user = auth_service.update_user(
        db_session=db_session, user_id=user_id, actor=principal.actor, **body.model_dump()
    )
    return UserOut.model_validate(user)


@router.get("/api/auth/teams", response_model=list[TeamOut])
def list_teams(_: CurrentPrincipal, db_session: DbSession) -> list[TeamOut]:
    """Every team."""
    return [TeamOut.model_validate(t) for t in auth_service.list_teams(db_session=db_session)]


@router.post("/api/auth/teams", response_model=TeamOut, status_code=201)
def create_team(body: TeamIn, principal: AdminPrincipal, db_session: DbSession) -> TeamOut:
    """Create a team (admin)."""
    team = auth_service.get_or_create_team(
        db_session=db_session, name=body.name, actor=principal.actor
    )
    return TeamOut.model_validate(team)


# --- web pages -------------------------------------------------------------------------


def _login_page(request: Request, error: str | None = None, username: str = "") -> Response:
    # Login CSRF: a double-submit token, since there is no session yet to bind it to.
    token = secrets.token_urlsafe(32)
    response = get_templates().TemplateResponse(
        request,
        "login.html",
        {"csrf_token": token, "error": error, "username": username},
        status_code=status.HTTP_401_UNAUTHORIZED if error else status.HTTP_200_OK,
    )
    response.set_cookie(
        _LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=get_settings().cookie_secure,
    )
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request) -> Response:
    """The sign-in page."""
    return _login_page(request)


@router.post("/login", include_in_schema=False)
def login_submit(
    request: Request,
    db_session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
) -> Response:
    """Check the password and start a browser session."""
    cookie = request.cookies.get(_LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return _login_page(request, "The form expired; please try again.", username)
    try:
        user = auth_service.authenticate(
            db_session=db_session, username=username, password=password, ip=_client_ip(request)
        )
    except ConciliaError as exc:
        db_session.commit()
        return _login_page(request, exc.detail, username)
    _, clear = auth_service.create_web_session(db_session=db_session, user=user)
    settings = get_settings()
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        settings.session_cookie_name,
        clear,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.session_hours * 3600,
    )
    response.delete_cookie(_LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
def logout(
    request: Request, db_session: DbSession, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """End the browser session (the form carries the session's CSRF token)."""
    settings = get_settings()
    cookie = request.cookies.get(settings.session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    if found is not None and hmac.compare_digest(found[0].csrf_token, csrf_token):
        auth_service.end_web_session(db_session=db_session, clear=cookie or "")
    response = RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(settings.session_cookie_name)
    return response


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request, db_session: DbSession) -> Response:
    """The console's home page (signed-in users only)."""
    cookie = request.cookies.get(get_settings().session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    if found is None:
        return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)
    web, user = found
    return get_templates().TemplateResponse(
        request,
        "home.html",
        {"principal": auth_service.principal_for(user, "session"), "csrf_token": web.csrf_token},
    )
