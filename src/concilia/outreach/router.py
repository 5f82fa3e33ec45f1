"""Outreach routes: check messages (stores nothing), list rules, the outbox of a case."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends
from pydantic import ValidationError
from sqlalchemy import select

from concilia import reads
from concilia.auth.dependencies import CurrentPrincipal, DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.errors import ConciliaError
from concilia.ids import Id
from concilia.outreach import service as outreach_service
from concilia.outreach import webhooks
from concilia.outreach.check import check_record, default_tone_checker, describe_error
from concilia.outreach.models import OutboxMessage
from concilia.outreach.rules import default_packs
from concilia.outreach.schemas import CheckResult, OutboxOut, RuleOut
from concilia.portfolio import service as portfolio_service

router = APIRouter(prefix="/api/outreach", tags=["outreach"])
Officer = Annotated[Principal, Depends(require_roles(Role.admin, Role.compliance_officer))]
MAX_CHECK = 1000
# The languages every rule's description is written in (Texts' fields).
Lang = Literal["en", "fr", "es"]


class BadMessage(ConciliaError):
    status = 422
    title = "Invalid message"


@router.post("/check", response_model=list[CheckResult])
def check_messages(
    principal: CurrentPrincipal,
    messages: Annotated[list[dict[str, Any]], Body(max_length=MAX_CHECK)],
    lang: Lang = "en",
) -> list[dict[str, Any]]:
    """Run engine and tone checker on messages (the `concilia outreach check` format)."""
    tone = default_tone_checker()
    out = []
    for i, m in enumerate(messages):
        try:
            out.append(check_record(m, tone=tone, lang=lang))
        except ValidationError as exc:
            raise BadMessage(f"message {i}: {describe_error(exc)}") from exc
    return out


@router.get("/rules", response_model=list[RuleOut])
def list_rules(principal: CurrentPrincipal, lang: Lang = "en") -> list[RuleOut]:
    """The active rules of every jurisdiction, with citations and verification status."""
    return [
        RuleOut(
            id=r.spec.id,
            jurisdiction=p.jurisdiction,
            citation=r.spec.citation,
            category=r.spec.category,
            severity=r.spec.severity,
            check=r.spec.check,
            description=r.spec.description.model_dump()[lang],
            verified=r.spec.verified,
            note=r.spec.note,
        )
        for p in default_packs()
        for r in p.rules
    ]


@router.get("/cases/{case_id}/outbox", response_model=list[OutboxOut])
def case_outbox(
    case_id: Id, principal: CurrentPrincipal, db_session: DbSession
) -> list[OutboxMessage]:
    """Messages queued, sent or blocked for a case the principal may see."""
    portfolio_service.get_case_for_principal(
        db_session=db_session, principal=principal, case_id=case_id
    )
    reads.record_staff_read(
        db_session=db_session, principal=principal, what="outbox", case_ids=[case_id]
    )
    return list(
        db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(OutboxMessage.id)
        )
    )


@router.post("/outbox/{message_id}/approve", response_model=OutboxOut)
def approve(message_id: Id, principal: Officer, db_session: DbSession) -> OutboxMessage:
    """A compliance officer releases a message held for review."""
    return outreach_service.approve(
        db_session=db_session, message_id=message_id, actor=principal.username
    )


# Providers' webhooks (signed by the provider, not a staff session): outreach/webhooks.py.
router.include_router(webhooks.router)
