"""The OpenAPI document as the API really answers it: errors are ``application/problem+json``.

FastAPI documents a 422 as ``application/json`` and nothing else; the app answers every error
as an RFC 9457 problem document. After FastAPI builds the document, each operation gets the
problem responses it can give, derived from what the route is:

- 401 and 403: it needs a principal (bearer token or session; 403 for a role, the CSRF token or
  an auditor changing state);
- 400, 413: it reads a body (unparseable; larger than the limit);
- 404: it names an object (a path parameter, or a query parameter ending in ``_id``);
- 409: it changes state as a principal (the object exists already or was decided already);
- 422: it has parameters or a body;
- anything the route declares with ``responses=concilia.errors.problem_responses(...)``.

``tests/test_openapi_fuzz.py`` sends generated requests to every operation and fails on any
status or content type answered but not documented, so a rule that is wrong shows up there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant

PROBLEM = "application/problem+json"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Every bad value: {loc, msg, type} for a request that does not match "
            "its schema, {file, row, field, reason} for a bad input file.",
            "items": {"type": "object"},
        },
    },
}

DESCRIPTIONS = {
    400: "The body could not be read",
    401: "Not authenticated: no, expired or revoked token or session",
    403: "Forbidden: the principal's role does not allow it, or the CSRF token is missing",
    404: "Not found (also answered for an object the principal may not see)",
    409: "Conflict with the object's current state (it exists already, or was decided)",
    413: "The body is larger than the server accepts",
    422: "Invalid request: every bad value is listed under errors",
    429: "Too many requests: wait and try again",
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _api_routes(routes: list[Any]) -> Iterator[Any]:
    """Every API route with its effective path and dependencies (an included router's
    routes carry its prefix and dependencies only in their route context)."""
    for context in routing.iter_route_contexts(routes):
        if isinstance(context.original_route, routing.APIRoute) and context.include_in_schema:
            yield context


def _statuses(
    route: Any, method: str, operation: dict[str, Any], principal: Callable[..., Any]
) -> set[int]:
    needs_principal = any(call is principal for call in _calls(route.dependant))
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses: set[int] = set()
    if needs_principal:
        statuses |= {401, 403}
        if method in UNSAFE_METHODS:
            statuses.add(409)
    if has_body:
        statuses |= {400, 413}
    if parameters or has_body:
        statuses.add(422)
    if any(p["in"] == "path" or p["name"].endswith("_id") for p in parameters):
        statuses.add(404)
    statuses |= {int(code) for code in operation.get("responses", {}) if code.isdigit()}
    return {s for s in statuses if 400 <= s < 500}


def document_problems(
    schema: dict[str, Any], routes: list[Any], principal: Callable[..., Any]
) -> dict[str, Any]:
    """Add the problem responses of every operation to ``schema`` (in place); return it."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for route in _api_routes(routes):
        for method in sorted(route.methods):
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(route, method, operation, principal)):
                declared = responses.get(str(status), {})
                description = declared.get("description")
                if not description or description == "Validation Error":
                    description = DESCRIPTIONS.get(status, "Error")
                responses[str(status)] = {"description": description, "content": problem}
    _drop_unused_components(schema)
    return schema


def _drop_unused_components(schema: dict[str, Any]) -> None:
    """FastAPI's HTTPValidationError shapes are no longer referenced once 422 is a problem."""
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        if name in components:
            rest = {k: v for k, v in components.items() if k != name}
            text = repr(schema.get("paths", {})) + repr(rest)
            if f"#/components/schemas/{name}'" not in text:
                del components[name]


def install(app: FastAPI, principal: Callable[..., Any]) -> None:
    """Make ``app.openapi()`` document the problem responses; ``principal`` is the dependency
    that authenticates (a route depending on it can answer 401 and 403)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(build(), app.routes, principal)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
