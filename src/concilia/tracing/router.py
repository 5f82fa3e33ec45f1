"""Review queue API: an agent sees the candidates of their team's cases and decides.

Candidates are keyed by the portfolio's debtor id (runs reading the database); a case of
another team answers 404, as if absent.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from concilia import reads
from concilia.auth.dependencies import DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.errors import NotFound
from concilia.ids import Id
from concilia.portfolio import service as portfolio_service
from concilia.tracing import service
from concilia.tracing.models import MatchCandidate
from concilia.tracing.schemas import CandidateOut, DecisionIn, EvidenceOut

router = APIRouter(prefix="/api/tracing", tags=["tracing"])

Reader = Annotated[
    Principal,
    Depends(require_roles(Role.admin, Role.supervisor, Role.agent, Role.compliance_officer)),
]
Reviewer = Annotated[Principal, Depends(require_roles(Role.admin, Role.supervisor, Role.agent))]


def _debtor_of_case(db_session: DbSession, principal: Principal, case_id: Id) -> int:
    case = portfolio_service.get_case_for_principal(
        db_session=db_session, principal=principal, case_id=case_id
    )
    return portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id).debtor_id


def _visible(cand: MatchCandidate, db_session: DbSession, principal: Principal) -> bool:
    try:
        debtor_id = int(cand.debtor_key)
        portfolio_service.get_debtor_for_principal(
            db_session=db_session, principal=principal, debtor_id=debtor_id
        )
    except (ValueError, NotFound):
        return False
    threshold = service.review_threshold(db_session=db_session, portfolio=cand.portfolio)
    return cand.probability >= threshold


def _candidate_for(candidate_id: Id, db_session: DbSession, principal: Principal) -> MatchCandidate:
    cand = service.get(db_session=db_session, candidate_id=candidate_id)
    if not _visible(cand, db_session, principal):
        raise NotFound(f"match candidate {candidate_id} not found")
    return cand


@router.get("/candidates", response_model=list[CandidateOut])
def list_candidates(
    db_session: DbSession,
    principal: Reader,
    case_id: Annotated[Id, Query(description="The case whose debtor is traced.")],
    status: Annotated[str, Query(pattern="^(proposed|accepted|rejected)$")] = "proposed",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[CandidateOut]:
    """The debtor's top candidates at or above the portfolio's review threshold."""
    debtor_id = _debtor_of_case(db_session, principal, case_id)
    reads.record_staff_read(
        db_session=db_session,
        principal=principal,
        what="tracing candidates",
        debtor_ids=[debtor_id],
    )
    found = service.list_candidates(
        db_session=db_session,
        debtor_keys=[str(debtor_id)],
        status=status,
        review_threshold=0.0,
        limit=500,
    )
    shown = [c for c in found if _visible(c, db_session, principal)][:limit]
    return [_out(db_session, cand) for cand in shown]


def _out(db_session: DbSession, cand: MatchCandidate) -> CandidateOut:
    return CandidateOut.of(
        cand,
        explanation=service.explanation(db_session=db_session, candidate=cand),
        authenticity=service.authenticity_lines(
            db_session=db_session, profile_key=cand.profile_key
        )[1],
    )


@router.post("/candidates/{candidate_id}/accept", response_model=list[EvidenceOut])
def accept_candidate(
    candidate_id: Id, decision: DecisionIn, db_session: DbSession, principal: Reviewer
) -> list[EvidenceOut]:
    """Accept: the profile's city, employer and handle become evidence (audited)."""
    _candidate_for(candidate_id, db_session, principal)
    created = service.accept(
        db_session=db_session,
        candidate_id=candidate_id,
        actor=principal.actor,
        reason=decision.reason,
    )
    return [EvidenceOut.model_validate(e) for e in created]


@router.post("/candidates/{candidate_id}/reject", response_model=CandidateOut)
def reject_candidate(
    candidate_id: Id, decision: DecisionIn, db_session: DbSession, principal: Reviewer
) -> CandidateOut:
    """Reject: not proposed again unless the debtor or the profile changes (audited)."""
    _candidate_for(candidate_id, db_session, principal)
    cand = service.reject(
        db_session=db_session,
        candidate_id=candidate_id,
        actor=principal.actor,
        reason=decision.reason,
    )
    return _out(db_session, cand)


@router.get("/evidence", response_model=list[EvidenceOut])
def list_evidence(db_session: DbSession, principal: Reader, case_id: Id) -> list[EvidenceOut]:
    """Evidence accepted for the case's debtor, with provenance."""
    debtor_id = _debtor_of_case(db_session, principal, case_id)
    reads.record_staff_read(
        db_session=db_session, principal=principal, what="tracing evidence", debtor_ids=[debtor_id]
    )
    return [
        EvidenceOut.model_validate(e)
        for e in service.list_evidence(db_session=db_session, debtor_key=str(debtor_id))
    ]
