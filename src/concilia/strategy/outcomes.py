"""Champion/challenger outcomes: what happened on each case, and a report with intervals.

Outcomes are read where they live (payments and promises in portfolio, replies and
conversations in outreach, disputes on the case) so nothing is counted twice or forgotten;
complaints live nowhere else, so they are recorded here (:func:`record_outcome`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.errors import InputProblem, InvalidInput
from concilia.outreach import service as outreach_service
from concilia.portfolio import service as portfolio_service
from concilia.strategy.models import StrategyAssignment, StrategyOutcome

OUTCOME_KINDS = ("right_party_contact", "promise", "payment", "complaint", "dispute")
Z95 = 1.959964


def record_outcome(
    *,
    db_session: Session,
    case_id: int,
    kind: str,
    at: datetime,
    actor: str,
    amount_cents: int | None = None,
) -> StrategyOutcome:
    """Record an outcome on a case (e.g. a complaint), credited to the case's strategy."""
    if kind not in OUTCOME_KINDS:
        raise InvalidInput(
            problems=[InputProblem("(request)", 0, "kind", f"must be one of {OUTCOME_KINDS}")]
        )
    portfolio_service.get_case(db_session=db_session, case_id=case_id)
    assignment = db_session.scalar(
        select(StrategyAssignment).where(StrategyAssignment.case_id == case_id)
    )
    row = StrategyOutcome(
        case_id=case_id,
        strategy=assignment.strategy if assignment is not None else "default",
        kind=kind,
        amount_cents=amount_cents,
        at=at,
        recorded_by=actor,
        detail={},
    )
    db_session.add(row)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="strategy.outcome_recorded",
        object_type="case",
        object_id=case_id,
        change={"kind": kind, "strategy": row.strategy, "amount_cents": amount_cents},
        detail={"kind": kind, "strategy": row.strategy},
    )
    return row


def list_outcomes(*, db_session: Session, case_id: int) -> list[StrategyOutcome]:
    """Outcomes recorded here for a case, oldest first."""
    return list(
        db_session.scalars(
            select(StrategyOutcome)
            .where(StrategyOutcome.case_id == case_id)
            .order_by(StrategyOutcome.at, StrategyOutcome.id)
        )
    )


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (sound at 0 and n, unlike the normal one)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def mean_interval(values: list[float], z: float = Z95) -> tuple[float, float, float]:
    """Mean with a normal-approximation 95 % interval (the portfolio means are of many cases)."""
    n = len(values)
    if n == 0:
        return (0.0, 0.0, 0.0)
    mean = sum(values) / n
    if n == 1:
        return (mean, mean, mean)
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = z * math.sqrt(var / n)
    return (mean, mean - half, mean + half)


@dataclass(frozen=True)
class ArmReport:
    """One strategy's cases in an experiment: counts, rates with intervals, money."""

    strategy: str
    arm: str
    cases: int
    counts: dict[str, int]
    rates: dict[str, tuple[float, float, float]]  # rate, low, high
    recovered: dict[str, str]  # currency -> total
    recovered_share: tuple[float, float, float]  # mean per-case share repaid, low, high

    def as_dict(self) -> dict[str, object]:
        return {
            "strategy": self.strategy,
            "arm": self.arm,
            "cases": self.cases,
            "counts": self.counts,
            "rates": {k: {"rate": r, "ci95": [lo, hi]} for k, (r, lo, hi) in self.rates.items()},
            "recovered": self.recovered,
            "recovered_share": {
                "mean": self.recovered_share[0],
                "ci95": [self.recovered_share[1], self.recovered_share[2]],
            },
        }


def _case_outcomes(
    db_session: Session, assignment: StrategyAssignment
) -> tuple[set[str], Decimal, str, float]:
    since = assignment.assigned_at
    case = portfolio_service.get_case(db_session=db_session, case_id=assignment.case_id)
    debt = portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id)
    found: set[str] = set()
    contacts = outreach_service.list_case_contacts(db_session=db_session, case_id=case.id)
    if any((c.direction == "in" or c.conversation) and c.at >= since for c in contacts):
        found.add("right_party_contact")
    if any(
        p.created_at >= since
        for p in portfolio_service.list_promises(db_session=db_session, debt_id=debt.id)
    ):
        found.add("promise")
    paid = sum(
        (
            p.amount
            for p in portfolio_service.list_payments(db_session=db_session, debt_id=debt.id)
            if p.created_at >= since
        ),
        Decimal(0),
    )
    if paid > 0:
        found.add("payment")
    if case.disputed:
        found.add("dispute")
    for o in list_outcomes(db_session=db_session, case_id=case.id):
        if o.at >= since:
            found.add(o.kind)
    owed = debt.principal + debt.interest + debt.fees
    share = float(min(paid / owed, Decimal(1))) if owed > 0 else 0.0
    return found, paid, debt.currency, share


def experiment_report(*, db_session: Session, experiment: str) -> list[ArmReport]:
    """Per strategy of an experiment: outcome rates with Wilson 95 % intervals and money."""
    rows = list(
        db_session.scalars(
            select(StrategyAssignment)
            .where(StrategyAssignment.experiment == experiment)
            .order_by(StrategyAssignment.case_id)
        )
    )
    by_strategy: dict[tuple[str, str], list[StrategyAssignment]] = {}
    for row in rows:
        by_strategy.setdefault((row.strategy, row.arm), []).append(row)
    out = []
    for (strategy, arm), assignments in sorted(by_strategy.items(), key=lambda kv: kv[0][1]):
        counts = dict.fromkeys(OUTCOME_KINDS, 0)
        money: dict[str, Decimal] = {}
        shares: list[float] = []
        for a in assignments:
            found, paid, currency, share = _case_outcomes(db_session, a)
            for kind in found:
                counts[kind] += 1
            money[currency] = money.get(currency, Decimal(0)) + paid
            shares.append(share)
        n = len(assignments)
        rates = {k: (counts[k] / n if n else 0.0, *wilson(counts[k], n)) for k in OUTCOME_KINDS}
        out.append(
            ArmReport(
                strategy=strategy,
                arm=arm,
                cases=n,
                counts=counts,
                rates=rates,
                recovered={c: str(v) for c, v in sorted(money.items())},
                recovered_share=mean_interval(shares),
            )
        )
    return out
