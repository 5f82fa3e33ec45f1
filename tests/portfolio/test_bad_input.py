"""Bad input to an import answers a clear row/field error, never a crash or a half-write."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from concilia.cli import app as cli_app
from concilia.errors import InvalidInput
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.columns import COLUMNS, MAX_LENGTH
from concilia.portfolio.parsing import check_date_format
from tests.portfolio.conftest import ImportFn, counts, csv_of, row

P = "/api/portfolio"


def _problems(do_import: ImportFn, data: bytes, **kwargs: Any) -> list[tuple[int, str, str]]:
    with pytest.raises(InvalidInput) as caught:
        do_import(data, **kwargs)
    return [(p.row, p.field, p.reason) for p in caught.value.problems]


@pytest.mark.parametrize("fmt", ["%Y%Y", "%d/%m", "%y-%m-%d", "%d/%d/%Y", "%Q", "", "%Y\x00"])
def test_a_date_format_that_cannot_round_trip_is_refused(fmt: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_date_format(fmt, file="p.csv")
    assert [(p.row, p.field) for p in caught.value.problems] == [(0, "date_format")]


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d"])
def test_usual_date_formats_pass(fmt: str) -> None:
    check_date_format(fmt, file="p.csv")


def test_bad_date_format_over_the_api_is_a_422_problem(
    client: TestClient, db_session: Session, auth_headers: Any
) -> None:
    admin = auth_headers("ada", "admin", [])
    before = counts(db_session)
    sent = client.post(
        f"{P}/imports",
        files={"file": ("p.csv", csv_of(row()), "text/csv")},
        data={"creditor": "Acme Bank", "date_format": "%Y%Y"},
        headers=admin,
    )
    assert sent.status_code == 422, sent.text
    assert sent.headers["content-type"].startswith("application/problem+json")
    assert [(e["row"], e["field"]) for e in sent.json()["errors"]] == [(0, "date_format")]
    assert counts(db_session) == before


def test_bad_date_format_in_the_cli_is_one_line(tmp_path: Path, cli_database: None) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(csv_of(row()))
    result = CliRunner().invoke(
        cli_app,
        ["portfolio", "import", str(path), "--creditor", "Acme", "--date-format", "%Y%Y"],
    )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "date_format" in lines[0], result.output
    assert "Traceback" not in result.output


def test_a_cell_past_the_csv_limit_is_a_row_error_over_the_api(
    client: TestClient, db_session: Session, auth_headers: Any
) -> None:
    admin = auth_headers("ada", "admin", [])
    huge = "x" * (csv.field_size_limit() + 10)
    data = csv_of(row(), row(account_reference="ACC-2", employer=huge))
    before = counts(db_session)
    sent = client.post(
        f"{P}/imports",
        files={"file": ("big.csv", data, "text/csv")},
        data={"creditor": "Acme Bank"},
        headers=admin,
    )
    assert sent.status_code == 422, sent.text
    assert sent.headers["content-type"].startswith("application/problem+json")
    errors = sent.json()["errors"]
    assert [(e["file"], e["row"], e["field"]) for e in errors] == [("big.csv", 3, "(row)")]
    assert "131,072 characters" in errors[0]["reason"]
    assert counts(db_session) == before


def test_a_long_cell_names_its_column(do_import: ImportFn) -> None:
    problems = _problems(do_import, csv_of(row(given_names="y" * 5000)))
    assert problems == [(2, "given_names", "longer than 200 characters")]


def test_every_column_is_bounded() -> None:
    assert set(MAX_LENGTH) == set(COLUMNS)
    assert max(MAX_LENGTH.values()) <= 500


def test_a_header_only_file_creates_nothing_and_says_so(
    db_session: Session, do_import: ImportFn
) -> None:
    before = counts(db_session)
    header = (",".join(COLUMNS) + "\n").encode()
    problems = _problems(do_import, header, creditor_name="Empty Bank")
    assert [(r, f) for r, f, _ in problems] == [(2, "(file)")]
    assert "no rows" in problems[0][2]
    assert counts(db_session) == before
    assert portfolio_service.get_creditor_by_name(db_session=db_session, name="Empty Bank") is None


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("given_names", "Jean\x00Pierre"),
        ("family_names", "Dupont\x1b[31m"),
        ("city", "Lyon\tCentre"),
        ("address_line", "12 rue\ndes Lilas"),
        ("employer", "Acme\x7f"),
        ("account_reference", "ACC\x00-1"),
    ],
)
def test_control_characters_are_refused_with_row_and_field(
    db_session: Session, do_import: ImportFn, column: str, value: str
) -> None:
    before = counts(db_session)
    second = row(account_reference="ACC-2")
    second[column] = value
    problems = _problems(do_import, csv_of(row(), second))
    assert [(r, f) for r, f, _ in problems] == [(3, column)]
    assert "control character" in problems[0][2]
    assert counts(db_session) == before


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("creditor", {"creditor_name": "Bank\x00"}),
        ("creditor", {"creditor_name": "B" * 201}),
        ("team", {"team_name": "north\x00"}),
        ("team", {"team_name": "t" * 101}),
    ],
)
def test_creditor_and_team_names_are_bounded_and_clean(
    do_import: ImportFn, field: str, kwargs: dict[str, str]
) -> None:
    problems = _problems(do_import, csv_of(row()), **kwargs)
    assert [(r, f) for r, f, _ in problems] == [(0, field)]


def test_form_fields_are_bounded_over_the_api(client: TestClient, auth_headers: Any) -> None:
    admin = auth_headers("ada", "admin", [])
    for form in ({"creditor": "B" * 201}, {"creditor": "B", "team": "t" * 101}):
        sent = client.post(
            f"{P}/imports",
            files={"file": ("p.csv", csv_of(row()), "text/csv")},
            data=form,
            headers=admin,
        )
        assert sent.status_code == 422, (form, sent.text)
        assert sent.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/creditors", {"name": "Bank\x00"}),
        ("/creditors", {"name": "B" * 201}),
        ("/creditors", {"name": "Bank", "allocation_order": ["fees"] * 1000}),
    ],
)
def test_request_schemas_are_bounded_and_clean(
    client: TestClient, db_session: Session, auth_headers: Any, path: str, body: dict[str, Any]
) -> None:
    admin = auth_headers("ada", "admin", [])
    before = counts(db_session)
    sent = client.post(f"{P}{path}", json=body, headers=admin)
    assert sent.status_code == 422, sent.text
    assert sent.headers["content-type"].startswith("application/problem+json")
    assert counts(db_session) == before


def test_payment_text_fields_refuse_control_characters(
    client: TestClient, db_session: Session, do_import: ImportFn, auth_headers: Any
) -> None:
    do_import(csv_of(row()), team_name="north")
    db_session.commit()
    north = auth_headers("nina", "agent", ["north"])
    case_id = client.get(f"{P}/cases", headers=north).json()["items"][0]["id"]
    payment = {"amount": "1.00", "currency": "EUR", "received_on": "2026-01-02"}
    for extra in ({"method": "card\x00"}, {"reference": "R\x1b1"}, {"reference": "r" * 101}):
        sent = client.post(
            f"{P}/cases/{case_id}/payments", json={**payment, **extra}, headers=north
        )
        assert sent.status_code == 422, (extra, sent.text)
    reason = {"value": True, "reason": "said\x00so"}
    flagged = client.put(f"{P}/cases/{case_id}/flags/vulnerable", json=reason, headers=north)
    assert flagged.status_code == 422
