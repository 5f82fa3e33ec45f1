"""Auth's answer for a data subject (see ``concilia.privacy.contract``).

Auth holds staff records, never a debtor's: a debtor's export and erasure find nothing here.
A staff member's own access request is answered by :func:`export_staff`. Staff accounts are
deactivated, not erased, while their actions are in the audit log (which names them as
actors): that record is the controller's accountability (art. 5(2), 17(3)(e)).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.auth.models import ApiToken, LoginAttempt, User, WebSession

_STAFF = "art. 6(1)(b)/(c) GDPR: employment and security of processing (art. 32)"
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "users": ("staff accounts (no debtor data)", _STAFF),
    "user_teams": ("staff team membership (no debtor data)", _STAFF),
    "api_tokens": ("token hashes of staff (no debtor data)", _STAFF),
    "web_sessions": ("session hashes of staff (no debtor data)", _STAFF),
    "login_attempts": ("staff sign-in attempts (no debtor data)", _STAFF),
}


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """Nothing: auth holds no debtor's data."""
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
    """Nothing: auth holds no debtor's data."""
    return []


def export_staff(*, db_session: Session, user_id: int) -> dict[str, Any]:
    """A staff member's own account data (their access request)."""
    user = db_session.get(User, user_id)
    if user is None:
        return {}
    attempts = db_session.scalars(
        select(LoginAttempt).where(LoginAttempt.username == user.username).order_by(LoginAttempt.at)
    )
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role.value,
        "teams": [t.name for t in user.teams],
        "created_at": user.created_at.isoformat(),
        "tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": t.created_at.isoformat()}
            for t in db_session.scalars(select(ApiToken).where(ApiToken.user_id == user_id))
        ],
        "web_sessions": len(
            list(db_session.scalars(select(WebSession.id).where(WebSession.user_id == user_id)))
        ),
        "login_attempts": [
            {"at": a.at.isoformat(), "ip": a.ip, "success": a.success} for a in attempts
        ],
    }
