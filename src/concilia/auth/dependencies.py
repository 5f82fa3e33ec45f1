"""FastAPI dependencies every domain's router uses: the unit of work and the principal.

``DbSession`` commits when the route returns (before the response is sent) and rolls back
on any error. ``CurrentPrincipal`` accepts a bearer token or a web-session cookie; cookie
requests that change state must carry the session's CSRF token, and auditors never change
state.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from concilia.auth import service as auth_service
from concilia.auth.models import Role
from concilia.auth.schemas import Principal
from concilia.config import get_settings
from concilia.errors import Forbidden, Unauthorized

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db, scope="function")]


def current_principal(request: Request, db_session: DbSession) -> Principal:
    """The authenticated principal, or 401; enforces CSRF and the auditor's read-only role."""
    principal: Principal | None = None
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        principal = auth_service.principal_from_token(
            db_session=db_session, clear=authorization[7:].strip()
        )
        if principal is None:
            raise Unauthorized("invalid, expired or revoked token")
    else:
        cookie = request.cookies.get(get_settings().session_cookie_name)
        found = (
            auth_service.get_web_session(db_session=db_session, clear=cookie) if cookie else None
        )
        if found is None:
            raise Unauthorized("sign in or send a bearer token")
        web, user = found
        if request.method not in SAFE_METHODS:
            # Header only: HTMX sends it on every request (hx-headers), and a cross-site form
            # cannot set a custom header.
            sent = request.headers.get(CSRF_HEADER)
            if not sent or not hmac.compare_digest(sent, web.csrf_token):
                raise Forbidden("missing or wrong CSRF token")
        principal = auth_service.principal_for(user, "session")
    if principal.role == Role.auditor and request.method not in SAFE_METHODS:
        raise Forbidden("auditors have read-only access")
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only the given roles through."""

    def _check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"this needs one of the roles: {', '.join(r.value for r in roles)}")
        return principal

    return _check
