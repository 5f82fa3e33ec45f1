"""Static assets under ``/static`` and the UI language switch (``/lang``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, RedirectResponse, Response

from concilia.config import get_settings
from concilia.errors import NotFound
from concilia.web import i18n

router = APIRouter(include_in_schema=False)
STATIC_DIR = Path(__file__).resolve().parent / "static"
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
ONE_YEAR = 365 * 24 * 3600


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """A file of web/static by its plain name (no folders, so no path can escape)."""
    path = STATIC_DIR / name
    media_type = _MEDIA_TYPES.get(path.suffix)
    if "/" in name or name.startswith(".") or media_type is None or not path.is_file():
        raise NotFound(f"no static file {name!r}")
    return FileResponse(
        path, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"}
    )


def _local(path: str) -> str:
    # Only a path on this site: never an open redirect to another host.
    ok = path.startswith("/") and not path.startswith(("//", "/\\")) and "\\" not in path
    return path if ok else "/"


@router.get("/lang")
def set_language(
    lang: Annotated[str, Query(max_length=5)], next: Annotated[str, Query(max_length=300)] = "/"
) -> Response:
    """Remember the reader's UI language in a cookie and go back to the page."""
    response = RedirectResponse(_local(next), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(
            i18n.LANG_COOKIE,
            lang,
            max_age=ONE_YEAR,
            samesite="lax",
            httponly=True,
            secure=get_settings().cookie_secure,
        )
    return response
