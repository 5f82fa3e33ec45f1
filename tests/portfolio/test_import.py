"""Importing portfolios: all or nothing, every problem listed, idempotent, updates by reference."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia.errors import InvalidInput
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Case, Debt, Debtor, DebtorAddress
from concilia.portfolio.money import Money
from tests.portfolio.conftest import ImportFn, counts, csv_of, row

SAMPLE = Path(__file__).parents[2] / "data" / "sample" / "portfolio.csv"
DATA = Path(__file__).parent / "data"


def test_shipped_sample_imports_then_reimport_changes_nothing(
    db_session: Session, do_import: ImportFn
) -> None:
    data = SAMPLE.read_bytes()
    first = do_import(data)
    assert (first.created, first.updated, first.unchanged) == (first.rows, 0, 0)
    assert first.debtors_created == 200 and 230 <= first.rows <= 270
    jurisdictions = set(db_session.scalars(select(Debtor.jurisdiction).distinct()))
    assert jurisdictions == {"FR", "ES", "UK", "US"}
    assert db_session.scalar(select(func.count()).select_from(Case)) == first.rows
    spanish = db_session.scalars(select(Debtor.family_names).where(Debtor.jurisdiction == "ES"))
    assert all(" " in name for name in spanish)  # both surnames kept

    before = counts(db_session)
    again = do_import(data)
    assert not again.changed
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.rows)
    assert "nothing changed" in again.summary()
    assert counts(db_session) == before  # not even an audit entry


def test_french_style_file_imports_the_same_debts(db_session: Session, do_import: ImportFn) -> None:
    plain = do_import((DATA / "plain_comma.csv").read_bytes(), creditor_name="A")
    french = do_import(
        (DATA / "fr_semicolon_bom_decimal_comma.csv").read_bytes(),
        creditor_name="B",
        date_format="%d/%m/%Y",
    )
    assert plain.created == french.created == 8

    def amounts(name: str) -> list[tuple[str, Decimal, Decimal, date | None]]:
        creditor = portfolio_service.get_creditor_by_name(db_session=db_session, name=name)
        assert creditor is not None
        query = (
            select(Debt.account_reference, Debt.principal, Debt.fees, Debt.charge_off_date)
            .where(Debt.creditor_id == creditor.id)
            .order_by(Debt.account_reference)
        )
        return [tuple(r) for r in db_session.execute(query)]  # type: ignore[misc]

    assert amounts("A") == amounts("B")


def test_malformed_file_lists_every_bad_row_and_writes_nothing(
    db_session: Session, do_import: ImportFn
) -> None:
    do_import(csv_of(row()))  # something already there, which must stay as it is
    before = counts(db_session)
    data = csv_of(
        row(account_reference="OK-1", debtor_reference="D-OK"),
        row(account_reference="B-2", jurisdiction="DE"),
        row(account_reference="B-3", principal="12,3,4", date_of_birth="23/04/1971"),
        row(account_reference="OK-1", debtor_reference="D-X"),
        row(account_reference="B-5", currency="", phones="12", emails="no-at-sign"),
        row(account_reference="OK-6", debtor_reference="D-OK2"),
    )
    with pytest.raises(InvalidInput) as caught:
        do_import(data, creditor_name="New Creditor", team_name="new-team")
    assert sorted((p.row, p.field) for p in caught.value.problems) == [
        (3, "jurisdiction"),
        (4, "date_of_birth"),
        (4, "principal"),
        (5, "account_reference"),
        (6, "currency"),
        (6, "emails"),
        (6, "phones"),
    ]
    assert counts(db_session) == before
    assert (
        portfolio_service.get_creditor_by_name(db_session=db_session, name="New Creditor") is None
    )


def test_missing_required_column_writes_nothing(db_session: Session, do_import: ImportFn) -> None:
    before = counts(db_session)
    data = b"account_reference,debtor_reference,given_names\nA,B,C\n"
    with pytest.raises(InvalidInput) as caught:
        do_import(data)
    missing = {p.field for p in caught.value.problems}
    assert {"family_names", "jurisdiction", "principal", "currency"} <= missing
    assert counts(db_session) == before


def test_changed_file_updates_by_reference(db_session: Session, do_import: ImportFn) -> None:
    rows = [
        row(account_reference="A1", debtor_reference="D1"),
        row(account_reference="A2", debtor_reference="D2", given_names="María José",
            family_names="García López", jurisdiction="ES", phones="612345678", country="ES",
            city="Sevilla", emails=""),
        row(account_reference="A3", debtor_reference="D3", given_names="Oliver",
            family_names="O'Brien", jurisdiction="UK", currency="GBP", country="GB",
            phones="07700 900123", city="Leeds", emails=""),
    ]  # fmt: skip
    first = do_import(csv_of(*rows))
    assert (first.created, first.debtors_created) == (3, 3)

    rows[1] = {**rows[1], "principal": "1 500,00"}  # restated amount
    rows[2] = {**rows[2], "phones": "07700 900456"}  # new phone number
    rows.append(row(account_reference="A4", debtor_reference="D1"))  # second debt, same person
    second = do_import(csv_of(*rows))
    assert (second.created, second.updated, second.unchanged) == (1, 2, 1)
    assert (second.debtors_created, second.debtors_updated) == (0, 1)
    assert "1 created, 2 updated, 1 unchanged" in second.summary()

    debt = db_session.scalar(select(Debt).where(Debt.account_reference == "A2"))
    assert debt is not None
    assert debt.principal == Decimal("1500.00") and debt.principal_balance == Decimal("1500.00")
    oliver = db_session.scalar(select(Debtor).where(Debtor.debtor_reference == "D3"))
    assert oliver is not None
    db_session.refresh(oliver)
    phones = {(c.value_index, c.valid_to is None) for c in oliver.contacts if c.kind == "phone"}
    assert len(phones) == 2 and sum(current for _, current in phones) == 1  # old one kept
    assert portfolio_service.reveal_debtor(oliver).phones == ["+447700900456"]
    a4 = db_session.scalar(select(Debt).where(Debt.account_reference == "A4"))
    a1 = db_session.scalar(select(Debt).where(Debt.account_reference == "A1"))
    assert a4 is not None and a1 is not None and a4.debtor_id == a1.debtor_id


def test_restated_amounts_keep_payments_already_made(
    db_session: Session, do_import: ImportFn
) -> None:
    do_import(csv_of(row(interest_rate="")))
    debt = db_session.scalar(select(Debt))
    assert debt is not None
    portfolio_service.record_payment(
        db_session=db_session,
        debt_id=debt.id,
        amount=Money.of("100.00", "EUR"),
        received_on=date.today(),
        actor="test",
    )
    # FR order: no interest, so principal first: 1000.00 -> 900.00, fees untouched.
    assert debt.principal_balance == Decimal("900.00") and debt.fees_balance == Decimal("30.00")
    result = do_import(csv_of(row(interest_rate="", principal="1200.00", fees="10.00")))
    assert result.updated == 1
    db_session.refresh(debt)
    assert debt.principal_balance == Decimal("1100.00")
    assert debt.fees_balance == Decimal("10.00")


def test_moving_keeps_the_address_history(db_session: Session, do_import: ImportFn) -> None:
    do_import(csv_of(row()))
    do_import(
        csv_of(row(address_line="3 quai Saint-Vincent", city="Lyon", address_since="2026-03-01"))
    )
    do_import(csv_of(row(address_line="8 rue Nationale", city="Lille", postal_code="59000",
                         address_since="2026-09-15")))  # fmt: skip
    history = list(db_session.scalars(select(DebtorAddress).order_by(DebtorAddress.id)))
    assert [(a.line, a.valid_to) for a in history] == [
        ("12 rue des Lilas", date(2026, 3, 1)),
        ("3 quai Saint-Vincent", date(2026, 9, 15)),
        ("8 rue Nationale", None),
    ]
    tracing = list(portfolio_service.iter_debtors_for_tracing(db_session=db_session))
    assert tracing[0]["city"] == "Lille" and tracing[0]["previous_cities"] == ["Lyon", "Lyon"]


def test_previous_address_columns_enter_the_history(
    db_session: Session, do_import: ImportFn
) -> None:
    do_import(
        csv_of(
            row(previous_address_line="1 Calle Mayor", previous_city="Madrid",
                previous_country="ES", previous_address_until="2021-05-31")
        )
    )  # fmt: skip
    history = list(db_session.scalars(select(DebtorAddress).order_by(DebtorAddress.id)))
    assert [(a.city, a.country, a.valid_from, a.valid_to) for a in history] == [
        ("Madrid", "ES", None, date(2021, 5, 31)),
        ("Lyon", "FR", date(2021, 6, 1), None),
    ]


def test_disputed_status_sets_the_case_flag_and_team(
    db_session: Session, do_import: ImportFn
) -> None:
    do_import(csv_of(row(status="disputed"), row(account_reference="ACC-2")), team_name="south")
    cases = list(db_session.scalars(select(Case).order_by(Case.id)))
    assert [c.disputed for c in cases] == [True, False]
    assert len({c.team_id for c in cases}) == 1
    do_import(csv_of(row(status="disputed"), row(account_reference="ACC-2", status="disputed")),
              team_name="south")  # fmt: skip
    db_session.expire_all()
    assert [c.disputed for c in db_session.scalars(select(Case).order_by(Case.id))] == [True, True]


def test_same_reference_for_two_creditors_are_two_debts(
    db_session: Session, do_import: ImportFn
) -> None:
    do_import(csv_of(row()), creditor_name="One")
    result = do_import(csv_of(row()), creditor_name="Two")
    assert result.created == 1
    assert db_session.scalar(select(func.count()).select_from(Debt)) == 2


def test_time_barred_status_is_kept_for_outreach(db_session: Session, do_import: ImportFn) -> None:
    do_import(csv_of(row(status="time_barred")))
    debt = db_session.scalar(select(Debt).where(Debt.account_reference == "ACC-1"))
    assert debt is not None and debt.status == "time_barred"
    with pytest.raises(InvalidInput) as bad:
        do_import(csv_of(row(status="barred")))
    assert "status" in str(bad.value.problems[0])
