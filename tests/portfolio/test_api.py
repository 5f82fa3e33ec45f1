"""The portfolio API: team scoping on every case route (404 for another team), and imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Case, Debt
from concilia.portfolio.money import Money
from tests.portfolio.conftest import ImportFn, counts, csv_of, row

P = "/api/portfolio"


@dataclass
class World:
    case_id: int
    debt_id: int
    debtor_id: int
    promise_id: int
    north: dict[str, str]
    south: dict[str, str]
    admin: dict[str, str]


@pytest.fixture
def world(db_session: Session, do_import: ImportFn, auth_headers: Any) -> World:
    north = auth_headers("nina", "agent", ["north"])
    south = auth_headers("sam", "agent", ["south"])
    admin = auth_headers("ada", "admin", [])
    do_import(csv_of(row(), row(account_reference="ACC-2", debtor_reference="DEB-2")))
    debt = db_session.scalar(select(Debt).where(Debt.account_reference == "ACC-1"))
    assert debt is not None
    case = db_session.scalar(select(Case).where(Case.debt_id == debt.id))
    assert case is not None
    promise = portfolio_service.create_promise(
        db_session=db_session,
        debt_id=debt.id,
        amount=Money.of("25", "EUR"),
        due_on=date(2026, 12, 1),
        actor="test",
    )
    db_session.commit()
    return World(case.id, debt.id, debt.debtor_id, promise.id, north, south, admin)


# Every route that reads or changes one case (or what hangs off it), with a valid body.
CASE_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/cases/{case_id}", None),
    ("PATCH", "/cases/{case_id}", {"stage": "contacting"}),
    ("PUT", "/cases/{case_id}/flags/{flag}", {"value": True, "reason": "said so on the phone"}),
    ("PUT", "/cases/{case_id}/assignment", {"agent_id": None}),
    ("GET", "/cases/{case_id}/payments", None),
    (
        "POST",
        "/cases/{case_id}/payments",
        {"amount": "10.00", "currency": "EUR", "received_on": "2026-11-20"},
    ),
    ("GET", "/cases/{case_id}/promises", None),
    (
        "POST",
        "/cases/{case_id}/promises",
        {"amount": "5", "currency": "EUR", "due_on": "2026-12-24"},
    ),
    ("PUT", "/cases/{case_id}/promises/{promise_id}", {"status": "cancelled"}),
    ("GET", "/cases/{case_id}/plans", None),
    (
        "POST",
        "/cases/{case_id}/plans",
        {"instalments": 3, "frequency": "monthly", "start_on": "2026-12-01"},
    ),
    ("GET", "/debts/{debt_id}", None),
    ("GET", "/debtors/{debtor_id}", None),
]


def _url(template: str, w: World) -> str:
    return P + template.format(
        case_id=w.case_id,
        flag="vulnerable",
        promise_id=w.promise_id,
        debt_id=w.debt_id,
        debtor_id=w.debtor_id,
    )


def test_the_route_list_covers_every_case_route(app: FastAPI) -> None:
    scoped = {
        (method.upper(), path.removeprefix(P))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(P) and any(k in path for k in ("{case_id}", "{debt_id}", "{debtor_id}"))
        for method in operations
    }
    assert scoped == {(m, path) for m, path, _ in CASE_ROUTES}


def _case_state(db_session: Session, case_id: int) -> dict[str, Any]:
    db_session.expire_all()
    case = db_session.get(Case, case_id)
    assert case is not None
    return {c.key: getattr(case, c.key) for c in Case.__table__.columns}


def test_another_teams_case_is_404_on_every_route(
    client: TestClient, db_session: Session, world: World
) -> None:
    # One world for all routes (users cost an Argon2 hash each); routes run in order, so each
    # denied call is compared with the state the previous allowed call left.
    for method, template, body in CASE_ROUTES:
        route = f"{method} {template}"
        before = (counts(db_session), _case_state(db_session, world.case_id))
        denied = client.request(method, _url(template, world), json=body, headers=world.south)
        assert denied.status_code == 404, (route, denied.text)
        assert denied.headers["content-type"].startswith("application/problem+json")
        # Nothing written, not even an audit entry.
        assert (counts(db_session), _case_state(db_session, world.case_id)) == before, route

        allowed = client.request(method, _url(template, world), json=body, headers=world.north)
        assert allowed.status_code in (200, 201), (route, allowed.text)
        if method == "GET":
            oversight = client.get(_url(template, world), headers=world.admin)
            assert oversight.status_code == 200, (route, oversight.text)


def test_case_list_is_scoped_to_the_team(client: TestClient, world: World) -> None:
    listed = client.get(f"{P}/cases", headers=world.north).json()
    assert listed["total"] == 2
    assert {c["account_reference"] for c in listed["items"]} == {"ACC-1", "ACC-2"}
    assert client.get(f"{P}/cases", headers=world.south).json()["total"] == 0
    assert client.get(f"{P}/cases", headers=world.admin).json()["total"] == 2
    assert client.get(f"{P}/cases/999999", headers=world.admin).status_code == 404


def test_case_detail_decrypts_for_the_team_and_shows_the_balance(
    client: TestClient, world: World
) -> None:
    detail = client.get(f"{P}/cases/{world.case_id}", headers=world.north).json()
    assert detail["debtor"]["date_of_birth"] == "1971-04-23"
    assert detail["debtor"]["phones"] == ["+33611223344"]
    assert detail["debtor"]["family_names"] == "de La Fontaine"
    assert detail["balance"] == {
        "currency": "EUR",
        "principal": "1000.00",
        "interest": "0.00",
        "fees": "30.00",
        "total": "1030.00",
        "credit": "0.00",
    }


def test_flag_change_is_audited_without_the_reason_in_clear(
    client: TestClient, world: World
) -> None:
    url = f"{P}/cases/{world.case_id}/flags/cease_contact"
    changed = client.put(
        url, json={"value": True, "reason": "asked us to stop"}, headers=world.north
    )
    assert changed.status_code == 200 and changed.json()["cease_contact"] is True
    entries = client.get(
        "/api/audit/entries",
        params={"object_type": "case", "object_id": str(world.case_id)},
        headers=world.admin,
    ).json()["items"]
    assert entries[0]["action"] == "portfolio.case_flag_set"
    assert entries[0]["detail"] == {"flag": "cease_contact", "value": True}
    assert "asked us" not in str(entries)
    unknown = client.put(
        f"{P}/cases/{world.case_id}/flags/rich", json={"value": True, "reason": "xyz"},
        headers=world.north,
    )  # fmt: skip
    assert unknown.status_code == 422


def test_agents_only_assign_cases_to_themselves(
    client: TestClient, world: World, make_user: Any, db_session: Session
) -> None:
    nina_id = client.get("/api/auth/me", headers=world.north).json()["id"]
    url = f"{P}/cases/{world.case_id}/assignment"
    assert client.put(url, json={"agent_id": nina_id}, headers=world.north).status_code == 200
    other, _ = make_user("olga", "agent", ["north"])
    assert client.put(url, json={"agent_id": other.id}, headers=world.north).status_code == 403
    sam_id = client.get("/api/auth/me", headers=world.south).json()["id"]
    refused = client.put(url, json={"agent_id": sam_id}, headers=world.admin)
    assert refused.status_code == 422  # not a member of the case's team
    assert client.put(url, json={"agent_id": other.id}, headers=world.admin).status_code == 200


def test_payment_over_the_api_returns_the_split(client: TestClient, world: World) -> None:
    paid = client.post(
        f"{P}/cases/{world.case_id}/payments",
        json={"amount": "100.10", "currency": "EUR", "received_on": date.today().isoformat()},
        headers=world.north,
    )
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert {a["component"]: a["amount"] for a in body["payment"]["allocations"]} == {
        "principal": "100.10"
    }
    assert body["balance"]["total"] == "929.90"
    bad = client.post(
        f"{P}/cases/{world.case_id}/payments",
        json={"amount": "1.001", "currency": "EUR", "received_on": "2026-01-01"},
        headers=world.north,
    )
    assert bad.status_code == 422


def test_import_over_the_api(
    client: TestClient, db_session: Session, auth_headers: Any, world: World
) -> None:
    boss = auth_headers("bea", "supervisor", ["north"])
    data = csv_of(row(account_reference="API-1"), row(account_reference="API-2"))
    form = {"creditor": "Api Creditor", "team": "north"}
    sent = client.post(
        f"{P}/imports", files={"file": ("api.csv", data, "text/csv")}, data=form, headers=boss
    )
    assert sent.status_code == 200, sent.text
    assert (sent.json()["created"], sent.json()["changed"]) == (2, True)
    again = client.post(
        f"{P}/imports", files={"file": ("api.csv", data, "text/csv")}, data=form, headers=boss
    ).json()
    assert (again["unchanged"], again["changed"]) == (2, False)
    assert "nothing changed" in again["message"]

    before = counts(db_session)
    bad = csv_of(row(account_reference="API-3", principal="abc"), row(currency="XXX"))
    refused = client.post(
        f"{P}/imports", files={"file": ("bad.csv", bad, "text/csv")}, data=form, headers=boss
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [(e["file"], e["row"], e["field"]) for e in refused.json()["errors"]] == [
        ("bad.csv", 2, "principal"),
        ("bad.csv", 3, "currency"),
    ]
    assert counts(db_session) == before

    other_team = client.post(
        f"{P}/imports",
        files={"file": ("api.csv", data, "text/csv")},
        data={"creditor": "Api Creditor", "team": "south"},
        headers=boss,
    )
    assert other_team.status_code == 403
    agent = client.post(
        f"{P}/imports", files={"file": ("api.csv", data, "text/csv")}, data=form,
        headers=world.north,
    )  # fmt: skip
    assert agent.status_code == 403
