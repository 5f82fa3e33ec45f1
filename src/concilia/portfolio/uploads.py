"""Limits of portfolio uploads: the body-size setting and the route class enforcing it.

The setting lives here rather than in the core settings so that portfolio owns its limit;
it follows the same ``CONCILIA_*`` convention: ``CONCILIA_PORTFOLIO_IMPORT_MAX_BYTES``.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi.routing import APIRoute
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send


class UploadSettings(BaseSettings):
    """Portfolio upload limits."""

    model_config = SettingsConfigDict(env_prefix="CONCILIA_PORTFOLIO_", extra="ignore")

    # A million rows of a typical file is about 270 MB; a larger file is split by the sender.
    import_max_bytes: int = Field(default=512 * 1024 * 1024, ge=0)


@lru_cache(maxsize=1)
def get_upload_settings() -> UploadSettings:
    """The process-wide upload settings (tests call ``get_upload_settings.cache_clear()``)."""
    return UploadSettings()


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=413,
        detail=f"the request body is larger than {limit:,} bytes "
        "(CONCILIA_PORTFOLIO_IMPORT_MAX_BYTES); split the file",
    )


class ImportBodyLimitRoute(APIRoute):
    """A route whose request body may not exceed ``import_max_bytes``: 413 (problem+json) as
    soon as the Content-Length says so, before any byte is read, or as soon as the bytes
    received pass the limit. The limit is read per request: a changed setting needs no new app.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = get_upload_settings().import_max_bytes
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise _too_large(limit)
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the form parser: FastAPI passes an HTTPException through
                    # to the app's problem+json handler, and the rest is never read.
                    raise _too_large(limit)
            return message

        await super().handle(scope, counted, send)
