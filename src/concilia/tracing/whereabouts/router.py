"""Whereabouts routes (mounted by the tracing router): infer, list, accept or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from concilia import reads
from concilia.auth.dependencies import CurrentPrincipal, DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.errors import NotFound
from concilia.ids import Id
from concilia.portfolio import service as portfolio_service
from concilia.tracing.whereabouts import service
from concilia.tracing.whereabouts.schemas import DecisionIn, InferenceOut, InferIn

router = APIRouter(prefix="/api/tracing/whereabouts", tags=["tracing"])

Agents = Annotated[Principal, Depends(require_roles(Role.admin, Role.supervisor, Role.agent))]


@router.post("/debtors/{debtor_id}", response_model=InferenceOut, status_code=201)
def post_inference(
    debtor_id: Id, body: InferIn, db_session: DbSession, principal: Agents
) -> InferenceOut:
    """Infer the debtor's likely city from their accepted profiles' public friend graph."""
    portfolio_service.get_debtor_for_principal(
        db_session=db_session, principal=principal, debtor_id=debtor_id
    )
    row = service.run_inference(
        db_session=db_session,
        debtor_id=debtor_id,
        case_id=body.case_id,
        profile_ids=body.profile_ids,
        actor=principal.actor,
    )
    return InferenceOut.model_validate(row)


@router.get("/debtors/{debtor_id}", response_model=list[InferenceOut])
def list_inferences(
    debtor_id: Id, db_session: DbSession, principal: CurrentPrincipal
) -> list[InferenceOut]:
    """A debtor's inferences, newest first."""
    portfolio_service.get_debtor_for_principal(
        db_session=db_session, principal=principal, debtor_id=debtor_id
    )
    reads.record_staff_read(
        db_session=db_session, principal=principal, what="whereabouts", debtor_ids=[debtor_id]
    )
    rows = service.list_for_debtor(db_session=db_session, debtor_id=debtor_id)
    return [InferenceOut.model_validate(r) for r in rows]


@router.post("/{inference_id}/decision", response_model=InferenceOut)
def post_decision(
    inference_id: Id, body: DecisionIn, db_session: DbSession, principal: Agents
) -> InferenceOut:
    """Accept (it becomes evidence) or reject a proposed inference, with a reason; audited."""
    row = service.get(db_session=db_session, inference_id=inference_id)
    if row.debtor_id is not None:
        try:
            portfolio_service.get_debtor_for_principal(
                db_session=db_session, principal=principal, debtor_id=row.debtor_id
            )
        except NotFound:
            # As if absent: "debtor N not found" would tell another team's agent whose it is.
            raise service.missing(inference_id) from None
    decided = service.decide(
        db_session=db_session,
        inference_id=inference_id,
        accept=body.accept,
        actor=principal.actor,
        reason=body.reason,
    )
    return InferenceOut.model_validate(decided)
