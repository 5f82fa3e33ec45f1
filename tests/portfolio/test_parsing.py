"""Reading the portfolio format: numbers, dates, delimiters, BOM, and every problem listed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from concilia.errors import InvalidInput
from concilia.portfolio.parsing import COLUMNS, REQUIRED, parse_bytes, parse_decimal

DATA = Path(__file__).parent / "data"
HEADER = ",".join(REQUIRED)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),  # no-break space
        ("1\u202f234,56", "1234.56"),  # narrow no-break space (French typography)
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234 567", "1234567"),
        ("0,5", "0.5"),
    ],
)
def test_decimal_forms(text: str, value: str) -> None:
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12 34,5", "1,2,3", "1.234.567", "abc", "1,", "١٢", "1,٢"])
def test_malformed_decimals(text: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_french_file_with_bom_semicolons_decimal_comma_and_day_first_dates() -> None:
    french = parse_bytes(
        (DATA / "fr_semicolon_bom_decimal_comma.csv").read_bytes(),
        file="fr.csv",
        date_format="%d/%m/%Y",
    )
    plain = parse_bytes((DATA / "plain_comma.csv").read_bytes(), file="plain.csv")
    assert len(french) == len(plain) == 8
    # Same debts whichever way they are written, down to the cent and the day.
    assert french == plain
    assert any(r.principal >= 1000 for r in french)  # thousands separators were exercised


def test_names_are_kept_intact() -> None:
    data = (
        f"{HEADER},phones\n"
        "A1,D1,María José,García López,ES,10.00,EUR,612345678\n"
        "A2,D2,Jean-Pierre,de La Fontaine,FR,10.00,EUR,06 12 34 56 78|+33 7 12 34 56 78\n"
    ).encode()
    rows = parse_bytes(data, file="n.csv")
    assert (rows[0].given_names, rows[0].family_names) == ("María José", "García López")
    assert rows[1].family_names == "de La Fontaine"
    assert rows[0].phones == ("+34612345678",)
    assert rows[1].phones == ("+33612345678", "+33712345678")
    assert rows[1].preferred_language == "fr" and rows[1].time_zone == "Europe/Paris"


def test_every_problem_is_listed_with_row_and_column() -> None:
    data = (
        f"{HEADER},date_of_birth,emails,time_zone\n"
        "A1,D1,Ana,Ruiz,ES,10.00,EUR,1980-01-02,ana@example.com,Europe/Madrid\n"  # good
        "A2,D2,Bob,Smith,XX,12.5.3,EUR,1980-13-01,not-an-email,Mars/Base\n"
        "A3,D3,,Lee,US,-4,JPY,,,\n"
        "A1,D4,Eve,Roe,UK,1.00,GBP,,,\n"  # duplicate account reference
        "A5,D5,Too,Few\n"
    ).encode()
    with pytest.raises(InvalidInput) as caught:
        parse_bytes(data, file="bad.csv")
    found = {(p.row, p.field) for p in caught.value.problems}
    assert found == {
        (3, "jurisdiction"),
        (3, "principal"),
        (3, "date_of_birth"),
        (3, "emails"),
        (3, "time_zone"),
        (4, "given_names"),
        (4, "principal"),
        (4, "currency"),
        (5, "account_reference"),
        (6, "(row)"),
    }
    assert all(p.file == "bad.csv" for p in caught.value.problems)
    duplicate = next(p for p in caught.value.problems if p.row == 5)
    assert "row 2" in duplicate.reason
    assert str(duplicate).startswith("bad.csv:5: column account_reference:")


def test_missing_and_unknown_columns_are_reported_on_the_header() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_bytes(b"account_reference,given_names,colour\nA1,Ann,red\n", file="h.csv")
    problems = {(p.row, p.field) for p in caught.value.problems}
    assert (1, "colour") in problems
    for missing in set(REQUIRED) - {"account_reference", "given_names"}:
        assert (1, missing) in problems


def test_date_format_applies_to_the_whole_file() -> None:
    data = f"{HEADER},charge_off_date\nA1,D1,Ann,Lee,UK,1,GBP,31/01/2024\n".encode()
    assert parse_bytes(data, file="d.csv", date_format="%d/%m/%Y")[0].charge_off_date == date(
        2024, 1, 31
    )
    with pytest.raises(InvalidInput) as caught:
        parse_bytes(data, file="d.csv")
    assert caught.value.problems[0].field == "charge_off_date"


def test_not_utf8_and_empty_files() -> None:
    with pytest.raises(InvalidInput, match="1 bad row"):
        parse_bytes(f"{HEADER}\nA1,D1,Andr\xe9,L,FR,1,EUR\n".encode("latin-1"), file="l.csv")
    with pytest.raises(InvalidInput):
        parse_bytes(b"", file="empty.csv")


def test_columns_contract_is_unchanged() -> None:
    assert set(COLUMNS) == {
        "account_reference", "debtor_reference", "given_names", "family_names", "date_of_birth",
        "national_id", "address_line", "postal_code", "city", "country", "address_since",
        "previous_address_line", "previous_postal_code", "previous_city", "previous_country",
        "previous_address_until", "phones", "emails", "phones_provenance", "emails_provenance",
        "creditor_notice_date", "employer", "preferred_language",
        "time_zone", "jurisdiction", "original_creditor", "principal", "interest", "fees",
        "currency", "interest_rate", "charge_off_date", "last_payment_date", "status",
    }  # fmt: skip


def test_the_documented_example_parses() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "portfolio-format.md").read_text()
    example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    rows = parse_bytes(example.encode(), file="doc.csv")
    assert [(r.family_names, r.principal) for r in rows] == [
        ("de La Fontaine", Decimal("1234.56")),
        ("García López", Decimal("980.00")),
    ]
