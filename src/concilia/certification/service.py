"""Certification: certificates, policy versions and acknowledgements, and the gate on social
channels (:func:`require_social_channels`) that outreach, tracing and sources call.

Training decides *when* a certificate is earned (a passed quiz) and *what* the policy says
(rendered from the rule packs); this domain only keeps the records and answers the question
"may this staff member use social channels now?", so that it can sit below every service
that guards a social action without an import circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.certification import personal_data as personal_data
from concilia.certification.models import Certificate as Certificate
from concilia.certification.models import PolicyAcknowledgement as PolicyAcknowledgement
from concilia.certification.models import PolicyVersion as PolicyVersion
from concilia.db import utcnow
from concilia.errors import Conflict, Forbidden, InputProblem, InvalidInput, NotFound

BASES = ("quiz", "demo")


@dataclass(frozen=True)
class StaffStatus:
    """A staff member's standing for social channels, as supervisors see it."""

    certificate_expires_at: datetime | None
    certificate_basis: str | None
    certificate_jurisdiction: str | None
    policy_acknowledged: bool
    may_use_social_channels: bool
    reason: str | None


class SocialChannelsRefused(Forbidden):
    """A social action refused for want of a certificate or of the policy's acknowledgement.

    The refusal is audited in the caller's transaction: a caller that wants it kept (a web
    request rolls back on errors) commits before re-raising, as auth does for failed logins."""


def issue_certificate(
    *,
    db_session: Session,
    user_id: int,
    basis: str,
    expires_at: datetime,
    actor: str,
    jurisdiction: str | None = None,
    attempt_ref: int | None = None,
    score: float | None = None,
    now: datetime | None = None,
) -> Certificate:
    """Issue a certificate (audited); ``basis`` says what it rests on (quiz or demo)."""
    now = now or utcnow()
    if basis not in BASES:
        raise InvalidInput(problems=[InputProblem("certificate", 0, "basis", f"unknown: {basis}")])
    if expires_at <= now:
        raise InvalidInput(
            problems=[InputProblem("certificate", 0, "expires_at", "must be after issuance")]
        )
    certificate = Certificate(
        user_id=user_id,
        basis=basis,
        attempt_ref=attempt_ref,
        jurisdiction=jurisdiction,
        score=score,
        issued_at=now,
        issued_by=actor,
        expires_at=expires_at,
    )
    db_session.add(certificate)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="certification.certificate_issued",
        object_type="certificate",
        object_id=certificate.id,
        change={"user_id": user_id, "basis": basis, "expires_at": expires_at.isoformat()},
        detail={
            "user_id": user_id,
            "basis": basis,
            "jurisdiction": jurisdiction,
            "expires_at": expires_at.isoformat(),
        },
    )
    return certificate


def valid_certificate(
    *,
    db_session: Session,
    user_id: int,
    jurisdiction: str | None = None,
    now: datetime | None = None,
) -> Certificate | None:
    """The user's certificate valid at ``now`` expiring last (for ``jurisdiction`` when given:
    a certificate of that jurisdiction or a general one)."""
    now = now or utcnow()
    query = select(Certificate).where(
        Certificate.user_id == user_id,
        Certificate.expires_at > now,
        Certificate.issued_at <= now,
        Certificate.revoked_at.is_(None),
    )
    if jurisdiction is not None:
        query = query.where(
            (Certificate.jurisdiction == jurisdiction) | Certificate.jurisdiction.is_(None)
        )
    return db_session.scalar(query.order_by(Certificate.expires_at.desc()).limit(1))


def list_certificates(*, db_session: Session, user_id: int) -> list[Certificate]:
    """A user's certificates, newest first (expired and revoked ones included)."""
    query = select(Certificate).where(Certificate.user_id == user_id)
    return list(db_session.scalars(query.order_by(Certificate.issued_at.desc(), Certificate.id)))


def revoke_certificate(*, db_session: Session, certificate_id: int, actor: str) -> Certificate:
    """Revoke a certificate (audited); NotFound otherwise."""
    certificate = db_session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound(f"certificate {certificate_id} not found")
    if certificate.revoked_at is None:
        certificate.revoked_at, certificate.revoked_by = utcnow(), actor
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="certification.certificate_revoked",
            object_type="certificate",
            object_id=certificate.id,
            change={"user_id": certificate.user_id},
            detail={"user_id": certificate.user_id},
        )
    return certificate


def current_policy(*, db_session: Session) -> PolicyVersion | None:
    """The latest published policy version, None before the first."""
    query = select(PolicyVersion).order_by(PolicyVersion.number.desc()).limit(1)
    return db_session.scalar(query)


def publish_policy_version(
    *, db_session: Session, content_sha256: str, html: str, packs_version: str, actor: str
) -> tuple[PolicyVersion, bool]:
    """Record a rendered policy as a new version unless it equals the current one;
    returns (version, created)."""
    current = current_policy(db_session=db_session)
    if current is not None and current.content_sha256 == content_sha256:
        return current, False
    number = (db_session.scalar(select(func.max(PolicyVersion.number))) or 0) + 1
    version = PolicyVersion(
        number=number,
        content_sha256=content_sha256,
        html=html,
        packs_version=packs_version,
        published_at=utcnow(),
        published_by=actor,
    )
    db_session.add(version)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="certification.policy_published",
        object_type="policy_version",
        object_id=version.id,
        change={"number": number, "sha256": content_sha256},
        detail={"number": number, "sha256": content_sha256, "packs": packs_version},
    )
    return version, True


def is_acknowledged(*, db_session: Session, user_id: int, version: PolicyVersion) -> bool:
    """Whether the user acknowledged this policy version."""
    found = db_session.scalar(
        select(PolicyAcknowledgement.id).where(
            PolicyAcknowledgement.user_id == user_id,
            PolicyAcknowledgement.policy_version_id == version.id,
        )
    )
    return found is not None


def acknowledge_policy(
    *, db_session: Session, user_id: int, actor: str, number: int | None = None
) -> PolicyAcknowledgement:
    """Record that a staff member read the current policy (idempotent; audited once).

    NotFound when nothing is published; Conflict when ``number`` is not the current version."""
    current = current_policy(db_session=db_session)
    if current is None:
        raise NotFound("no social-media policy is published yet")
    if number is not None and number != current.number:
        raise Conflict(f"policy version {number} is not the current one ({current.number})")
    existing = db_session.scalar(
        select(PolicyAcknowledgement).where(
            PolicyAcknowledgement.user_id == user_id,
            PolicyAcknowledgement.policy_version_id == current.id,
        )
    )
    if existing is not None:
        return existing
    ack = PolicyAcknowledgement(
        user_id=user_id, policy_version_id=current.id, acknowledged_at=utcnow()
    )
    db_session.add(ack)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="certification.policy_acknowledged",
        object_type="policy_version",
        object_id=current.id,
        change={"user_id": user_id, "number": current.number},
        detail={"user_id": user_id, "number": current.number},
    )
    return ack


def social_channel_refusal(
    *,
    db_session: Session,
    user_id: int,
    jurisdiction: str | None = None,
    now: datetime | None = None,
) -> str | None:
    """Why this staff member may not use social channels now, or None when they may."""
    if (
        valid_certificate(
            db_session=db_session, user_id=user_id, jurisdiction=jurisdiction, now=now
        )
        is None
    ):
        where = f" for {jurisdiction}" if jurisdiction else ""
        return f"no valid social-channels training certificate{where} (missing, expired or revoked)"
    current = current_policy(db_session=db_session)
    if current is None:
        return "no social-media policy is published yet"
    if not is_acknowledged(db_session=db_session, user_id=user_id, version=current):
        return f"the current social-media policy (version {current.number}) is not acknowledged"
    return None


def may_use_social_channels(
    *, db_session: Session, user_id: int, jurisdiction: str | None = None
) -> bool:
    """Whether the staff member holds a valid certificate and acknowledged the current policy."""
    return (
        social_channel_refusal(db_session=db_session, user_id=user_id, jurisdiction=jurisdiction)
        is None
    )


def _staff_user_id(db_session: Session, actor: str, username: str | None) -> int | None:
    # Staff act as "user:<username>" (Principal.actor); any other actor (a CLI login, a
    # worker) names no staff member and so holds no certificate.
    name = username or (actor.removeprefix("user:") if actor.startswith("user:") else None)
    if not name:
        return None
    user = auth_service.get_user_by_username(db_session=db_session, username=name)
    return user.id if user is not None and user.is_active else None


def require_social_channels(
    *,
    db_session: Session,
    action: str,
    actor: str,
    user_id: int | None = None,
    username: str | None = None,
    jurisdiction: str | None = None,
) -> int:
    """The staff member's id when they may use social channels now; otherwise the refusal is
    audited (``certification.social_channels_refused``) and SocialChannelsRefused is raised.

    The staff member is ``user_id``, else ``username``, else the user named by ``actor``
    (``user:<username>``); an actor that names no active user is refused."""
    found = user_id if user_id is not None else _staff_user_id(db_session, actor, username)
    reason: str | None
    if found is None:
        reason = f"{actor!r} is not a staff member's account (only certified staff may)"
    else:
        reason = social_channel_refusal(
            db_session=db_session, user_id=found, jurisdiction=jurisdiction
        )
        if reason is None:
            return found

    def record_refusal(session: Session) -> None:
        audit_service.record(
            db_session=session,
            actor=actor,
            action="certification.social_channels_refused",
            object_type="user",
            object_id=found if found is not None else actor,
            change={"action": action, "reason": reason},
            detail={"action": action, "reason": reason, "jurisdiction": jurisdiction},
        )

    record_refusal(db_session)
    refused = SocialChannelsRefused(f"{action} refused: {reason}")
    # A caller that rolls its unit of work back (a web request, a command) still keeps the
    # refusal's audit entry: it is written again, alone, after the rollback.
    refused.after_rollback = record_refusal
    raise refused


def team_status(
    *, db_session: Session, user_ids: list[int], now: datetime | None = None
) -> dict[int, StaffStatus]:
    """For supervisors: each user's valid certificate (expiry, basis), whether the current
    policy is acknowledged, and why social channels are refused (None when they are not)."""
    now = now or utcnow()
    current = current_policy(db_session=db_session)
    out: dict[int, StaffStatus] = {}
    for user_id in user_ids:
        cert = valid_certificate(db_session=db_session, user_id=user_id, now=now)
        acked = current is not None and is_acknowledged(
            db_session=db_session, user_id=user_id, version=current
        )
        out[user_id] = StaffStatus(
            certificate_expires_at=cert.expires_at if cert else None,
            certificate_basis=cert.basis if cert else None,
            certificate_jurisdiction=cert.jurisdiction if cert else None,
            policy_acknowledged=acked,
            may_use_social_channels=cert is not None and acked,
            reason=social_channel_refusal(db_session=db_session, user_id=user_id, now=now),
        )
    return out
