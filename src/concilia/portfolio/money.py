"""Money: a Decimal amount with its ISO 4217 currency; never a float.

Rounding is ROUND_HALF_UP to the currency's minor unit: the rule of Council Regulation (EC)
1103/97 art. 5 for euro amounts, and what debtors and courts expect on a statement
(banker's rounding would surprise them on a half cent). Every computed amount (interest,
instalments) is rounded once, where it is computed, so sums of stored amounts are exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Minor-unit exponent per supported currency (ISO 4217). The import contract names three.
CURRENCY_EXPONENTS: dict[str, int] = {"EUR": 2, "GBP": 2, "USD": 2}
ROUNDING = ROUND_HALF_UP


class CurrencyMismatch(ValueError):
    """Arithmetic or comparison between two currencies."""


def exponent(currency: str) -> int:
    """Decimal places of a supported currency."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        supported = ", ".join(sorted(CURRENCY_EXPONENTS))
        raise ValueError(f"unsupported currency {currency!r} (supported: {supported})") from None


def quantum(currency: str) -> Decimal:
    """The smallest unit of a currency, e.g. Decimal('0.01')."""
    return Decimal(1).scaleb(-exponent(currency))


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half up."""
    return amount.quantize(quantum(currency), rounding=ROUNDING)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency; arithmetic across currencies is refused."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float) or not isinstance(self.amount, Decimal):
            raise TypeError("Money needs a Decimal amount (never a float)")
        try:
            exact = self.amount.quantize(quantum(self.currency))
        except InvalidOperation:
            raise ValueError(f"amount {self.amount} is not a finite number") from None
        if exact != self.amount:
            raise ValueError(
                f"{self.amount} has more decimals than {self.currency} allows; round it first"
            )
        # Normalise the exponent so Money("1.5") == Money("1.50") and both print as 1.50.
        object.__setattr__(self, "amount", exact)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build from a Decimal, int or decimal string, rounding half up to the minor unit."""
        if isinstance(amount, float):
            raise TypeError("Money needs a Decimal amount (never a float)")
        return cls(round_amount(Decimal(amount), currency), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in a currency."""
        return cls(Decimal(0), currency)

    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.amount >= other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def is_zero(self) -> bool:
        """True for an amount of exactly nothing."""
        return self.amount == 0

    def is_negative(self) -> bool:
        """True below zero."""
        return self.amount < 0

    def min(self, other: Money) -> Money:
        """The smaller of two amounts in the same currency."""
        self._check(other)
        return self if self.amount <= other.amount else other
