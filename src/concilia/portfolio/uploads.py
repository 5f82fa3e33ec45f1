"""Limits of portfolio uploads: the body-size setting and the route class enforcing it.

The setting lives here rather than in the core settings so that portfolio owns its limit;
it follows the same ``CONCILIA_*`` convention: ``CONCILIA_PORTFOLIO_IMPORT_MAX_BYTES``.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi.routing import APIRoute
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import Receive, Scope, Send


class UploadSettings(BaseSettings):
    """Portfolio upload limits."""

    model_config = SettingsConfigDict(env_prefix="CONCILIA_PORTFOLIO_", extra="ignore")

    # A million rows of a typical file is about 270 MB; a larger file is split by the sender.
    import_max_bytes: int = Field(default=512 * 1024 * 1024, ge=0)


@lru_cache(maxsize=1)
def get_upload_settings() -> UploadSettings:
    """The process-wide upload settings (tests call ``get_upload_settings.cache_clear()``)."""
    return UploadSettings()


class ImportBodyLimitRoute(APIRoute):
    """A route whose request body may not exceed ``import_max_bytes``: 413 (problem+json) as
    soon as the Content-Length says so, or as soon as the bytes received pass it, before the
    rest is read. The limit is read per request, so a changed setting needs no new app."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = get_upload_settings().import_max_bytes
        await RequestBodyLimitMiddleware(super().handle, max_body_size=limit)(scope, receive, send)
