"""Object-level authorisation across domains: another team's case, debt or debtor is a 404.

The portfolio's own routes are covered in tests/portfolio/test_api.py; this file covers every
other domain's route that names a case, a debt or a debtor, and fails when a new such route
appears without being listed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.auth import service as auth_service
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Case, Debt
from tests.portfolio.conftest import csv_of, row

SCOPED_KEYS = ("{case_id}", "{debt_id}", "{debtor_id}")
ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/cases/{case_id}/signals", None),
    ("POST", "/api/cases/{case_id}/signals/decision", {"decision": "rejected", "reason": "x"}),
    ("GET", "/api/outreach/cases/{case_id}/outbox", None),
    ("GET", "/api/tracing/whereabouts/debtors/{debtor_id}", None),
    ("POST", "/api/tracing/whereabouts/debtors/{debtor_id}", {}),
    ("POST", "/api/console/cases/{case_id}/messages/check", {"channel": "email", "body": "x"}),
    (
        "POST",
        "/api/console/cases/{case_id}/messages",
        {"channel": "email", "to": "x@example.org", "body": "x"},
    ),
    ("POST", "/api/console/cases/{case_id}/calls", {"phone": "+33611223344", "outcome": "busy"}),
    (
        "POST",
        "/api/console/cases/{case_id}/identity-verifications",
        {"channel": "email", "address": "x@example.org", "method": "date_of_birth"},
    ),
    ("GET", "/api/console/cases/{case_id}/replies", None),
    ("GET", "/api/strategy/cases/{case_id}", None),
]
# Console pages (not in the OpenAPI document): a browser signed in to another team.
PAGES: list[tuple[str, str, dict[str, str] | None]] = [
    ("GET", "/console/cases/{case_id}", None),
    ("POST", "/console/cases/{case_id}/candidates/{candidate_id}", {"decision": "accept"}),
    ("POST", "/console/cases/{case_id}/signals", {"decision": "accept", "reason": "x"}),
    (
        "POST",
        "/console/cases/{case_id}/whereabouts/{inference_id}",
        {"decision": "accept", "reason": "x"},
    ),
    ("POST", "/console/cases/{case_id}/check", {"body": "x"}),
    ("POST", "/console/cases/{case_id}/template", {"template": "reminder"}),
    ("POST", "/console/cases/{case_id}/messages", {"channel": "email", "to": "x", "body": "x"}),
    (
        "POST",
        "/console/cases/{case_id}/identity",
        {"channel": "email", "address": "x", "method": "x"},
    ),
    ("POST", "/console/cases/{case_id}/calls/check", {"phone": "+33611223344"}),
    ("POST", "/console/cases/{case_id}/calls", {"phone": "+33611223344", "outcome": "busy"}),
    ("POST", "/console/cases/{case_id}/payments", {"amount": "1", "received_on": "2026-11-01"}),
    ("POST", "/console/cases/{case_id}/promises", {"amount": "1", "due_on": "2026-12-01"}),
    (
        "POST",
        "/console/cases/{case_id}/plans",
        {"instalments": "2", "frequency": "monthly", "start_on": "2026-12-01"},
    ),
]


@dataclass
class World:
    ids: dict[str, int]
    north: dict[str, str]
    south: dict[str, str]


@pytest.fixture
def world(db_session: Session, auth_headers: Any) -> World:
    north = auth_headers("nora", "agent", ["north"])
    south = auth_headers("saul", "agent", ["south"])
    portfolio_service.import_portfolio(
        db_session=db_session,
        data=csv_of(row()),
        file="scoping.csv",
        creditor_name="Scoping Bank",
        team_name="north",
        actor="test",
    )
    debt = db_session.scalar(select(Debt).where(Debt.account_reference == "ACC-1"))
    assert debt is not None
    case = db_session.scalar(select(Case).where(Case.debt_id == debt.id))
    assert case is not None
    db_session.commit()
    ids = {"case_id": case.id, "debt_id": debt.id, "debtor_id": debt.debtor_id}
    return World(ids, north, south)


def test_every_scoped_route_outside_portfolio_is_listed(app: FastAPI) -> None:
    present = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if not path.startswith("/api/portfolio") and any(k in path for k in SCOPED_KEYS)
        for method in operations
    }
    assert present == {(m, p) for m, p, _ in ROUTES}


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_another_teams_object_is_not_found(
    client: TestClient, world: World, method: str, path: str, body: dict[str, Any] | None
) -> None:
    url = path.format(**world.ids)
    response = client.request(method, url, json=body, headers=world.south)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    own = client.request("GET", url, headers=world.north) if method == "GET" else None
    if own is not None:
        assert own.status_code == 200, own.text


def test_every_case_page_is_listed() -> None:
    from concilia.console.router import pages

    present = {
        (method, route.path)
        for route in pages.routes
        if isinstance(route, APIRoute) and "{case_id}" in route.path
        for method in route.methods or ()
    }
    assert present == {(m, p) for m, p, _ in PAGES}


def _browser_csrf(client: TestClient, username: str, password: str) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    signed = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    home = client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    return csrf.group(1)


@pytest.mark.parametrize(("method", "path", "data"), PAGES, ids=[f"{m} {p}" for m, p, _ in PAGES])
def test_another_teams_case_page_is_not_found(
    client: TestClient,
    world: World,
    make_user: Any,
    method: str,
    path: str,
    data: dict[str, str] | None,
) -> None:
    _, password = make_user("sasha", "agent", ["south"])
    csrf = _browser_csrf(client, "sasha", password)
    url = path.format(candidate_id=1, inference_id=1, **world.ids)
    response = client.request(method, url, data=data, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 404, response.text
    assert "Jean-Pierre" not in response.text


# Pages that list cases (not one case by id): another team's case is simply not on them.
LISTS = ["/console/cases", "/console/replies", "/console/mail", "/console/team"]


@pytest.mark.parametrize("path", LISTS)
def test_another_teams_case_is_on_no_list_page(
    client: TestClient, world: World, make_user: Any, path: str
) -> None:
    _, password = make_user("simone", "supervisor", ["south"])
    _browser_csrf(client, "simone", password)
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert f'href="/console/cases/{world.ids["case_id"]}"' not in response.text
    assert "Jean-Pierre" not in response.text


def test_a_supervisor_cannot_assign_another_teams_cases(
    client: TestClient, world: World, make_user: Any, db_session: Session
) -> None:
    nora = auth_service.get_user_by_username(db_session=db_session, username="nora")
    assert nora is not None
    _, password = make_user("simone", "supervisor", ["south"])
    csrf = _browser_csrf(client, "simone", password)
    response = client.post(
        "/console/team/assign",
        data={"agent_id": str(nora.id), "count": "5", "csrf_token": csrf},
    )
    assert response.status_code == 422
    case = db_session.get(Case, world.ids["case_id"])
    assert case is not None
    db_session.refresh(case)
    assert case.assigned_agent_id is None
