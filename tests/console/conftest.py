"""A small world for console tests: two teams' cases and signed-in browsers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Case, Debt
from tests.portfolio.conftest import csv_of, row


@dataclass
class ConsoleWorld:
    north_case: int
    north_case_2: int
    south_case: int
    north_debtor: int


def _case_of(db_session: Session, account: str) -> Case:
    debt = db_session.scalar(select(Debt).where(Debt.account_reference == account))
    assert debt is not None
    case = db_session.scalar(select(Case).where(Case.debt_id == debt.id))
    assert case is not None
    return case


@pytest.fixture
def console_world(db_session: Session) -> ConsoleWorld:
    """Two north cases (one large balance) and one south case."""
    portfolio_service.import_portfolio(
        db_session=db_session,
        data=csv_of(
            row(),
            row(
                account_reference="ACC-2",
                debtor_reference="DEB-2",
                given_names="Lucía",
                family_names="García Pérez",
                national_id="",
                phones="+34 612 345 678",
                emails="lucia.garcia@example.es",
                principal="5000.00",
            ),
        ),
        file="north.csv",
        creditor_name="North Bank",
        team_name="north",
        actor="test",
    )
    portfolio_service.import_portfolio(
        db_session=db_session,
        data=csv_of(
            row(
                account_reference="ACC-S",
                debtor_reference="DEB-S",
                given_names="Sam",
                family_names="South",
                national_id="",
                phones="06 99 88 77 66",
                emails="sam.south@example.org",
            )
        ),
        file="south.csv",
        creditor_name="South Bank",
        team_name="south",
        actor="test",
    )
    db_session.commit()
    north = _case_of(db_session, "ACC-1")
    return ConsoleWorld(
        north_case=north.id,
        north_case_2=_case_of(db_session, "ACC-2").id,
        south_case=_case_of(db_session, "ACC-S").id,
        north_debtor=north.debt.debtor_id,
    )


def sign_in(client: TestClient, username: str, password: str) -> str:
    """Sign a browser in; returns the session's CSRF token."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    found = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert found
    return found.group(1)


@pytest.fixture
def agent_browser(client: TestClient, make_user: Any) -> tuple[TestClient, dict[str, str]]:
    """A browser signed in as a north agent, with the CSRF header HTMX would send."""
    _, password = make_user("nina", "agent", ["north"])
    csrf = sign_in(client, "nina", password)
    return client, {"X-CSRF-Token": csrf, "HX-Request": "true"}
