"""Whereabouts' answer for a data subject (see ``concilia.privacy.contract``).

An inference (likely city and employer) is derived data about the person: erasure and
objection delete every inference for the debtor or on one of their accepted profiles. None
is kept: nothing needed for a legal claim depends on a suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from concilia.tracing.whereabouts.models import InferenceStatus, WhereaboutsInference

PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "whereabouts_inferences": (
        "nothing",
        "deleted: derived data on legitimate interest, no legal duty to keep",
    ),
}


def _of(debtor_id: int, profile_ids: Sequence[int]) -> ColumnElement[bool]:
    return or_(
        WhereaboutsInference.debtor_id == debtor_id,
        WhereaboutsInference.profile_id.in_(list(profile_ids)),
    )


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """Every inference about the person, with its explanation and review."""
    return [
        {
            "domain": "tracing.whereabouts",
            "table": "whereabouts_inferences",
            "record_id": i.id,
            "data": {
                "status": i.status.value,
                "top_city": i.top_city,
                "top_country": i.top_country,
                "confidence": i.confidence,
                "employer": i.employer,
                "explanation": i.explanation,
                "decided_by": i.decided_by,
            },
            "provenance": {
                "derived_by": f"whereabouts inference {i.method_version}",
                "from_profile_id": i.profile_id,
                "created_by": i.created_by,
                "created_at": i.created_at.isoformat(),
            },
            "purposes": ["locating"],
            "legal_basis": "art. 6(1)(f) GDPR (legitimate interest in locating the debtor)",
            "retain_until": None,
            "derived": True,
        }
        for i in db_session.scalars(
            select(WhereaboutsInference)
            .where(_of(debtor_id, profile_ids))
            .order_by(WhereaboutsInference.id)
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
    """Delete the person's inferences (erasure and objection)."""
    result = db_session.execute(delete(WhereaboutsInference).where(_of(debtor_id, profile_ids)))
    keeps, ground = PERSONAL_DATA["whereabouts_inferences"]
    return [
        {
            "domain": "tracing.whereabouts",
            "table": "whereabouts_inferences",
            "action": "deleted",
            "rows": int(getattr(result, "rowcount", 0) or 0),
            "keeps": keeps,
            "legal_ground": ground,
        }
    ]


def purge_before(*, db_session: Session, before: datetime, dry_run: bool) -> dict[str, int]:
    """Delete inferences never accepted and created before ``before`` (retention schedule)."""
    ids = list(
        db_session.scalars(
            select(WhereaboutsInference.id).where(
                WhereaboutsInference.status != InferenceStatus.accepted,
                WhereaboutsInference.created_at < before,
            )
        )
    )
    if not dry_run and ids:
        db_session.execute(delete(WhereaboutsInference).where(WhereaboutsInference.id.in_(ids)))
    return {"whereabouts_inferences": len(ids)}
