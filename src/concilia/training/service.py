"""Training: courses, quizzes, certificates, the social-media policy, and the gate on social
channels (``may_use_social_channels`` / ``require_social_channels``) other domains call."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.errors import Conflict, Forbidden, InputProblem, InvalidInput, NotFound
from concilia.sources import service as sources_service
from concilia.training import content, policy
from concilia.training import personal_data as personal_data
from concilia.training.models import (
    Certificate,
    PolicyAcknowledgement,
    PolicyVersion,
    QuizAttempt,
)
from concilia.training.settings import TrainingSettings


def _settings() -> TrainingSettings:
    return TrainingSettings()


def source_facts(*, db_session: Session) -> list[content.SourceFacts]:
    """What each active declared source allows, for questions and the policy."""
    return [
        content.SourceFacts(
            s.name, s.platform, tuple(s.allowed_purposes), bool(s.automated_messaging)
        )
        for s in sources_service.list_sources(db_session=db_session)
        if s.active
    ]


def start_quiz(
    *,
    db_session: Session,
    user_id: int,
    lang: str,
    jurisdiction: str | None,
    actor: str,
    seed: int | None = None,
) -> QuizAttempt:
    """Draw a quiz for a staff member from the question bank (rule packs + declared sources)."""
    if lang not in content.LANGS:
        raise InvalidInput(problems=[InputProblem("quiz", 0, "lang", f"unknown: {lang}")])
    if jurisdiction is not None and jurisdiction not in content.packs():
        raise InvalidInput(
            problems=[InputProblem("quiz", 0, "jurisdiction", f"no rule pack: {jurisdiction}")]
        )
    bank = content.question_bank(
        lang=lang, jurisdiction=jurisdiction, sources=source_facts(db_session=db_session)
    )
    drawn = content.draw(
        bank,
        count=_settings().quiz_questions,
        seed=seed if seed is not None else random.SystemRandom().randrange(2**31),
    )
    attempt = QuizAttempt(
        user_id=user_id,
        lang=lang,
        jurisdiction=jurisdiction,
        questions=[
            {"id": q.id, "statement": q.statement, "answer": q.answer, "explanation": q.explanation}
            for q in drawn
        ],
        started_at=utcnow(),
    )
    db_session.add(attempt)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="training.quiz_started",
        object_type="training_quiz_attempt",
        object_id=attempt.id,
        change={"user_id": user_id, "questions": [q.id for q in drawn]},
        detail={"user_id": user_id, "jurisdiction": jurisdiction, "lang": lang},
    )
    return attempt


def submit_quiz(
    *,
    db_session: Session,
    attempt_id: int,
    user_id: int,
    answers: dict[str, bool],
    actor: str,
    now: datetime | None = None,
) -> tuple[QuizAttempt, Certificate | None]:
    """Score an attempt (an unanswered question counts wrong); a pass issues a certificate.

    NotFound when the attempt is not this user's (as if absent); Conflict when already answered."""
    attempt = db_session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound(f"quiz attempt {attempt_id} not found")
    if attempt.submitted_at is not None:
        raise Conflict(f"quiz attempt {attempt_id} was already submitted")
    now = now or utcnow()
    settings = _settings()
    right = sum(answers.get(q["id"]) is q["answer"] for q in attempt.questions)
    attempt.score = round(right / len(attempt.questions), 3)
    attempt.passed = attempt.score >= settings.pass_mark
    attempt.submitted_at = now
    certificate = None
    if attempt.passed:
        certificate = Certificate(
            user_id=user_id,
            attempt_id=attempt.id,
            jurisdiction=attempt.jurisdiction,
            score=attempt.score,
            issued_at=now,
            expires_at=now + timedelta(days=round(settings.certificate_months * 365 / 12)),
        )
        db_session.add(certificate)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="training.quiz_submitted",
        object_type="training_quiz_attempt",
        object_id=attempt.id,
        change={"user_id": user_id, "score": attempt.score, "passed": attempt.passed},
        detail={
            "user_id": user_id,
            "score": attempt.score,
            "passed": attempt.passed,
            "certificate_id": certificate.id if certificate else None,
        },
    )
    return attempt, certificate


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
            action="training.certificate_revoked",
            object_type="training_certificate",
            object_id=certificate.id,
            change={"user_id": certificate.user_id},
            detail={"user_id": certificate.user_id},
        )
    return certificate


def _policy_sources(db_session: Session) -> list[policy.PolicySource]:
    return [
        policy.PolicySource(
            s.name, s.platform, list(s.allowed_purposes), bool(s.automated_messaging), s.terms_url
        )
        for s in sources_service.list_sources(db_session=db_session)
        if s.active
    ]


def current_policy(*, db_session: Session) -> PolicyVersion | None:
    """The latest published policy version, None before the first."""
    query = select(PolicyVersion).order_by(PolicyVersion.number.desc()).limit(1)
    return db_session.scalar(query)


def render_policy(*, db_session: Session, lang: str = "en") -> str:
    """The policy as it stands now (labelled with the current version when unchanged)."""
    sources, agency = _policy_sources(db_session), _settings().agency()
    current = current_policy(db_session=db_session)
    digest = policy.fingerprint(sources=sources, agency=agency)
    label = str(current.number) if current and current.content_sha256 == digest else "(draft)"
    return policy.render(sources=sources, agency=agency, lang=lang, version_label=label)


def render_policy_pdf(*, db_session: Session, lang: str = "en") -> bytes:
    """The policy as it stands now, as a PDF."""
    sources, agency = _policy_sources(db_session), _settings().agency()
    current = current_policy(db_session=db_session)
    digest = policy.fingerprint(sources=sources, agency=agency)
    label = str(current.number) if current and current.content_sha256 == digest else "(draft)"
    return policy.render_pdf(sources=sources, agency=agency, lang=lang, version_label=label)


def publish_policy(*, db_session: Session, actor: str) -> tuple[PolicyVersion, bool]:
    """Publish the policy as a new version when its content changed; (version, created)."""
    sources, agency = _policy_sources(db_session), _settings().agency()
    digest = policy.fingerprint(sources=sources, agency=agency)
    current = current_policy(db_session=db_session)
    if current is not None and current.content_sha256 == digest:
        return current, False
    number = (db_session.scalar(select(func.max(PolicyVersion.number))) or 0) + 1
    version = PolicyVersion(
        number=number,
        content_sha256=digest,
        html=policy.render(sources=sources, agency=agency, version_label=str(number)),
        packs_version=content.packs_version(),
        published_at=utcnow(),
        published_by=actor,
    )
    db_session.add(version)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="training.policy_published",
        object_type="training_policy_version",
        object_id=version.id,
        change={"number": number, "sha256": digest},
        detail={"number": number, "sha256": digest, "packs": version.packs_version},
    )
    return version, True


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
        action="training.policy_acknowledged",
        object_type="training_policy_version",
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
    acknowledged = db_session.scalar(
        select(PolicyAcknowledgement.id).where(
            PolicyAcknowledgement.user_id == user_id,
            PolicyAcknowledgement.policy_version_id == current.id,
        )
    )
    if acknowledged is None:
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


def require_social_channels(
    *,
    db_session: Session,
    user_id: int,
    action: str,
    jurisdiction: str | None = None,
    actor: str | None = None,
) -> None:
    """Forbidden, with the reason, unless the staff member may use social channels.

    With ``actor``, a refusal is also audited (``training.social_channels_refused``) in the
    caller's transaction: a caller that wants the refusal kept commits before re-raising."""
    reason = social_channel_refusal(
        db_session=db_session, user_id=user_id, jurisdiction=jurisdiction
    )
    if reason is None:
        return
    if actor is not None:
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="training.social_channels_refused",
            object_type="user",
            object_id=user_id,
            change={"action": action, "reason": reason},
            detail={"action": action, "reason": reason, "jurisdiction": jurisdiction},
        )
    raise Forbidden(f"{action} refused: {reason}")


def team_status(
    *, db_session: Session, user_ids: list[int], now: datetime | None = None
) -> dict[int, dict[str, object]]:
    """For supervisors: each user's certificate expiry and whether the current policy is
    acknowledged."""
    now = now or utcnow()
    current = current_policy(db_session=db_session)
    out: dict[int, dict[str, object]] = {}
    for user_id in user_ids:
        cert = valid_certificate(db_session=db_session, user_id=user_id, now=now)
        acked = current is not None and (
            db_session.scalar(
                select(PolicyAcknowledgement.id).where(
                    PolicyAcknowledgement.user_id == user_id,
                    PolicyAcknowledgement.policy_version_id == current.id,
                )
            )
            is not None
        )
        out[user_id] = {
            "certificate_expires_at": cert.expires_at if cert else None,
            "policy_acknowledged": acked,
            "may_use_social_channels": cert is not None and acked,
        }
    return out
