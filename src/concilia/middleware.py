"""ASGI middleware every response passes through: request-body limits and security headers.

Both are plain ASGI (no ``BaseHTTPMiddleware``), so a body is never buffered to be checked
and streaming responses stay streaming.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM = "application/problem+json"

# Pages: same-origin scripts and styles only, no inline script, never framed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The API documentation pages run third-party bundles (vendored, served from 'self') that set
# inline styles (Redoc's styled-components) and start a web worker from a blob: URL.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = "max-age=31536000; includeSubDomains"


def problem_body(status: int, title: str, detail: str, instance: str) -> bytes:
    """An RFC 9457 problem document, as the app's handlers write it."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return json.dumps({**body, "instance": instance}).encode()


async def send_problem(
    send: Send, status: int, title: str, detail: str, instance: str, *, close: bool = False
) -> None:
    """Answer with a problem document straight from the middleware."""
    body = problem_body(status, title, detail, instance)
    headers = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode())]
    if close:
        # The unread body is still on the wire: the connection cannot be reused.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    """A request body went over its limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the limit of {limit} bytes")
        self.limit = limit


class BodyLimitMiddleware:
    """Refuse a request body over its path's limit with 413, before or while reading it.

    A declared ``Content-Length`` over the limit is refused before the app runs; a chunked
    (or lying) body is counted as it arrives and reading stops at the limit: the app sees
    :class:`BodyTooLarge`, an HTTP 413 the app's handlers render as problem+json.
    """

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.limit_for(path)
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await send_problem(send, 400, "Bad request", "invalid Content-Length", path)
                return
            if int(declared) > limit:
                detail = f"the request body is over the limit of {limit} bytes"
                await send_problem(send, 413, "Payload too large", detail, path, close=True)
                return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge as exc:
            # Raised where nothing turned it into a response (e.g. a middleware reading).
            if started:
                raise
            await send_problem(send, 413, "Payload too large", str(exc.detail), path, close=True)


class SecurityHeadersMiddleware:
    """Add CSP, framing, sniffing, referrer and (over TLS) HSTS headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        extra = security_headers(
            docs=path.startswith(DOCS_PATHS), tls=scope.get("scheme") == "https"
        )

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in extra if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def security_headers(*, docs: bool, tls: bool) -> list[tuple[bytes, bytes]]:
    """The headers a response gets (raw ASGI form)."""
    headers = [
        (b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if tls:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


def _header(scope: Scope, name: bytes) -> str | None:
    raw: Iterable[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in raw:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


def limit_for_path(*, default: int, limits: dict[str, int]) -> Callable[[str], int]:
    """The body limit of a path: the one of the longest prefix in ``limits``, else ``default``."""
    ordered = sorted(limits.items(), key=lambda item: len(item[0]), reverse=True)

    def _limit(path: str) -> int:
        for prefix, limit in ordered:
            if path.startswith(prefix):
                return limit
        return default

    return _limit


def install(app: Any, *, max_body_bytes: int, limits: dict[str, int]) -> None:
    """Add both middlewares to a Starlette/FastAPI app (headers outermost).

    ``limits`` maps a path prefix to the larger body it accepts (a file upload's route).
    """
    app.add_middleware(
        BodyLimitMiddleware, limit_for=limit_for_path(default=max_body_bytes, limits=limits)
    )
    app.add_middleware(SecurityHeadersMiddleware)
