"""FastAPI dependencies every domain's router uses: the unit of work and the principal.

``DbSession`` commits when the route returns (before the response is sent) and rolls back
on any error; a request that may change state (not GET/HEAD/OPTIONS) begins as a writer
(``db.begin_write``), and a bearer token's last use is recorded after the request's own
transaction, at most once a minute. ``CurrentPrincipal`` accepts a bearer token or a
web-session cookie; cookie requests that change state must carry the session's CSRF token,
auditors never change state, and an account with a one-time password gets nothing but the
password change.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from concilia.auth import service as auth_service
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.config import get_settings
from concilia.db import REQUEST_SESSIONS, begin_write
from concilia.errors import ConciliaError, Forbidden, Unauthorized, write_after_rollback

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
logger = logging.getLogger(__name__)


# Requests holding a database session at once, per event loop. A request keeps its pooled
# connection while FastAPI hops between threadpool threads (dependency, route, commit); with
# more such requests than connections, the threads can all end up waiting for a connection
# held by requests that wait for a thread. Admission is awaited on the event loop, holding
# no thread, and stays under the pool's size.
_admissions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _admission() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _admissions.get(loop)
    if gate is None:
        gate = _admissions[loop] = asyncio.Semaphore(REQUEST_SESSIONS)
    return gate


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One transaction per request; requests that may change state begin as writers."""
    async with _admission():
        session: Session = request.app.state.session_factory()
        try:
            if request.method not in SAFE_METHODS:
                await run_in_threadpool(begin_write, session)
            yield session
            await run_in_threadpool(session.commit)
        except BaseException as exc:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(session.rollback)
                if isinstance(exc, ConciliaError) and exc.after_rollback is not None:
                    await run_in_threadpool(begin_write, session)
                    await run_in_threadpool(write_after_rollback, exc, session)
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(session.close)
                # Only now, with the request's connection back in the pool, so that a
                # request never holds two.
                token_id = getattr(request.state, "touch_token_id", None)
                if token_id is not None:
                    await run_in_threadpool(_touch_token, request, token_id)


DbSession = Annotated[Session, Depends(get_db, scope="function")]


def _touch_token(request: Request, token_id: int) -> None:
    # Its own short transaction after the request's: a GET never becomes a writer queueing
    # for SQLite's write lock, and a failed touch never fails the request.
    factory: sessionmaker[Session] = request.app.state.session_factory
    try:
        with factory() as session:
            begin_write(session)
            auth_service.touch_token(db_session=session, token_id=token_id)
            session.commit()
    except SQLAlchemyError as exc:
        logger.warning("api token last use not recorded: %s", type(exc).__name__)


def current_principal(request: Request, db_session: DbSession) -> Principal:
    """The authenticated principal, or 401; enforces CSRF and the auditor's read-only role."""
    principal: Principal | None = None
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        found_token = auth_service.live_token(
            db_session=db_session, clear=authorization[7:].strip()
        )
        if found_token is None:
            raise Unauthorized("invalid, expired or revoked token")
        token, token_user = found_token
        if auth_service.claim_token_touch(token):
            if request.method in SAFE_METHODS:
                request.state.touch_token_id = token.id
            else:
                # This transaction already holds the write lock (begin_write): a second
                # connection would wait for it, so the write rides along with the request's.
                auth_service.touch_token(db_session=db_session, token_id=token.id)
        principal = auth_service.principal_for(token_user, "token")
    else:
        cookie = request.cookies.get(get_settings().session_cookie_name)
        found = (
            auth_service.get_web_session(db_session=db_session, clear=cookie, pending_ok=True)
            if cookie
            else None
        )
        if found is None:
            raise Unauthorized("sign in or send a bearer token")
        web, user = found
        if user.must_change_password:
            raise Forbidden("set a new password first (at /password)")
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
