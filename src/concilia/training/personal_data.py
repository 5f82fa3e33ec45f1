"""Training's answer for a data subject (see ``concilia.privacy.contract``).

Training holds staff records (quiz attempts), never a debtor's. They are part of the proof
that whoever used social channels was trained (art. 39(1)(b), 5(2) GDPR) and are kept with
the staff account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.training.models import QuizAttempt

_PROOF = "art. 5(2) and 39(1)(b) GDPR: proof that staff using social channels were trained"
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "training_quiz_attempts": ("staff quiz attempts (no debtor data)", _PROOF),
}


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """Nothing: training holds no debtor's data."""
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
    """Nothing: training holds no debtor's data."""
    return []


def export_staff(*, db_session: Session, user_id: int) -> dict[str, Any]:
    """A staff member's own training records (their access request)."""
    return {
        "quiz_attempts": [
            {"started_at": a.started_at.isoformat(), "score": a.score, "passed": a.passed}
            for a in db_session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id))
        ],
    }
