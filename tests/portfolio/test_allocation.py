"""Allocation orders and interest accrual, to the cent, with properties over random input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from concilia.portfolio.allocation import (
    JURISDICTION_ORDERS,
    Balance,
    Component,
    accrued_interest,
    allocate,
    order_for,
    parse_order,
)
from concilia.portfolio.money import Money

P, INT, F = Component.principal, Component.interest, Component.fees


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def balance(principal: str, interest: str, fees: str) -> Balance:
    return Balance(principal=eur(principal), interest=eur(interest), fees=eur(fees))


def test_french_order_pays_interest_first_then_principal_and_fees_last() -> None:
    split = allocate(eur("70.00"), balance("1000.00", "50.00", "30.00"), JURISDICTION_ORDERS["FR"])
    assert split.parts == {INT: eur("50.00"), P: eur("20.00"), F: eur("0.00")}
    assert split.balance_after == balance("980.00", "0.00", "30.00")
    assert split.unapplied == eur("0.00")


def test_uk_order_pays_fees_then_interest_then_principal() -> None:
    split = allocate(eur("70.00"), balance("1000.00", "50.00", "30.00"), JURISDICTION_ORDERS["UK"])
    assert split.parts == {F: eur("30.00"), INT: eur("40.00"), P: eur("0.00")}
    assert split.balance_after == balance("1000.00", "10.00", "0.00")


def test_spanish_order_never_touches_principal_while_interest_is_due() -> None:
    split = allocate(eur("12.34"), balance("500.00", "12.35", "0.00"), JURISDICTION_ORDERS["ES"])
    assert split.parts[INT] == eur("12.34") and split.parts[P] == eur("0.00")
    assert split.balance_after.interest == eur("0.01")


def test_overpayment_is_returned_as_unapplied() -> None:
    split = allocate(
        eur("1100.00"), balance("1000.00", "50.00", "30.00"), JURISDICTION_ORDERS["US"]
    )
    assert split.unapplied == eur("20.00")
    assert split.balance_after.total == eur("0.00")
    assert split.applied == eur("1080.00")


def test_creditor_policy_overrides_the_jurisdiction() -> None:
    assert order_for(jurisdiction="FR", creditor_order=None) == (INT, P, F)
    assert order_for(jurisdiction="FR", creditor_order=["fees", "principal", "interest"]) == (
        F,
        P,
        INT,
    )
    with pytest.raises(ValueError):
        parse_order("interest,principal")
    with pytest.raises(ValueError):
        parse_order(["interest", "interest", "fees"])


def test_payment_in_another_currency_is_refused() -> None:
    with pytest.raises(ValueError):
        allocate(Money.of("1", "USD"), balance("1", "0", "0"), JURISDICTION_ORDERS["US"])


def test_interest_is_simple_daily_actual_365() -> None:
    # 1000.00 at 3.65 % a year is exactly 0.10 a day.
    assert accrued_interest(
        principal=eur("1000.00"),
        annual_rate_percent=Decimal("3.65"),
        start=date(2026, 1, 1),
        end=date(2026, 1, 11),
    ) == eur("1.00")
    # A leap day counts as a day, and the year still has 365 (Actual/365 fixed).
    assert accrued_interest(
        principal=eur("1000.00"),
        annual_rate_percent=Decimal("3.65"),
        start=date(2024, 2, 28),
        end=date(2024, 3, 1),
    ) == eur("0.20")
    # 1234.56 * 7.9 % * 31 / 365 = 8.2834... -> 8.28
    assert accrued_interest(
        principal=eur("1234.56"),
        annual_rate_percent=Decimal("7.9"),
        start=date(2026, 3, 1),
        end=date(2026, 4, 1),
    ) == eur("8.28")
    # Exactly half a cent rounds up: 1.00 * 36.5 % * 5 / 365 = 0.005.
    assert accrued_interest(
        principal=eur("1.00"),
        annual_rate_percent=Decimal("36.5"),
        start=date(2026, 1, 1),
        end=date(2026, 1, 6),
    ) == eur("0.01")
    assert accrued_interest(
        principal=eur("1000.00"),
        annual_rate_percent=Decimal("5"),
        start=date(2026, 1, 1),
        end=date(2026, 1, 1),
    ) == eur("0.00")


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Money(Decimal(c) / 100, "EUR"))
positive = st.integers(min_value=1, max_value=20_000_000).map(
    lambda c: Money(Decimal(c) / 100, "EUR")
)
orders = st.permutations(list(Component))


@given(payment=positive, principal=cents, interest=cents, fees=cents, order=orders)
def test_allocation_properties(
    payment: Money, principal: Money, interest: Money, fees: Money, order: list[Component]
) -> None:
    before = Balance(principal=principal, interest=interest, fees=fees)
    split = allocate(payment, before, order)
    parts = list(split.parts.values())
    # Every cent of the payment is accounted for, once.
    assert sum((p.amount for p in parts), split.unapplied.amount) == payment.amount
    assert all(p.amount >= 0 for p in parts) and split.unapplied.amount >= 0
    for component in Component:
        after = split.balance_after.get(component)
        assert after.amount >= 0
        assert after + split.parts[component] == before.get(component)
    # Excess only once the whole balance is paid.
    assert split.unapplied.is_zero() or split.balance_after.total.is_zero()
    # A component is touched only when every earlier one is cleared.
    for k, component in enumerate(order):
        if split.parts[component].amount > 0:
            assert all(split.balance_after.get(c).is_zero() for c in order[:k])


@given(
    principal=cents,
    rate=st.decimals(min_value=0, max_value=100, places=3),
    days=st.integers(min_value=0, max_value=3000),
)
def test_accrual_is_rounded_to_the_cent_and_monotonic(
    principal: Money, rate: Decimal, days: int
) -> None:
    start = date(2020, 1, 1)
    end = date.fromordinal(start.toordinal() + days)
    later = date.fromordinal(end.toordinal() + 1)
    a = accrued_interest(principal=principal, annual_rate_percent=rate, start=start, end=end)
    b = accrued_interest(principal=principal, annual_rate_percent=rate, start=start, end=later)
    assert a.amount == a.amount.quantize(Decimal("0.01")) and a.amount >= 0
    assert b >= a
    exact = principal.amount * rate * days / Decimal(36500)
    assert abs(a.amount - exact) <= Decimal("0.005")
