"""Authenticity routes: read a profile's flags, override a flag (agent+, audited), score."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from concilia.auth.dependencies import CurrentPrincipal, DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.authenticity import service
from concilia.authenticity.schemas import FlagOut, OverrideIn, ScoreIn, ScoreOut, UsabilityOut
from concilia.errors import NotFound, problem_responses
from concilia.ids import Id

router = APIRouter(prefix="/api/authenticity", tags=["authenticity"])

Deciders = Annotated[
    Principal,
    Depends(require_roles(Role.admin, Role.supervisor, Role.agent, Role.compliance_officer)),
]
Operators = Annotated[Principal, Depends(require_roles(Role.admin, Role.supervisor))]


@router.get("/profiles/{profile_id}", response_model=FlagOut)
def get_flags(profile_id: Id, db_session: DbSession, principal: CurrentPrincipal) -> FlagOut:
    """A profile's flags with their reasons (404 when not yet scored)."""
    flag = service.get_flag_or_raise(db_session=db_session, profile_id=profile_id)
    return FlagOut.model_validate(flag)


@router.get("/profiles/{profile_id}/usable", response_model=UsabilityOut)
def get_usability(
    profile_id: Id, db_session: DbSession, principal: CurrentPrincipal
) -> UsabilityOut:
    """Whether the profile may become evidence or a contact channel, and why (not)."""
    ok, reasons = service.can_use_as_evidence(db_session=db_session, profile_id=profile_id)
    return UsabilityOut(profile_id=profile_id, usable=ok, reasons=reasons)


@router.post("/profiles/{profile_id}/override", response_model=FlagOut)
def post_override(
    profile_id: Id, body: OverrideIn, db_session: DbSession, principal: Deciders
) -> FlagOut:
    """Use a flagged profile anyway: the agent's reason is stored and audited."""
    flag = service.override(
        db_session=db_session, profile_id=profile_id, reason=body.reason, actor=principal.actor
    )
    return FlagOut.model_validate(flag)


@router.delete("/profiles/{profile_id}/override", response_model=FlagOut)
def delete_override(profile_id: Id, db_session: DbSession, principal: Deciders) -> FlagOut:
    """Block a flagged profile again (audited)."""
    flag = service.withdraw_override(
        db_session=db_session, profile_id=profile_id, actor=principal.actor
    )
    return FlagOut.model_validate(flag)


@router.post("/score", response_model=ScoreOut, responses=problem_responses(NotFound))
def post_score(body: ScoreIn, db_session: DbSession, principal: Operators) -> ScoreOut:
    """Score imported profiles (all, or the listed ones) against the whole corpus."""
    summary = service.score_profiles(
        db_session=db_session, actor=principal.actor, profile_ids=body.profile_ids or None
    )
    return ScoreOut(**summary.__dict__)
