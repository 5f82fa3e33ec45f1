"""Audit log routes: read the log and verify the chain (admins, compliance officers, auditors),
through audit's service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from concilia.audit import service as audit_service
from concilia.audit.schemas import AuditEntryOut, VerifyResult
from concilia.auth.dependencies import DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.pagination import Page, Pagination

router = APIRouter(prefix="/api/audit", tags=["audit"])
Overseer = Annotated[
    Principal, Depends(require_roles(Role.admin, Role.compliance_officer, Role.auditor))
]


@router.get("/entries", response_model=Page[AuditEntryOut])
def list_entries(
    _: Overseer,
    db_session: DbSession,
    page: Pagination,
    object_type: Annotated[str | None, Query(max_length=100)] = None,
    object_id: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[AuditEntryOut]:
    """Audit entries, newest first, optionally for one object."""
    rows, total = audit_service.list_entries(
        db_session=db_session,
        object_type=object_type,
        object_id=object_id,
        offset=page.offset,
        limit=page.limit,
    )
    return Page(
        items=[AuditEntryOut.model_validate(r) for r in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/verify", response_model=VerifyResult)
def verify(_: Overseer, db_session: DbSession) -> VerifyResult:
    """Walk the chain and report the first broken entry, if any."""
    return audit_service.verify(db_session=db_session)
