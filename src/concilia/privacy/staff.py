"""A staff member's own access request: what auth, training and certification hold about them.

Staff records are not erased on request while the person's actions are in the audit log
(accountability, art. 5(2)); deactivating the account is auth's job.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.certification import service as certification_service
from concilia.db import utcnow
from concilia.errors import NotFound
from concilia.training import service as training_service


def export_staff(*, db_session: Session, username: str, actor: str) -> dict[str, Any]:
    """Everything held about a staff member (audited), or NotFound."""
    user = auth_service.get_user_by_username(db_session=db_session, username=username)
    if user is None:
        raise NotFound(f"no staff member {username!r}")
    document = {
        "username": username,
        "generated_at": utcnow().isoformat(),
        "account": auth_service.personal_data.export_staff(db_session=db_session, user_id=user.id),
        "training": training_service.personal_data.export_staff(
            db_session=db_session, user_id=user.id
        ),
        "certification": certification_service.personal_data.export_staff(
            db_session=db_session, user_id=user.id
        ),
    }
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="privacy.staff_exported",
        object_type="user",
        object_id=user.id,
        change={"username": username},
        detail={},
    )
    return document
