"""Authenticity's answer for a data subject (see ``concilia.privacy.contract``).

A flag scores one public profile (fake, impersonating). The flags of the person's accepted
profiles are deleted with those profiles. A flag on another profile that impersonates the
person keeps its ``impersonator_of`` id (a bare number, naming a row that no longer exists):
the impostor must stay blocked, which protects the very person who asked to be erased.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from concilia.authenticity.models import AuthenticityFlag

PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "authenticity_flags": (
        "flags of impostor profiles keep the erased profile's bare id in impersonator_of",
        "art. 6(1)(f) GDPR: blocking an impostor of the person protects them (no clear data)",
    ),
}


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """The authenticity scores of the person's accepted profiles, with their reasons."""
    return [
        {
            "domain": "authenticity",
            "table": "authenticity_flags",
            "record_id": f.id,
            "data": {
                "profile_id": f.profile_id,
                "fake_score": f.fake_score,
                "is_fake": f.is_fake,
                "fake_reasons": f.fake_reasons,
                "is_impersonator": f.is_impersonator,
                "impersonation_reasons": f.impersonation_reasons,
                "overridden": f.overridden,
            },
            "provenance": {"derived_by": f"authenticity model {f.model_version}"},
            "purposes": ["fraud_prevention"],
            "legal_basis": "art. 6(1)(f) GDPR (not contacting or profiling the wrong person)",
            "retain_until": None,
            "derived": True,
        }
        for f in db_session.scalars(
            select(AuthenticityFlag)
            .where(AuthenticityFlag.profile_id.in_(list(profile_ids)))
            .order_by(AuthenticityFlag.id)
        )
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
    """Delete the flags of the person's profiles (erasure and objection)."""
    result = db_session.execute(
        delete(AuthenticityFlag).where(AuthenticityFlag.profile_id.in_(list(profile_ids)))
    )
    keeps, ground = PERSONAL_DATA["authenticity_flags"]
    return [
        {
            "domain": "authenticity",
            "table": "authenticity_flags",
            "action": "deleted",
            "rows": int(getattr(result, "rowcount", 0) or 0),
            "keeps": keeps,
            "legal_ground": ground,
        }
    ]
