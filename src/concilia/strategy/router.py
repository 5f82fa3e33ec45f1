"""Strategy routes: a case's next best action with its history, and the strategies shipped.

The case is resolved through the principal's team scope first, so another team's case
answers 404 like a missing one.
"""

from __future__ import annotations

from fastapi import APIRouter

from concilia.auth.dependencies import CurrentPrincipal, DbSession
from concilia.db import utcnow
from concilia.ids import Id
from concilia.portfolio import service as portfolio_service
from concilia.strategy import definition
from concilia.strategy import service as strategy_service
from concilia.strategy.schemas import (
    ActionOut,
    CaseStrategyOut,
    NextActionOut,
    SegmentOut,
    StrategyOut,
)

router = APIRouter(prefix="/api/strategy", tags=["strategy"])


@router.get("/strategies", response_model=list[StrategyOut])
def strategies(principal: CurrentPrincipal) -> list[StrategyOut]:
    """The strategies available, with their segments."""
    return [
        StrategyOut(
            name=s.name,
            title=s.title,
            description=s.description,
            segments=[SegmentOut(name=g.name, why=g.why, steps=len(g.steps)) for g in s.segments],
        )
        for s in definition.available().values()
    ]


@router.get("/cases/{case_id}", response_model=CaseStrategyOut)
def case_strategy(case_id: Id, db: DbSession, principal: CurrentPrincipal) -> CaseStrategyOut:
    """The case's next best action now (explained) and the steps taken so far."""
    portfolio_service.get_case_for_principal(db_session=db, principal=principal, case_id=case_id)
    action = strategy_service.next_best_action(db_session=db, case_id=case_id, now=utcnow())
    history = strategy_service.list_actions(db_session=db, case_id=case_id)
    return CaseStrategyOut(
        next=NextActionOut(
            case_id=case_id,
            strategy=strategy_service.strategy_of(db_session=db, case_id=case_id),
            kind=action.kind,
            channel=action.channel,
            template=action.template,
            at=action.at,
            priority=action.priority,
            explanation=action.explanation,
        ),
        history=[
            ActionOut(
                step=r.step,
                segment=r.segment,
                action=r.action,
                channel=r.channel,
                template=r.template,
                status=r.status,
                rules=r.rules or [],
                explanation=r.explanation,
                at=r.at,
            )
            for r in history
        ],
    )
