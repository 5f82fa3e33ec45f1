"""Payment allocation across fees, interest and principal, and daily interest accrual.

The orders are data. Defaults per jurisdiction, which a creditor's own policy overrides:

- FR: Code civil art. 1343-1 — a partial payment of an interest-bearing debt is imputed
  first to interest; then principal. Recovery fees come last: under the Code des
  procédures civiles d'exécution (art. L111-8) amicable collection costs stay with the
  creditor unless a court title says otherwise, so they are never paid before the debt.
- ES: Código Civil art. 1173 — no payment counts towards principal while interest is
  unpaid; then principal, then fees (gastos), for the same reason as in France.
- UK: absent the debtor's own appropriation, the creditor appropriates (Clayton's Case and
  common practice): fees and charges, then interest, then principal.
- US: common contractual practice: fees, then interest, then principal.

These defaults are a starting point for the compliance officer, not legal advice; a
creditor's ``allocation_order`` is used instead whenever it is set.

Interest is simple daily interest on the principal balance, Actual/365 (fixed): each
calendar day accrues ``principal * rate / 100 / 365``, also in leap years, and the amount
for a period is rounded half up to the cent once, at the end of the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from concilia.portfolio.money import Money, round_amount


class Component(StrEnum):
    """A part of a debt's balance a payment can go to."""

    fees = "fees"
    interest = "interest"
    principal = "principal"


JURISDICTION_ORDERS: dict[str, tuple[Component, ...]] = {
    "FR": (Component.interest, Component.principal, Component.fees),
    "ES": (Component.interest, Component.principal, Component.fees),
    "UK": (Component.fees, Component.interest, Component.principal),
    "US": (Component.fees, Component.interest, Component.principal),
}
DAYS_IN_YEAR = Decimal(365)


def parse_order(text: str | Sequence[str]) -> tuple[Component, ...]:
    """An order from ``"interest,principal,fees"`` or a list; each component exactly once."""
    parts = [p.strip() for p in text.split(",")] if isinstance(text, str) else list(text)
    try:
        order = tuple(Component(p) for p in parts)
    except ValueError:
        raise ValueError(
            f"allocation order {parts!r}: use each of fees, interest, principal once"
        ) from None
    if sorted(order) != sorted(Component):
        raise ValueError(f"allocation order {parts!r}: use each of fees, interest, principal once")
    return order


def order_for(*, jurisdiction: str, creditor_order: Sequence[str] | None) -> tuple[Component, ...]:
    """The creditor's order when it has one, else the jurisdiction's default."""
    if creditor_order:
        return parse_order(creditor_order)
    try:
        return JURISDICTION_ORDERS[jurisdiction]
    except KeyError:
        raise ValueError(f"no default allocation order for jurisdiction {jurisdiction!r}") from None


@dataclass(frozen=True)
class Balance:
    """What is owed on a debt, by component."""

    principal: Money
    interest: Money
    fees: Money

    def get(self, component: Component) -> Money:
        """The amount of one component."""
        return {
            Component.principal: self.principal,
            Component.interest: self.interest,
            Component.fees: self.fees,
        }[component]

    @property
    def total(self) -> Money:
        """Everything owed."""
        return self.principal + self.interest + self.fees

    @property
    def currency(self) -> str:
        """The debt's currency."""
        return self.principal.currency


@dataclass(frozen=True)
class Allocation:
    """How one payment was split; ``unapplied`` is what exceeded the whole balance."""

    parts: dict[Component, Money]
    unapplied: Money
    balance_after: Balance
    order: tuple[Component, ...] = field(default=())

    @property
    def applied(self) -> Money:
        """The part of the payment that reduced the debt."""
        total = self.unapplied - self.unapplied
        for amount in self.parts.values():
            total = total + amount
        return total


def allocate(payment: Money, balance: Balance, order: Sequence[Component]) -> Allocation:
    """Split a payment across the balance in ``order``; the excess is returned as unapplied.

    An overpayment is never silently swallowed nor turned into a negative balance: the
    caller records it as a credit to refund or to hold, and says so.
    """
    if payment.currency != balance.currency:
        raise ValueError(f"payment in {payment.currency} on a {balance.currency} debt")
    if payment.amount <= 0:
        raise ValueError("a payment must be positive")
    order = tuple(order)
    if sorted(order) != sorted(Component):
        raise ValueError("the order must name fees, interest and principal once each")
    left = payment
    parts: dict[Component, Money] = {}
    after: dict[Component, Money] = {}
    for component in order:
        owed = balance.get(component)
        take = left.min(owed) if owed.amount > 0 else Money.zero(payment.currency)
        parts[component] = take
        after[component] = owed - take
        left = left - take
    return Allocation(
        parts=parts,
        unapplied=left,
        balance_after=Balance(
            principal=after[Component.principal],
            interest=after[Component.interest],
            fees=after[Component.fees],
        ),
        order=order,
    )


def accrued_interest(
    *, principal: Money, annual_rate_percent: Decimal, start: date, end: date
) -> Money:
    """Simple interest on ``principal`` from ``start`` (exclusive) to ``end`` (inclusive)."""
    days = (end - start).days
    if days <= 0 or annual_rate_percent <= 0 or principal.amount <= 0:
        return Money.zero(principal.currency)
    raw = principal.amount * annual_rate_percent * days / (Decimal(100) * DAYS_IN_YEAR)
    return Money(round_amount(raw, principal.currency), principal.currency)
