"""HTTP routes: source declarations, an agent's manual capture, and profile detail.

Profiles are public data, not case data, so they are not team-scoped; they are still
personal data, so only staff who work with them read them (admin, supervisor, agent,
compliance officer). Auditors read the audit log, not people's profiles (minimisation).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from concilia.auth.dependencies import CurrentPrincipal, DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.errors import NotFound
from concilia.ids import Id
from concilia.sources import service
from concilia.sources.schemas import (
    CaptureOut,
    ManualCaptureIn,
    ProfileOut,
    SourceDeclaration,
    SourceOut,
)

router = APIRouter(prefix="/api/sources", tags=["sources"])

Declarer = Annotated[Principal, Depends(require_roles(Role.admin, Role.compliance_officer))]
Capturer = Annotated[Principal, Depends(require_roles(Role.admin, Role.supervisor, Role.agent))]
ProfileReader = Annotated[
    Principal,
    Depends(require_roles(Role.admin, Role.supervisor, Role.agent, Role.compliance_officer)),
]


@router.get("", response_model=list[SourceOut])
def list_sources(db_session: DbSession, principal: CurrentPrincipal) -> list[SourceOut]:
    """Every declared source with its terms (any signed-in user)."""
    return [SourceOut.model_validate(s) for s in service.list_sources(db_session=db_session)]


@router.post("", response_model=SourceOut, status_code=status.HTTP_201_CREATED)
def declare_source(
    declaration: SourceDeclaration, db_session: DbSession, principal: Declarer
) -> SourceOut:
    """Declare a source and its platform terms (admin or compliance officer; audited)."""
    source = service.declare(db_session=db_session, declaration=declaration, actor=principal.actor)
    return SourceOut.model_validate(source)


@router.get("/profiles/{profile_id}", response_model=ProfileOut)
def get_profile(profile_id: Id, db_session: DbSession, principal: ProfileReader) -> ProfileOut:
    """One public profile with its provenance and published contacts."""
    return ProfileOut.model_validate(
        service.profile_detail(db_session=db_session, profile_id=profile_id)
    )


@router.post("/captures", response_model=CaptureOut, status_code=status.HTTP_201_CREATED)
def capture_profile(
    capture: ManualCaptureIn, db_session: DbSession, principal: Capturer
) -> CaptureOut:
    """Record a public profile an agent looked at by hand, with its URL (audited)."""
    profile_id, outcome, retain = service.manual_capture(
        db_session=db_session,
        capture=capture,
        username=principal.username,
        actor=principal.actor,
    )
    return CaptureOut(
        profile_id=profile_id,
        outcome=outcome,
        retain_until=retain,
    )


@router.get("/{name}", response_model=SourceOut)
def get_source(
    name: Annotated[str, Path(max_length=100)], db_session: DbSession, principal: CurrentPrincipal
) -> SourceOut:
    """One declared source (any signed-in user)."""
    source = service.get_by_name(db_session=db_session, name=name)
    if source is None:
        raise NotFound(f"no source {name!r}")
    return SourceOut.model_validate(source)
