"""Certify a staff member in tests of services that guard social channels (issue 20)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from concilia.auth import service as auth_service
from concilia.auth.roles import Role
from concilia.certification import service as certification_service
from concilia.db import utcnow


def certify(
    db_session: Session, username: str, *, role: str = "agent", jurisdiction: str | None = None
) -> str:
    """Give ``username`` (created as a ``role`` when absent) a valid certificate and the current
    policy's acknowledgement (a test policy is published when none is); returns the actor
    (``user:<username>``) the guarded services recognise."""
    user = auth_service.get_user_by_username(db_session=db_session, username=username)
    if user is None:
        user, _ = auth_service.create_user(
            db_session=db_session,
            username=username,
            role=Role(role),
            password=f"pw-{username}-correct-horse",
            teams=[],
            actor="test",
        )
    if certification_service.current_policy(db_session=db_session) is None:
        certification_service.publish_policy_version(
            db_session=db_session,
            content_sha256="0" * 64,
            html="<p>test policy</p>",
            packs_version="test",
            actor="test",
        )
    if (
        certification_service.valid_certificate(
            db_session=db_session, user_id=user.id, jurisdiction=jurisdiction
        )
        is None
    ):
        certification_service.issue_certificate(
            db_session=db_session,
            user_id=user.id,
            basis="quiz",
            jurisdiction=jurisdiction,
            expires_at=utcnow() + timedelta(days=365),
            actor="test",
        )
    certification_service.acknowledge_policy(db_session=db_session, user_id=user.id, actor="test")
    db_session.flush()
    return f"user:{username}"
