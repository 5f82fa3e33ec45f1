"""Object-level authorisation of imports and of a creditor's allocation order.

An import creates or updates only cases of the importer's teams: a row naming an account, or
a debtor, that already has a case of another team is refused with its row and field, and
nothing at all is written. Only an admin sets a creditor's allocation order.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from concilia.auth import service as auth_service
from concilia.cli import app as cli_app
from concilia.db import session_scope
from concilia.errors import InvalidInput
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Creditor, Debt, Debtor
from tests.portfolio.conftest import ImportFn, counts, csv_of, row

P = "/api/portfolio"
# Team B's attacker rewrites team A's debt and debtor.
HIJACK = row(principal="1.00", given_names="Mallory", emails="mallory@example.net")


def _post(client: TestClient, headers: dict[str, str], data: bytes, team: str) -> Any:
    return client.post(
        f"{P}/imports",
        files={"file": ("p.csv", data, "text/csv")},
        data={"creditor": "Acme Bank", "team": team},
        headers=headers,
    )


def _state(db_session: Session) -> tuple[dict[str, int], Decimal, str]:
    db_session.expire_all()
    debt = db_session.scalar(select(Debt).where(Debt.account_reference == "ACC-1"))
    debtor = db_session.scalar(select(Debtor).where(Debtor.debtor_reference == "DEB-1"))
    assert debt is not None and debtor is not None
    return counts(db_session), debt.principal, debtor.given_names


def test_another_teams_supervisor_cannot_overwrite_by_import(
    client: TestClient, db_session: Session, do_import: ImportFn, auth_headers: Any
) -> None:
    do_import(csv_of(row()), team_name="north")
    db_session.commit()
    south_boss = auth_headers("sabine", "supervisor", ["south"])
    before = _state(db_session)

    refused = _post(client, south_boss, csv_of(HIJACK), "south")
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    errors = refused.json()["errors"]
    assert [(e["file"], e["row"], e["field"]) for e in errors] == [
        ("p.csv", 2, "account_reference"),
        ("p.csv", 2, "debtor_reference"),
    ]
    assert all("team you may not import into" in e["reason"] for e in errors)
    assert _state(db_session) == before  # principal 1000.00 and Jean-Pierre, no audit entry


def test_a_new_account_of_another_teams_debtor_is_refused_and_nothing_written(
    client: TestClient, db_session: Session, do_import: ImportFn, auth_headers: Any
) -> None:
    do_import(csv_of(row()), team_name="north")
    db_session.commit()
    south_boss = auth_headers("sabine", "supervisor", ["south"])
    before = _state(db_session)
    # A good new debt first, then a new account that would rename north's debtor.
    data = csv_of(
        row(account_reference="S-1", debtor_reference="S-DEB"),
        row(account_reference="S-2", given_names="Mallory"),
    )
    refused = _post(client, south_boss, data, "south")
    assert refused.status_code == 422, refused.text
    assert [(e["row"], e["field"]) for e in refused.json()["errors"]] == [(3, "debtor_reference")]
    assert _state(db_session) == before  # not even the good row's debt


def test_own_teams_supervisor_and_admin_may_update(
    client: TestClient, db_session: Session, do_import: ImportFn, auth_headers: Any
) -> None:
    do_import(csv_of(row()), team_name="north")
    db_session.commit()
    north_boss = auth_headers("nora", "supervisor", ["north"])
    updated = _post(client, north_boss, csv_of(row(principal="900.00")), "north")
    assert updated.status_code == 200, updated.text
    assert updated.json()["updated"] == 1
    admin = auth_headers("ada", "admin", [])
    # An admin's scope is every team: the case stays in north, whatever team the form names.
    again = _post(client, admin, csv_of(row(principal="800.00")), "south")
    assert again.status_code == 200, again.text
    assert _state(db_session)[1] == Decimal("800.00")


def test_service_scope_refuses_and_none_is_trusted(
    db_session: Session, do_import: ImportFn
) -> None:
    do_import(csv_of(row()), team_name="north")
    north = auth_service.get_team_by_name(db_session=db_session, name="north")
    assert north is not None
    before = counts(db_session)
    with pytest.raises(InvalidInput) as caught:
        do_import(csv_of(HIJACK), team_name="south", team_scope=frozenset({north.id + 1000}))
    assert {(p.row, p.field) for p in caught.value.problems} == {
        (2, "account_reference"),
        (2, "debtor_reference"),
    }
    assert counts(db_session) == before
    assert do_import(csv_of(HIJACK), team_scope=frozenset({north.id})).updated == 1


def test_cli_import_touches_only_its_team(tmp_path: Path, cli_database: None) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(csv_of(row()))
    runner = CliRunner()
    first = runner.invoke(cli_app, ["portfolio", "import", str(path), "--creditor", "Acme Bank"])
    assert first.exit_code == 0, first.output
    path.write_bytes(csv_of(HIJACK))
    refused = runner.invoke(
        cli_app,
        ["portfolio", "import", str(path), "--creditor", "Acme Bank", "--team", "other"],
    )
    assert refused.exit_code == 1
    assert "team you may not import into" in refused.output
    with session_scope() as session:
        debt = session.scalar(select(Debt).where(Debt.account_reference == "ACC-1"))
        assert debt is not None and debt.principal == Decimal("1000.00")
        assert auth_service.get_team_by_name(db_session=session, name="other") is None


def test_only_an_admin_sets_an_allocation_order(
    client: TestClient, db_session: Session, do_import: ImportFn, auth_headers: Any
) -> None:
    do_import(csv_of(row()), team_name="north")
    db_session.commit()
    creditor = db_session.scalar(select(Creditor))
    assert creditor is not None
    url = f"{P}/creditors/{creditor.id}/allocation-order"
    order = {"allocation_order": ["principal", "interest", "fees"]}
    # Even the supervisor of every team holding the creditor's cases: the order also governs
    # cases imported later into other teams.
    north_boss = auth_headers("nora", "supervisor", ["north"])
    denied = client.put(url, json=order, headers=north_boss)
    assert denied.status_code == 403
    created = client.post(f"{P}/creditors", json={"name": "New Bank", **order}, headers=north_boss)
    assert created.status_code == 403
    plain = client.post(f"{P}/creditors", json={"name": "New Bank"}, headers=north_boss)
    assert plain.status_code == 201
    admin = auth_headers("ada", "admin", [])
    assert client.put(url, json=order, headers=admin).status_code == 200
    db_session.expire_all()
    found = portfolio_service.get_creditor(db_session=db_session, creditor_id=creditor.id)
    assert found.allocation_order == ["principal", "interest", "fees"]
