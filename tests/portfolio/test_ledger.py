"""Balances after partial payments, interest accrual, plans and promises — to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.errors import Conflict, InvalidInput
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Case, Debt
from concilia.portfolio.money import Money
from tests.portfolio.conftest import ImportFn, csv_of, row


def _debt(db_session: Session, do_import: ImportFn, **values: str) -> Debt:
    do_import(csv_of(row(**values)), creditor_name=values.get("account_reference", "Acme"))
    debt = db_session.scalar(select(Debt).order_by(Debt.id.desc()))
    assert debt is not None
    debt.interest_accrued_to = date(2026, 1, 1)  # a fixed start, whatever today is
    return debt


def _pay(db_session: Session, debt: Debt, amount: str, on: date) -> dict[str, Decimal]:
    _, split = portfolio_service.record_payment(
        db_session=db_session,
        debt_id=debt.id,
        amount=Money.of(amount, debt.currency),
        received_on=on,
        actor="test",
    )
    return {c.value: m.amount for c, m in split.parts.items()}


def _balance(debt: Debt) -> tuple[Decimal, Decimal, Decimal]:
    return debt.principal_balance, debt.interest_balance, debt.fees_balance


def test_french_partial_payments_accrue_then_pay_interest_first(
    db_session: Session, do_import: ImportFn
) -> None:
    debt = _debt(db_session, do_import)  # FR, 1000.00 principal, 30.00 fees, 3.65 %
    # 10 days at 0.10 a day: 1.00 interest, paid first, then principal; fees come last.
    parts = _pay(db_session, debt, "50.00", date(2026, 1, 11))
    assert parts == {"interest": Decimal("1.00"), "principal": Decimal("49.00"), "fees": 0}
    assert _balance(debt) == (Decimal("951.00"), Decimal("0.00"), Decimal("30.00"))
    # 10 more days on 951.00: 0.951 -> 0.95.
    parts = _pay(db_session, debt, "20.00", date(2026, 1, 21))
    assert parts["interest"] == Decimal("0.95") and parts["principal"] == Decimal("19.05")
    assert _balance(debt) == (Decimal("931.95"), Decimal("0.00"), Decimal("30.00"))
    # Owed = 1000 + 30 + 1.00 + 0.95 - 50 - 20.
    assert portfolio_service.balance_of(debt).total == Money.of("961.95", "EUR")
    assert debt.last_payment_date == date(2026, 1, 21)
    payments = portfolio_service.list_payments(db_session=db_session, debt_id=debt.id)
    assert [sum(a.amount for a in p.allocations) for p in payments] == [
        Decimal("50.00"),
        Decimal("20.00"),
    ]


def test_creditor_policy_changes_the_split(db_session: Session, do_import: ImportFn) -> None:
    debt = _debt(db_session, do_import)
    creditor = portfolio_service.get_creditor(db_session=db_session, creditor_id=debt.creditor_id)
    portfolio_service.set_allocation_order(
        db_session=db_session,
        creditor_id=creditor.id,
        order=["fees", "interest", "principal"],
        actor="test",
    )
    parts = _pay(db_session, debt, "50.00", date(2026, 1, 11))
    assert parts == {"fees": Decimal("30.00"), "interest": Decimal("1.00"), "principal": 19}
    assert _balance(debt) == (Decimal("981.00"), Decimal("0.00"), Decimal("0.00"))


def test_uk_default_pays_fees_first(db_session: Session, do_import: ImportFn) -> None:
    debt = _debt(
        db_session, do_import, jurisdiction="UK", currency="GBP", country="GB",
        phones="07700 900123", interest="12.34", interest_rate="",
    )  # fmt: skip
    parts = _pay(db_session, debt, "40.00", date(2026, 2, 1))
    assert parts == {"fees": Decimal("30.00"), "interest": Decimal("10.00"), "principal": 0}
    assert _balance(debt) == (Decimal("1000.00"), Decimal("2.34"), Decimal("0.00"))


def test_overpayment_is_kept_as_credit_and_the_case_is_paid(
    db_session: Session, do_import: ImportFn
) -> None:
    debt = _debt(db_session, do_import, interest_rate="")
    payment, split = portfolio_service.record_payment(
        db_session=db_session,
        debt_id=debt.id,
        amount=Money.of("1050.00", "EUR"),
        received_on=date(2026, 3, 1),
        actor="test",
    )
    assert payment.unapplied == Decimal("20.00") and split.unapplied == Money.of("20", "EUR")
    assert debt.credit_balance == Decimal("20.00") and debt.status == "paid"
    assert portfolio_service.balance_of(debt).total.is_zero()
    case = db_session.scalar(select(Case).where(Case.debt_id == debt.id))
    assert case is not None and case.stage == "paid"


def test_wrong_currency_or_amount_is_refused(db_session: Session, do_import: ImportFn) -> None:
    debt = _debt(db_session, do_import)
    for amount in (Money.of("10", "USD"), Money.of("0", "EUR")):
        with pytest.raises(InvalidInput):
            portfolio_service.record_payment(
                db_session=db_session,
                debt_id=debt.id,
                amount=amount,
                received_on=date(2026, 1, 2),
                actor="test",
            )


def test_plan_splits_to_the_cent_and_follows_payments(
    db_session: Session, do_import: ImportFn
) -> None:
    debt = _debt(db_session, do_import, interest_rate="", principal="970.00", fees="30.01")
    plan = portfolio_service.create_plan(
        db_session=db_session,
        debt_id=debt.id,
        instalments=3,
        frequency="monthly",
        start_on=date(2026, 1, 31),
        actor="test",
    )
    assert [i.amount for i in plan.instalments] == [
        Decimal("333.33"),
        Decimal("333.33"),
        Decimal("333.35"),
    ]
    assert [i.due_on for i in plan.instalments] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
    ]
    with pytest.raises(Conflict):
        portfolio_service.create_plan(
            db_session=db_session,
            debt_id=debt.id,
            instalments=2,
            frequency="weekly",
            start_on=date(2026, 1, 31),
            actor="test",
        )
    _pay(db_session, debt, "400.00", date(2026, 1, 30))
    assert [(i.paid_amount, i.status) for i in plan.instalments] == [
        (Decimal("333.33"), "paid"),
        (Decimal("66.67"), "partial"),
        (Decimal("0.00"), "due"),
    ]
    _pay(db_session, debt, "600.01", date(2026, 3, 1))
    assert plan.status == "completed" and debt.status == "paid"


def test_split_instalments_always_sums_to_the_total() -> None:
    for total in ("0.10", "100.00", "1000.01", "99999.99"):
        for count in (1, 3, 7, 12):
            if Decimal(total) * 100 < count:
                continue
            parts = portfolio_service.split_instalments(Money.of(total, "EUR"), count)
            assert sum(p.amount for p in parts) == Decimal(total)
            assert (
                max(p.amount for p in parts) - min(p.amount for p in parts)
                < Decimal("0.01") * count
            )


def test_promises_are_kept_by_payments_or_broken_when_late(
    db_session: Session, do_import: ImportFn
) -> None:
    debt = _debt(db_session, do_import, interest_rate="")
    kept = portfolio_service.create_promise(
        db_session=db_session,
        debt_id=debt.id,
        amount=Money.of("50", "EUR"),
        due_on=date(2026, 2, 1),
        actor="test",
    )
    late = portfolio_service.create_promise(
        db_session=db_session,
        debt_id=debt.id,
        amount=Money.of("500", "EUR"),
        due_on=date(2026, 2, 15),
        actor="test",
    )
    _pay(db_session, debt, "60.00", date(2026, 1, 30))
    assert kept.status == "kept" and late.status == "pending"
    assert (
        portfolio_service.mark_broken_promises(db_session=db_session, today=date(2026, 3, 1)) == 1
    )
    assert late.status == "broken"
