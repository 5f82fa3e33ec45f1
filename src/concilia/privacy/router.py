"""Staff API for privacy: access and erasure requests, notices, the purge, the register and
the log of who read what (admins and the compliance officer; the auditor reads); and the
compliance officer's console page (``pages.py``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from concilia.auth.dependencies import DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.db import utcnow
from concilia.privacy import register as register_doc
from concilia.privacy import service
from concilia.privacy.pages import pages
from concilia.privacy.schemas import (
    ErasureIn,
    ErasureOut,
    ExportOut,
    NoticeOut,
    PurgeIn,
    ReadAlertOut,
    ReadOut,
    RequestIn,
    RequestOut,
    SubjectIn,
)

api = APIRouter(prefix="/api/privacy", tags=["privacy"])

# The subject is named in the body, not the path: say that an unknown one answers 404.
UNKNOWN_SUBJECT: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such debtor of that creditor"}
}
Officer = Annotated[Principal, Depends(require_roles(Role.admin, Role.compliance_officer))]
Overseer = Annotated[
    Principal, Depends(require_roles(Role.admin, Role.compliance_officer, Role.auditor))
]


@api.post("/exports", response_model=ExportOut, status_code=201, responses=UNKNOWN_SUBJECT)
def export(body: SubjectIn, db_session: DbSession, principal: Officer) -> ExportOut:
    """Answer an access request (art. 15): every item with provenance, purposes, retention."""
    subject = service.resolve(
        db_session=db_session, creditor=body.creditor, debtor_reference=body.debtor_reference
    )
    request, document = service.export(
        db_session=db_session, subject=subject, actor=principal.actor, reason=body.reason, via="api"
    )
    return ExportOut(request=RequestOut.model_validate(request), document=document)


@api.post("/erasures", response_model=ErasureOut, status_code=201, responses=UNKNOWN_SUBJECT)
def erase(body: ErasureIn, db_session: DbSession, principal: Officer) -> ErasureOut:
    """Art. 17 erasure, art. 18 restriction or art. 21 objection; what each table kept and why."""
    subject = service.resolve(
        db_session=db_session, creditor=body.creditor, debtor_reference=body.debtor_reference
    )
    if body.article == "18":
        request = service.restrict(
            db_session=db_session, subject=subject, actor=principal.actor, reason=body.reason
        )
        return ErasureOut(request=RequestOut.model_validate(request), tables=[])
    run = service.erase if body.article == "17" else service.object_to_social
    request, outcomes = run(
        db_session=db_session, subject=subject, actor=principal.actor, reason=body.reason
    )
    return ErasureOut(request=RequestOut.model_validate(request), tables=outcomes)


@api.post("/requests", response_model=RequestOut, status_code=201, responses=UNKNOWN_SUBJECT)
def log_request(body: RequestIn, db_session: DbSession, principal: Officer) -> RequestOut:
    """Log a request as it comes in (its month runs from receipt); answered later."""
    subject = service.resolve(
        db_session=db_session, creditor=body.creditor, debtor_reference=body.debtor_reference
    )
    received_at = (
        datetime.combine(body.received_on, datetime.min.time(), tzinfo=UTC)
        if body.received_on
        else None
    )
    logged = service.open_request(
        db_session=db_session,
        subject=subject,
        kind=body.kind,
        actor=principal.actor,
        reason=body.reason,
        received_at=received_at,
    )
    return RequestOut.model_validate(logged)


@api.get("/requests", response_model=list[RequestOut])
def requests(
    db_session: DbSession,
    principal: Overseer,
    status: Literal["open", "done"] | None = None,
) -> list[RequestOut]:
    """Requests, oldest deadline first."""
    return [
        RequestOut.model_validate(r)
        for r in service.list_requests(db_session=db_session, status=status)
    ]


@api.get("/notices", response_model=list[NoticeOut])
def notices(db_session: DbSession, principal: Officer) -> list[NoticeOut]:
    """Art. 14 notices still owed, most urgent first."""
    owed = service.sync_notices(db_session=db_session)
    return [NoticeOut.model_validate(n) for n in owed]


@api.post("/purge", response_model=dict[str, Any])
def purge(body: PurgeIn, db_session: DbSession, principal: Officer) -> dict[str, Any]:
    """One pass of the retention schedule (a dry run by default)."""
    return service.purge(db_session=db_session, dry_run=body.dry_run, actor=principal.actor)


@api.get("/register", response_model=dict[str, Any])
def register(db_session: DbSession, principal: Overseer) -> dict[str, Any]:
    """The art. 30 record of processing, as data."""
    return register_doc.build(db_session=db_session)


@api.get("/reads", response_model=list[ReadOut])
def reads(
    db_session: DbSession,
    principal: Overseer,
    days: Annotated[int, Query(ge=1, le=366)] = 7,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    debtor_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    debtor_reference: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> list[ReadOut]:
    """Who read which person's decrypted data, newest first (the last N days); of one reader,
    one debtor id, or the debtors any creditor knows by a reference."""
    rows = service.list_reads(
        db_session=db_session,
        since=utcnow() - timedelta(days=days),
        actor=actor,
        debtor_id=debtor_id,
        debtor_ids=service.debtor_ids_by_reference(
            db_session=db_session, debtor_reference=debtor_reference
        )
        if debtor_reference
        else None,
    )
    return [ReadOut.model_validate(r) for r in rows]


@api.get("/reads/alerts", response_model=list[ReadAlertOut])
def read_alerts(db_session: DbSession, principal: Overseer) -> list[ReadAlertOut]:
    """Readers who read far more people in the last 24 hours than on their usual day."""
    return [ReadAlertOut(**asdict(a)) for a in service.read_alerts(db_session=db_session)]


router = APIRouter()
router.include_router(api)
router.include_router(pages)
