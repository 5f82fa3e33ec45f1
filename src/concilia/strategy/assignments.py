"""Which strategy a case follows: assignment by a person or by a random draw, and the log of
the steps taken, which the engine reads to know where a case is in its sequence."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput
from concilia.portfolio import service as portfolio_service
from concilia.strategy import definition, segments
from concilia.strategy.engine import Done
from concilia.strategy.models import StrategyAction, StrategyAssignment

DEFAULT_STRATEGY = "default"
# Every case, for the scheduler: trusted code that decides access itself.
_ALL_TEAMS = Principal(
    user_id=0, username="strategy", role=Role.admin, team_ids=frozenset(), via="job"
)


def _bad(field_name: str, reason: str) -> InvalidInput:
    return InvalidInput(problems=[InputProblem("(request)", 0, field_name, reason)])


def _known_strategy(name: str) -> definition.Strategy:
    try:
        return definition.get(name)
    except definition.StrategyError as exc:
        raise _bad("strategy", exc.reason) from None


def get_assignment(*, db_session: Session, case_id: int) -> StrategyAssignment | None:
    """The case's assignment, if it has one."""
    return db_session.scalar(
        select(StrategyAssignment).where(StrategyAssignment.case_id == case_id)
    )


def strategy_of(*, db_session: Session, case_id: int) -> str:
    """The strategy a case follows (the default when none was assigned)."""
    row = get_assignment(db_session=db_session, case_id=case_id)
    return row.strategy if row is not None else DEFAULT_STRATEGY


def assign(
    *,
    db_session: Session,
    case_id: int,
    strategy: str,
    actor: str,
    arm: str = "fixed",
    experiment: str | None = None,
) -> StrategyAssignment:
    """Put a case on a strategy (audited); a case already in an experiment stays there."""
    _known_strategy(strategy)
    portfolio_service.get_case(db_session=db_session, case_id=case_id)
    row = get_assignment(db_session=db_session, case_id=case_id)
    if row is not None and row.experiment is not None and row.experiment != experiment:
        raise Conflict(f"case {case_id} is in experiment {row.experiment!r}")
    before = row.strategy if row is not None else None
    if row is None:
        row = StrategyAssignment(case_id=case_id)
        db_session.add(row)
    row.strategy, row.arm, row.experiment = strategy, arm, experiment
    row.assigned_at, row.assigned_by = utcnow(), actor
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="strategy.assigned",
        object_type="case",
        object_id=case_id,
        change={"before": before, "after": strategy, "arm": arm, "experiment": experiment},
        detail={"strategy": strategy, "arm": arm, "experiment": experiment},
    )
    return row


def open_case_ids(*, db_session: Session) -> list[int]:
    """Every case not paid or closed, by id."""
    # portfolio types the select loosely (Select[tuple[int]]); each row holds one case id.
    query: Any = portfolio_service.visible_case_ids(principal=_ALL_TEAMS)
    ids = [int(i) for i in db_session.scalars(query)]
    out: list[int] = []
    for case_id in sorted(ids):
        case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
        if case.stage not in segments.CLOSED_STAGES:
            out.append(case_id)
    return out


def start_experiment(
    *,
    db_session: Session,
    name: str,
    champion: str,
    challenger: str,
    challenger_share: float,
    seed: int,
    actor: str,
    case_ids: Iterable[int] | None = None,
) -> dict[str, int]:
    """Assign at random every open case not yet in an experiment; counts per strategy.

    The draw is seeded and recorded, so the assignment can be reproduced and audited.
    """
    if not 0.0 < challenger_share < 1.0:
        raise _bad("challenger_share", "must be between 0 and 1 (exclusive)")
    if champion == challenger:
        raise _bad("challenger", "champion and challenger must differ")
    _known_strategy(champion)
    _known_strategy(challenger)
    rng = random.Random(seed)
    counts = {champion: 0, challenger: 0}
    ids = sorted(case_ids) if case_ids is not None else open_case_ids(db_session=db_session)
    for case_id in ids:
        current = get_assignment(db_session=db_session, case_id=case_id)
        if current is not None and current.experiment is not None:
            continue
        challenger_arm = rng.random() < challenger_share
        chosen = challenger if challenger_arm else champion
        assign(
            db_session=db_session,
            case_id=case_id,
            strategy=chosen,
            actor=actor,
            arm="challenger" if challenger_arm else "champion",
            experiment=name,
        )
        counts[chosen] += 1
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="strategy.experiment_started",
        object_type="experiment",
        object_id=0,
        change={"name": name, "champion": champion, "challenger": challenger, "seed": seed},
        detail={"name": name, "counts": counts, "share": challenger_share, "seed": seed},
    )
    return counts


def list_actions(*, db_session: Session, case_id: int) -> list[StrategyAction]:
    """The steps taken or skipped for a case, oldest first."""
    return list(
        db_session.scalars(
            select(StrategyAction)
            .where(StrategyAction.case_id == case_id)
            .order_by(StrategyAction.at, StrategyAction.id)
        )
    )


def done_of(rows: list[StrategyAction], strategy: str) -> list[Done]:
    return [
        Done(
            segment=r.segment,
            step=r.step,
            status=r.status,
            channel=r.channel,
            at=r.at,
            categories=tuple(
                str(x.get("category", "")) for x in r.rules or [] if isinstance(x, dict)
            ),
        )
        for r in rows
        if r.strategy == strategy
    ]
