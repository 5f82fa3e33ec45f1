"""The compliance officer's page: held and blocked messages, the rule packs, the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth.schemas import Principal
from concilia.outreach import service as outreach_service
from concilia.outreach.rules import default_packs
from concilia.portfolio import service as portfolio_service

READERS = ("compliance_officer", "admin", "auditor")
APPROVERS = ("compliance_officer", "admin")


@dataclass(frozen=True)
class RuleLine:
    jurisdiction: str
    id: str
    citation: str
    category: str
    severity: str
    verified: bool


def may_see(principal: Principal) -> bool:
    """Compliance officers, admins and auditors (who only read)."""
    return principal.role.value in READERS


def may_approve(principal: Principal) -> bool:
    """Only a compliance officer or an admin releases a held message."""
    return principal.role.value in APPROVERS


def queue(*, db_session: Session, principal: Principal) -> dict[str, list[Any]]:
    """Messages held for review and messages blocked, newest first, with their reasons."""
    cases = portfolio_service.visible_case_ids(principal=principal)
    return {
        status: outreach_service.list_messages(
            db_session=db_session, case_ids=cases, statuses=(status,)
        )
        for status in ("review", "blocked")
    }


def rules() -> list[RuleLine]:
    """Every active rule of every jurisdiction's pack, with its citation."""
    return [
        RuleLine(
            p.jurisdiction,
            r.spec.id,
            r.spec.citation,
            r.spec.category,
            r.spec.severity,
            bool(r.spec.verified),
        )
        for p in default_packs()
        for r in p.rules
    ]


def audit_entries(
    *, db_session: Session, object_type: str | None, object_id: str | None
) -> list[Any]:
    """The latest audit entries, optionally of one object (type and id)."""
    entries, _ = audit_service.list_entries(
        db_session=db_session,
        object_type=object_type or None,
        object_id=object_id or None,
        limit=100,
    )
    return entries


def approve(*, db_session: Session, principal: Principal, message_id: int) -> None:
    """Release a held message; one the principal's teams cannot see is NotFound."""
    msg = outreach_service.get(db_session=db_session, message_id=message_id)
    portfolio_service.get_case_for_principal(
        db_session=db_session, principal=principal, case_id=msg.case_id
    )
    outreach_service.approve(db_session=db_session, message_id=message_id, actor=principal.actor)


def verify(*, db_session: Session) -> Any:
    """Walk the audit chain (``concilia audit verify``)."""
    return audit_service.verify(db_session=db_session)
