"""Portal's answer for a data subject (see ``concilia.privacy.contract``), built on
:mod:`concilia.portal.subject`, which already exports and erases the portal's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from concilia.portal.models import (
    ChatMessage,
    PortalDispute,
    PortalFlow,
    PortalPayment,
    WrongPersonReport,
)
from concilia.portal.subject import ERASED, erase_debtor, export_debtor

_CLAIM = "art. 17(3)(e) GDPR: establishment, exercise or defence of legal claims"
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "portal_sessions": ("nothing", "deleted"),
    "portal_flows": ("nothing", "deleted"),
    "portal_contact_preferences": ("nothing", "deleted"),
    "portal_disputes": ("that a dispute was raised, its reason code and status", _CLAIM),
    "portal_documents": ("nothing", "deleted"),
    "portal_chat_messages": ("time, sender kind and verdict; text erased", _CLAIM),
    "portal_chat_handoffs": ("every row (case and times of a request for a person)", _CLAIM),
    "portal_payments": (
        "amount, currency, provider reference and outcome",
        "art. 17(3)(b) GDPR: accounting records",
    ),
    "portal_wrong_person_reports": (
        "every row (case, channel, whether the address matched; nobody's identity)",
        "art. 5(1)(d) GDPR: accuracy, the agency must not contact that address again",
    ),
}
# Which table each part of the portal's export comes from.
_PARTS = {
    "preferences": "portal_contact_preferences",
    "disputes": "portal_disputes",
    "chat_messages": "portal_chat_messages",
    "payments": "portal_payments",
}
_COUNTS = {
    "sessions": "portal_sessions",
    "flows": "portal_flows",
    "preferences": "portal_contact_preferences",
    "documents": "portal_documents",
    "chat_messages": "portal_chat_messages",
}


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """The portal's export of the debtor, one item per preference, dispute, message, payment."""
    exported = export_debtor(db_session=db_session, debtor_id=debtor_id)
    items: list[dict[str, Any]] = []
    for part, table in _PARTS.items():
        value = exported.get(part)
        rows = [] if value is None else value if isinstance(value, list) else [value]
        for n, row in enumerate(rows, start=1):
            items.append(
                {
                    "domain": "portal",
                    "table": table,
                    "record_id": f"{part}-{n}",
                    "data": row,
                    "provenance": {"source": "the person, through the debtor portal"},
                    "purposes": ["debt_recovery", "self_service"],
                    "legal_basis": "art. 6(1)(b)/(f) GDPR (the person's own requests)",
                    "retain_until": None,
                }
            )
    return items


def erase_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
    actor: str,
    now: datetime,
    scope: str,
) -> list[dict[str, Any]]:
    """Portal erasure (see :mod:`concilia.portal.subject`); an objection leaves it alone."""
    if scope != "erasure":
        return []
    counts = erase_debtor(db_session=db_session, debtor_id=debtor_id, actor=actor, now=now)
    # Sign-ins begun from a link to one of the cases but never tied to the debtor.
    flows = db_session.execute(delete(PortalFlow).where(PortalFlow.case_id.in_(list(case_ids))))
    counts["flows"] = counts.get("flows", 0) + int(getattr(flows, "rowcount", 0) or 0)
    outcomes: list[dict[str, Any]] = []
    for part, table in _COUNTS.items():
        keeps, ground = PERSONAL_DATA[table]
        action = "redacted" if table == "portal_chat_messages" else "deleted"
        outcomes.append(
            {
                "domain": "portal",
                "table": table,
                "action": action,
                "rows": counts.get(part, 0),
                "keeps": keeps,
                "legal_ground": ground,
            }
        )
    kept = (
        ("portal_disputes", "redacted", PortalDispute.id, PortalDispute.debtor_id == debtor_id),
        ("portal_payments", "kept", PortalPayment.id, PortalPayment.debtor_id == debtor_id),
        (
            "portal_wrong_person_reports",
            "kept",
            WrongPersonReport.id,
            WrongPersonReport.case_id.in_(list(case_ids)),
        ),
    )
    for table, action, column, where in kept:
        keeps, ground = PERSONAL_DATA[table]
        outcomes.append(
            {
                "domain": "portal",
                "table": table,
                "action": action,
                "rows": len(list(db_session.scalars(select(column).where(where)))),
                "keeps": keeps,
                "legal_ground": ground,
            }
        )
    return outcomes


def purge_before(*, db_session: Session, before: datetime, dry_run: bool) -> dict[str, int]:
    """Erase the text of chat messages written before ``before`` (retention schedule)."""
    messages = list(
        db_session.scalars(
            select(ChatMessage).where(
                ChatMessage.created_at < before, ChatMessage.body_encrypted != ERASED
            )
        )
    )
    if not dry_run:
        for m in messages:
            m.body_encrypted = ERASED
        db_session.flush()
    return {"portal_chat_messages": len(messages)}
