"""``/docs`` (Swagger UI) and ``/redoc`` served without a CDN and without inline script.

The bundles come from the ``fastapi-offline`` package (version pinned in constraints.txt;
it ships swagger-ui-dist 5 and Redoc 2); the pages load them from ``/docs/assets/`` and start
them with the small same-origin scripts beside this file, so the CSP stays ``script-src
'self'``. Swagger UI signs its write requests with the session's CSRF token
(``GET /api/auth/csrf``) so "Try it out" works in a signed-in browser; a bearer token entered
with "Authorize" works as well.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

_HERE = Path(__file__).resolve().parent
BUNDLES = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS = "/docs/assets"

_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} · API</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head><body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-init.js"></script>
</body></html>
"""

_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} · API reference</title>
<link rel="icon" href="{assets}/favicon.png">
</head><body>
<div id="redoc" data-openapi-url="{openapi_url}"></div>
<script src="{assets}/redoc.standalone.js"></script>
<script src="/docs/redoc-init.js"></script>
</body></html>
"""


def install(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc`` and their assets (build the app with docs_url=None)."""
    openapi_url = app.openapi_url or "/openapi.json"
    values = {"title": app.title, "assets": ASSETS, "openapi_url": openapi_url}
    swagger = _SWAGGER_PAGE.format(**values)
    redoc = _REDOC_PAGE.format(**values)
    app.mount(ASSETS, StaticFiles(directory=BUNDLES), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_page() -> HTMLResponse:
        return HTMLResponse(swagger)

    @app.get("/redoc", include_in_schema=False)
    def redoc_page() -> HTMLResponse:
        return HTMLResponse(redoc)

    @app.get("/docs/swagger-init.js", include_in_schema=False)
    def swagger_init() -> FileResponse:
        return FileResponse(_HERE / "swagger-init.js", media_type="text/javascript")

    @app.get("/docs/redoc-init.js", include_in_schema=False)
    def redoc_init() -> FileResponse:
        return FileResponse(_HERE / "redoc-init.js", media_type="text/javascript")
