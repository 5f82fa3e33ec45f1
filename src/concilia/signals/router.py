"""Signals routes: read a case's events and ability-to-pay suggestion; accept or reject it.

The case is resolved through the principal's team scope first, so another team's case
answers 404 like a missing one.
"""

from __future__ import annotations

from fastapi import APIRouter

from concilia import reads
from concilia.auth.dependencies import CurrentPrincipal, DbSession
from concilia.errors import Forbidden
from concilia.ids import Id
from concilia.portfolio import service as portfolio_service
from concilia.signals import ability
from concilia.signals import service as signals_service
from concilia.signals.models import SignalAssessment
from concilia.signals.schemas import AssessmentOut, CaseSignalsOut, DecisionIn, EventOut

router = APIRouter(prefix="/api/cases", tags=["signals"])


def _assessment(row: SignalAssessment | None) -> AssessmentOut | None:
    if row is None:
        return None
    return AssessmentOut(
        band=row.band,
        approach=row.approach,
        approach_text=ability.APPROACHES.get(row.approach, row.approach),
        score=row.score,
        vulnerability_possible=row.vulnerability_possible,
        evidence=row.evidence,
        as_of=row.as_of,
        posts_read=row.posts_read,
        posts_skipped=row.posts_skipped,
        status=row.status,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
    )


@router.get("/{case_id}/signals", response_model=CaseSignalsOut)
def case_signals(case_id: Id, db: DbSession, principal: CurrentPrincipal) -> CaseSignalsOut:
    """The case's life events and ability-to-pay suggestion, with the evidence behind it."""
    portfolio_service.get_case_for_principal(db_session=db, principal=principal, case_id=case_id)
    reads.record_staff_read(db_session=db, principal=principal, what="signals", case_ids=[case_id])
    events = signals_service.list_events(db_session=db, case_id=case_id)
    return CaseSignalsOut(
        case_id=case_id,
        assessment=_assessment(signals_service.get_assessment(db_session=db, case_id=case_id)),
        events=[EventOut.model_validate(e) for e in events],
    )


@router.post("/{case_id}/signals/decision", response_model=AssessmentOut)
def decide(
    case_id: Id, body: DecisionIn, db: DbSession, principal: CurrentPrincipal
) -> AssessmentOut:
    """An agent accepts or rejects the suggestion (audited)."""
    if principal.role == "auditor":
        raise Forbidden("auditors are read-only")
    portfolio_service.get_case_for_principal(db_session=db, principal=principal, case_id=case_id)
    row = signals_service.decide(
        db_session=db,
        case_id=case_id,
        decision=body.decision,
        actor=principal.actor,
        reason=body.reason,
    )
    out = _assessment(row)
    assert out is not None
    return out
