"""The console's JSON API: what the pages do, for integrations, with the same checks.

Mounted by ``console/router.py`` beside the pages.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from concilia.auth.dependencies import CurrentPrincipal, DbSession
from concilia.console import service as console_service
from concilia.console.schemas import (
    CallIn,
    CallOut,
    CheckIn,
    IdentityIn,
    IdentityOut,
    MessageIn,
    QueuedOut,
    ReplyOut,
    VerdictOut,
    WorklistFilters,
    WorklistOut,
    WorklistRowOut,
)
from concilia.errors import InvalidInput, NotFound, problem_responses
from concilia.ids import Id
from concilia.portfolio import service as portfolio_service
from concilia.privacy import service as privacy_service

router = APIRouter(prefix="/api/console", tags=["console"], include_in_schema=True)
SCOPED = problem_responses(NotFound, InvalidInput)


@router.get("/cases", response_model=WorklistOut)
def worklist(
    principal: CurrentPrincipal,
    db_session: DbSession,
    status: Annotated[str | None, Query(max_length=30)] = None,
    jurisdiction: Annotated[str | None, Query(max_length=2)] = None,
    flag: Annotated[str | None, Query(max_length=30)] = None,
    mine: bool = False,
    after: Annotated[int | None, Query(description="the last case id of the previous page")] = None,
) -> WorklistOut:
    """My cases and my team's by priority (search by name or contact: the pages' POST)."""
    rows = console_service.worklist(
        db_session=db_session,
        principal=principal,
        filters=WorklistFilters(status=status, jurisdiction=jurisdiction, flag=flag, mine=mine),
        after=after,
    )
    items = [
        WorklistRowOut(
            case_id=r.case_id,
            stage=r.stage,
            flags=list(r.flags),
            debtor_name=r.debtor_name,
            debtor_reference=r.debtor_reference,
            account_reference=r.account_reference,
            jurisdiction=r.jurisdiction,
            currency=r.currency,
            balance=r.balance,
            promise_due=r.promise_due,
            last_contact_at=r.last_contact_at,
        )
        for r in rows
    ]
    full = len(rows) == console_service.PAGE_SIZE
    return WorklistOut(items=items, next_after=rows[-1].case_id if full else None)


@router.post("/cases/{case_id}/messages/check", response_model=VerdictOut, responses=SCOPED)
def check_message(
    case_id: Id, body: CheckIn, principal: CurrentPrincipal, db_session: DbSession
) -> VerdictOut:
    """The compliance and tone verdict a draft would get now (stores nothing)."""
    decision = console_service.check_message(
        db_session=db_session,
        principal=principal,
        case_id=case_id,
        channel=body.channel,
        to=body.to,
        body=body.body,
        kind=body.kind,
    )
    case = console_service.get_case(db_session=db_session, principal=principal, case_id=case_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=case.debt.debtor_id)
    return VerdictOut(
        verdict=decision.verdict,
        reasons=[r.as_dict() for r in decision.reasons],
        suggestions=console_service.tone_suggestions(body.body, debtor.preferred_language),
    )


@router.post(
    "/cases/{case_id}/messages", response_model=QueuedOut, status_code=201, responses=SCOPED
)
def queue_message(
    case_id: Id, body: MessageIn, principal: CurrentPrincipal, db_session: DbSession
) -> QueuedOut:
    """Queue a message for a case; it may come back blocked or held for review, with reasons."""
    msg = console_service.queue_message(
        db_session=db_session,
        principal=principal,
        case_id=case_id,
        channel=body.channel,
        to=body.to,
        body=body.body,
        subject=body.subject,
        kind=body.kind,
        idempotency_key=body.idempotency_key,
    )
    return QueuedOut.model_validate(msg)


@router.post("/cases/{case_id}/calls", response_model=CallOut, status_code=201, responses=SCOPED)
def log_call(
    case_id: Id, body: CallIn, principal: CurrentPrincipal, db_session: DbSession
) -> CallOut:
    """Log a call; refused (422, with the rules) when the call check blocks calling now."""
    entry = console_service.log_call(
        db_session=db_session,
        principal=principal,
        case_id=case_id,
        phone=body.phone,
        outcome=body.outcome,
        at=body.at,
    )
    return CallOut.model_validate(entry)


@router.post(
    "/cases/{case_id}/identity-verifications",
    response_model=IdentityOut,
    status_code=201,
    responses=SCOPED,
)
def verify_identity(
    case_id: Id, body: IdentityIn, principal: CurrentPrincipal, db_session: DbSession
) -> IdentityOut:
    """Record that the person at an address was verified to be the case's debtor."""
    check = console_service.verify_identity(
        db_session=db_session,
        principal=principal,
        case_id=case_id,
        channel=body.channel,
        address=body.address,
        method=body.method,
    )
    return IdentityOut.model_validate(check)


@router.get("/replies", response_model=list[ReplyOut])
def list_replies(principal: CurrentPrincipal, db_session: DbSession) -> list[ReplyOut]:
    """Replies on the cases I may see, newest first."""
    found = console_service.replies(db_session=db_session, principal=principal)
    privacy_service.record_staff_read(
        db_session=db_session, principal=principal, what="console API replies", via="api",
        case_ids=[r.case_id for r in found if r.case_id is not None],
    )  # fmt: skip
    return [ReplyOut.model_validate(r) for r in found]


@router.get("/cases/{case_id}/replies", response_model=list[ReplyOut], responses=SCOPED)
def case_replies(case_id: Id, principal: CurrentPrincipal, db_session: DbSession) -> list[ReplyOut]:
    """Replies on one case, newest first."""
    found = console_service.replies(db_session=db_session, principal=principal, case_id=case_id)
    privacy_service.record_staff_read(
        db_session=db_session, principal=principal, what="console API case replies", via="api",
        case_ids=[case_id],
    )  # fmt: skip
    return [ReplyOut.model_validate(r) for r in found]
