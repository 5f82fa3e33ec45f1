"""The strategy domain's door: assignments, next best action, the scheduler's pass, outcomes.

No function here commits: the caller (a CLI pass, a route, the simulator) owns the unit of
work. Messages go through outreach's ``enqueue``, so every one is judged by the compliance
rules and the tone check; calls are checked with ``check_call`` and left to an agent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from concilia.errors import NotFound
from concilia.strategy import definition, engine, segments
from concilia.strategy import personal_data as personal_data
from concilia.strategy.assignments import (
    DEFAULT_STRATEGY,
    assign,
    done_of,
    get_assignment,
    list_actions,
    open_case_ids,
    start_experiment,
    strategy_of,
)
from concilia.strategy.engine import Action
from concilia.strategy.models import NextAction
from concilia.strategy.outcomes import (
    OUTCOME_KINDS,
    ArmReport,
    experiment_report,
    list_outcomes,
    record_outcome,
)
from concilia.strategy.scheduler import PassReport, run_pass

__all__ = [
    "DEFAULT_STRATEGY",
    "OUTCOME_KINDS",
    "ArmReport",
    "PassReport",
    "assign",
    "experiment_report",
    "explain",
    "get_assignment",
    "list_actions",
    "list_outcomes",
    "next_best_action",
    "open_case_ids",
    "record_outcome",
    "run_pass",
    "start_experiment",
    "strategy_of",
]


def next_best_action(*, db_session: Session, case_id: int, now: datetime) -> Action:
    """What to do next on a case, when and why (nothing is stored)."""
    name = strategy_of(db_session=db_session, case_id=case_id)
    facts = segments.facts(db_session=db_session, case_id=case_id, today=now.date())
    rows = list_actions(db_session=db_session, case_id=case_id)
    return engine.next_action(
        facts=facts, strategy=definition.get(name), done=done_of(rows, name), now=now
    )


def explain(*, db_session: Session, case_id: int) -> NextAction:
    """The next best action the last pass stored for a case, or NotFound."""
    row = db_session.get(NextAction, case_id)
    if row is None:
        raise NotFound(f"no next best action computed for case {case_id} yet")
    return row
