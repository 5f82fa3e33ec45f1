"""Strategy's answer for a data subject (see ``concilia.privacy.contract``).

Assignments, planned and taken actions and the next action are decisions derived from the
person's case (segment, band, history): profiling in the art. 4(4) sense, erased with the
person. Outcomes (a payment, a promise, a reply, recorded per strategy arm) stay, keyed by
case id only: they measure the strategies, not the person, and the money they count is in
portfolio's books anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from concilia.strategy.models import NextAction, StrategyAction, StrategyAssignment, StrategyOutcome

_DERIVED = ("nothing", "deleted: profiling derived from the case, no legal duty to keep")
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "strategy_assignments": _DERIVED,
    "strategy_actions": _DERIVED,
    "strategy_next_actions": _DERIVED,
    "strategy_outcomes": (
        "kind, amount and time per strategy arm, by case id (no identifying data)",
        "art. 6(1)(f) GDPR: measuring which approach works (no identifier kept)",
    ),
}
_BASIS = "art. 6(1)(f) GDPR (choosing a suitable approach to the debt)"


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """The strategy each case follows, the actions planned and taken, and outcomes."""
    ids = list(case_ids)
    items: list[dict[str, Any]] = []

    def add(table: str, record_id: int, data: dict[str, Any], by: str) -> None:
        items.append(
            {
                "domain": "strategy",
                "table": table,
                "record_id": record_id,
                "data": data,
                "provenance": {"derived_by": by},
                "purposes": ["debt_recovery"],
                "legal_basis": _BASIS,
                "retain_until": None,
                "derived": True,
            }
        )

    for a in db_session.scalars(
        select(StrategyAssignment).where(StrategyAssignment.case_id.in_(ids))
    ):
        add(
            "strategy_assignments",
            a.id,
            {"case_id": a.case_id, "strategy": a.strategy, "arm": a.arm},
            a.assigned_by,
        )
    for s in db_session.scalars(
        select(StrategyAction).where(StrategyAction.case_id.in_(ids)).order_by(StrategyAction.at)
    ):
        add(
            "strategy_actions",
            s.id,
            {
                "case_id": s.case_id,
                "segment": s.segment,
                "action": s.action,
                "channel": s.channel,
                "status": s.status,
                "explanation": s.explanation,
                "at": s.at.isoformat(),
            },
            f"strategy {s.strategy}",
        )
    for n in db_session.scalars(select(NextAction).where(NextAction.case_id.in_(ids))):
        add(
            "strategy_next_actions",
            n.case_id,
            {"kind": n.kind, "channel": n.channel, "explanation": n.explanation},
            f"strategy {n.strategy}",
        )
    for o in db_session.scalars(select(StrategyOutcome).where(StrategyOutcome.case_id.in_(ids))):
        add(
            "strategy_outcomes",
            o.id,
            {"case_id": o.case_id, "kind": o.kind, "at": o.at.isoformat()},
            o.recorded_by,
        )
    return items


def erase_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
    actor: str,
    now: datetime,
    scope: str,
) -> list[dict[str, Any]]:
    """Delete the derived decisions (erasure only); outcomes are kept by case id."""
    if scope != "erasure":
        return []
    ids = list(case_ids)
    results = [
        (table, db_session.execute(delete(model).where(model.case_id.in_(ids))))
        for table, model in (
            ("strategy_actions", StrategyAction),
            ("strategy_next_actions", NextAction),
            ("strategy_assignments", StrategyAssignment),
        )
    ]
    kept = len(
        list(db_session.scalars(select(StrategyOutcome.id).where(StrategyOutcome.case_id.in_(ids))))
    )
    out = [
        {
            "domain": "strategy",
            "table": table,
            "action": "deleted",
            "rows": int(getattr(result, "rowcount", 0) or 0),
            "keeps": PERSONAL_DATA[table][0],
            "legal_ground": PERSONAL_DATA[table][1],
        }
        for table, result in results
    ]
    out.append(
        {
            "domain": "strategy",
            "table": "strategy_outcomes",
            "action": "kept",
            "rows": kept,
            "keeps": PERSONAL_DATA["strategy_outcomes"][0],
            "legal_ground": PERSONAL_DATA["strategy_outcomes"][1],
        }
    )
    return out
