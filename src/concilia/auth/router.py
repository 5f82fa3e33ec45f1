"""Auth routes: API tokens, users and teams (admin), and the web sign-in page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from concilia.auth import pages
from concilia.auth import service as auth_service
from concilia.auth.dependencies import CurrentPrincipal, DbSession, require_roles
from concilia.auth.pages import client_ip
from concilia.auth.roles import Role
from concilia.auth.schemas import (
    CsrfOut,
    LoginIn,
    PasswordChangeIn,
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
from concilia.errors import (
    ConciliaError,
    Forbidden,
    TooManyRequests,
    Unauthorized,
    problem_responses,
)
from concilia.ids import Id

router = APIRouter(tags=["auth"])
AdminPrincipal = Annotated[Principal, Depends(require_roles(Role.admin))]


class PasswordChangeRequired(Forbidden):
    title = "Password change required"


@router.post(
    "/api/auth/token",
    response_model=TokenCreated,
    status_code=201,
    responses=problem_responses(Unauthorized, PasswordChangeRequired, TooManyRequests),
)
def issue_token(body: LoginIn, request: Request, db_session: DbSession) -> TokenCreated:
    """Exchange a username and password for a bearer token (rate-limited)."""
    try:
        user = auth_service.authenticate(
            db_session=db_session,
            username=body.username,
            password=body.password,
            ip=client_ip(request),
        )
    except ConciliaError:
        # The failed attempt must be kept even though the request fails.
        db_session.commit()
        raise
    if user.must_change_password:
        # The successful attempt is kept (it clears the failure count).
        db_session.commit()
        raise PasswordChangeRequired(
            "this account has a one-time password: set a new one with POST /api/auth/password "
            "(or at /password in the browser) before a token can be issued"
        )
    token, clear = auth_service.create_token(
        db_session=db_session, user_id=user.id, name=body.token_name
    )
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=clear)


@router.post(
    "/api/auth/password",
    status_code=204,
    responses=problem_responses(ConciliaError, Unauthorized, TooManyRequests),
)
def change_password(body: PasswordChangeIn, request: Request, db_session: DbSession) -> Response:
    """Replace a password, knowing the current (or one-time) one; ends every session and token.

    No token is needed: it is how an account with a one-time password gets a real one.
    """
    try:
        user = auth_service.authenticate(
            db_session=db_session,
            username=body.username,
            password=body.current_password,
            ip=client_ip(request),
        )
    except ConciliaError:
        db_session.commit()
        raise
    auth_service.change_password(
        db_session=db_session,
        user=user,
        new_password=body.new_password,
        actor=f"user:{user.username}",
    )
    return Response(status_code=204)


@router.get("/api/auth/csrf", response_model=CsrfOut, responses=problem_responses(Unauthorized))
def session_csrf(request: Request, db_session: DbSession) -> CsrfOut:
    """The signed-in browser session's CSRF token, for same-origin scripts (e.g. /docs).

    Another site cannot read it: the answer is same-origin JSON, with no CORS.
    """
    cookie = request.cookies.get(get_settings().session_cookie_name)
    found = auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
    if found is None:
        raise Unauthorized("no signed-in browser session")
    return CsrfOut(csrf_token=found[0].csrf_token)


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


# The sign-in pages live in pages.py; mounted here so the app discovers one router.
router.include_router(pages.router)
