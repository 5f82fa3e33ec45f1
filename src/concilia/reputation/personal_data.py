"""Reputation's answer for a data subject (see ``concilia.privacy.contract``).

A classification (sentiment, topic) of an agency mention the person authored is derived
from their post: it goes with the mention, which sources deletes on erasure or objection.
Spike alerts are daily counts, about nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from concilia.reputation.models import MentionClassification
from concilia.sources import service as sources_service

PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "reputation_classifications": (
        "nothing",
        "deleted with the mention: derived data, no legal duty to keep",
    ),
}


def _mention_ids(db_session: Session, profile_ids: Sequence[int]) -> list[int]:
    mentions = sources_service.personal_data.mentions_of_profiles(
        db_session=db_session, profile_ids=profile_ids
    )
    return [m.id for m in mentions]


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """How each mention the person authored was classified."""
    ids = _mention_ids(db_session, profile_ids)
    return [
        {
            "domain": "reputation",
            "table": "reputation_classifications",
            "record_id": c.id,
            "data": {
                "mention_id": c.mention_id,
                "sentiment": c.sentiment,
                "topic": c.topic,
                "confidence": c.confidence,
            },
            "provenance": {"derived_by": f"mention classifier {c.model_version}"},
            "purposes": ["reputation_monitoring"],
            "legal_basis": "art. 6(1)(f) GDPR (the agency's interest in its reputation)",
            "retain_until": None,
            "derived": True,
        }
        for c in db_session.scalars(
            select(MentionClassification).where(MentionClassification.mention_id.in_(ids))
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
    """Delete the classifications of the person's mentions (before sources deletes them)."""
    ids = _mention_ids(db_session, profile_ids)
    result = db_session.execute(
        delete(MentionClassification).where(MentionClassification.mention_id.in_(ids))
    )
    keeps, ground = PERSONAL_DATA["reputation_classifications"]
    return [
        {
            "domain": "reputation",
            "table": "reputation_classifications",
            "action": "deleted",
            "rows": int(getattr(result, "rowcount", 0) or 0),
            "keeps": keeps,
            "legal_ground": ground,
        }
    ]
