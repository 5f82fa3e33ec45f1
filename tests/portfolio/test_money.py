"""Money: exact Decimals in one currency, rounded half up to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from concilia.portfolio.money import CurrencyMismatch, Money, round_amount


def test_arithmetic_is_exact_and_normalised() -> None:
    total = Money.of("0.10", "EUR") + Money.of("0.20", "EUR")
    assert total == Money.of("0.30", "EUR")
    assert str(Money.of("1.5", "EUR")) == "1.50 EUR"
    assert (Money.of("10", "GBP") - Money.of("0.01", "GBP")).amount == Decimal("9.99")


def test_floats_and_mixed_currencies_are_refused() -> None:
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatch):
        Money.of("1", "EUR") + Money.of("1", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "EUR") < Money.of("1", "GBP")
    with pytest.raises(ValueError, match="more decimals"):
        Money(Decimal("1.005"), "EUR")
    with pytest.raises(ValueError, match="unsupported currency"):
        Money.of("1", "XXX")


def test_rounding_is_half_up() -> None:
    assert round_amount(Decimal("0.005"), "EUR") == Decimal("0.01")
    assert round_amount(Decimal("0.015"), "EUR") == Decimal("0.02")
    assert round_amount(Decimal("0.0049"), "EUR") == Decimal("0.00")
    assert Money.of("2.675", "USD").amount == Decimal("2.68")
