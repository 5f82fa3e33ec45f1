"""The FastAPI application factory: API, web console and debtor portal in one app."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from concilia import __version__, apidocs, middleware, once, openapi
from concilia.auth.dependencies import current_principal
from concilia.config import get_settings
from concilia.db import get_session_factory
from concilia.domains import iter_domain_modules
from concilia.errors import ConciliaError, InvalidInput

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, request: Request, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ConciliaError)
    async def _domain_error(request: Request, exc: ConciliaError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if isinstance(exc, InvalidInput):
            extra["errors"] = [p.as_dict() for p in exc.problems]
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        response = problem(exc.status, exc.title, exc.detail, request, **extra)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return problem(
            422, "Invalid request", "the request does not match its schema", request, errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail), request)

    # Safety nets: a value the database cannot hold (a number out of range, a NUL character on
    # PostgreSQL) or a row that collides with a stored one is the client's input, not a server
    # fault. The SQL is not shown; the transaction was already rolled back by the request's
    # unit of work.
    @app.exception_handler(DataError)
    async def _data_error(request: Request, exc: DataError) -> JSONResponse:
        detail = "a value in the request cannot be stored (out of range, or a NUL character)"
        return problem(422, "Invalid request", detail, request)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        # SQLite's driver refuses an integer past 64 bits with a bare OverflowError.
        detail = "a number in the request is too large"
        return problem(422, "Invalid request", detail, request)

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        detail = "the request conflicts with stored data (a duplicate, or a missing reference)"
        return problem(409, "Conflict", detail, request)


@contextlib.asynccontextmanager
async def _settled(_app: Any) -> AsyncIterator[None]:
    # Entered after every domain router's start-up (models warmed): what they loaded stays
    # out of later garbage collections (concilia.once.settle).
    once.settle()
    yield


def create_app(session_factory: sessionmaker[Session] | None = None) -> FastAPI:
    """Build the app; every domain's ``router`` module is mounted."""
    app = FastAPI(
        title="Concilia",
        version=__version__,
        description="Lawful, private and humane use of public social-network data in debt "
        "recovery. Errors are application/problem+json (RFC 9457).",
        # Served by concilia.apidocs from local files: there is no CDN at run time.
        docs_url=None,
        redoc_url=None,
    )
    app.state.session_factory = session_factory or get_session_factory()
    routers = iter_domain_modules("router")
    limits: dict[str, int] = {}
    for _domain, module in routers:
        declared = getattr(module, "body_limits", None)
        if declared is not None:
            limits.update(declared())
    middleware.install(app, max_body_bytes=get_settings().max_body_bytes, limits=limits)
    apidocs.install(app)
    _install_error_handlers(app)

    @app.get(
        "/health",
        tags=["health"],
        responses={
            503: {"description": "The database is unreachable", "content": {"application/json": {}}}
        },
    )
    def health() -> JSONResponse:
        """Liveness and database reachability."""
        try:
            with app.state.session_factory() as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means the database is not usable
            return JSONResponse(
                {"status": "error", "database": "unreachable", "detail": type(exc).__name__},
                status_code=503,
            )
        return JSONResponse({"status": "ok", "database": "ok", "version": __version__})

    for _domain, module in routers:
        app.include_router(module.router)
    app.include_router(APIRouter(lifespan=_settled))  # last: its start-up runs after theirs
    openapi.install(app, principal=current_principal)
    return app
