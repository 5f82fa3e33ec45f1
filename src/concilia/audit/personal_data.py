"""The audit log's answer for a data subject (see ``concilia.privacy.contract``).

The log is kept whole: it is the controller's proof of what was done with the data (art.
5(2) accountability; art. 17(3)(e) defence of claims), and it is append-only and chained,
so no entry can change without breaking ``concilia audit verify``. It therefore must hold no
personal data of a debtor: an entry names objects by id, a change is stored as its SHA-256
digest only, and ``detail`` is for codes and counts (services keep personal data out of it).
Privacy's erasure test scans the log for the erased person's name, contacts and birth date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry

PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "audit_entries": (
        "every entry (ids, actions, digests, codes; no personal data of the debtor)",
        "art. 5(2) GDPR accountability and art. 17(3)(e): the record of processing itself",
    ),
}


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """The entries about the debtor, their cases and their profiles, oldest first."""
    about = or_(
        and_(AuditEntry.object_type == "debtor", AuditEntry.object_id == str(debtor_id)),
        and_(
            AuditEntry.object_type == "case", AuditEntry.object_id.in_([str(c) for c in case_ids])
        ),
        and_(
            AuditEntry.object_type == "source_profile",
            AuditEntry.object_id.in_([str(p) for p in profile_ids]),
        ),
    )
    return [
        {
            "domain": "audit",
            "table": "audit_entries",
            "record_id": e.seq,
            "data": {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "detail": e.detail,
            },
            "provenance": {"recorded_by": "Concilia audit log"},
            "purposes": ["accountability"],
            "legal_basis": "art. 6(1)(c) and 5(2) GDPR",
            "retain_until": None,
        }
        for e in db_session.scalars(select(AuditEntry).where(about).order_by(AuditEntry.seq))
    ]


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
    """Nothing to erase (see the module's note); says what is kept and why."""
    count = len(
        export_subject(
            db_session=db_session, debtor_id=debtor_id, case_ids=case_ids, profile_ids=profile_ids
        )
    )
    keeps, ground = PERSONAL_DATA["audit_entries"]
    return [
        {
            "domain": "audit",
            "table": "audit_entries",
            "action": "kept",
            "rows": count,
            "keeps": keeps,
            "legal_ground": ground,
        }
    ]
