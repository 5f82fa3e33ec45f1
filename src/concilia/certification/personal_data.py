"""Certification's answer for a data subject (see ``concilia.privacy.contract``).

Certification holds staff records (certificates, policy acknowledgements), never a
debtor's: a debtor's export and erasure find nothing here. They prove that whoever used
social channels was trained and acknowledged the policy (art. 5(2), 39(1)(b) GDPR) and are
kept with the staff account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.certification.models import Certificate, PolicyAcknowledgement

_PROOF = "art. 5(2) and 39(1)(b) GDPR: proof that staff using social channels were trained"
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "certification_certificates": ("staff certificates (no debtor data)", _PROOF),
    "certification_policy_acknowledgements": ("staff acknowledgements (no debtor data)", _PROOF),
}


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """Nothing: certification holds no debtor's data."""
    return []


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
    """Nothing: certification holds no debtor's data."""
    return []


def export_staff(*, db_session: Session, user_id: int) -> dict[str, Any]:
    """A staff member's own certificates and acknowledgements (their access request)."""
    return {
        "certificates": [
            {
                "basis": c.basis,
                "issued_at": c.issued_at.isoformat(),
                "expires_at": c.expires_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            }
            for c in db_session.scalars(select(Certificate).where(Certificate.user_id == user_id))
        ],
        "policy_acknowledgements": [
            {"version_id": p.policy_version_id, "at": p.acknowledged_at.isoformat()}
            for p in db_session.scalars(
                select(PolicyAcknowledgement).where(PolicyAcknowledgement.user_id == user_id)
            )
        ],
    }
