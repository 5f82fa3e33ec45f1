"""Training: courses, quizzes (a pass earns a certificate), the social-media policy rendered
from the rule packs and published as versions, and supervisors' view of their staff.

The certificates, policy versions and acknowledgements themselves, and the gate on social
channels other services call, are certification's (``concilia.certification.service``)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.auth.schemas import Principal
from concilia.certification import service as certification_service
from concilia.certification.service import Certificate, PolicyVersion
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.sources import service as sources_service
from concilia.training import content, policy
from concilia.training import personal_data as personal_data
from concilia.training.models import QuizAttempt
from concilia.training.settings import TrainingSettings


def _settings() -> TrainingSettings:
    return TrainingSettings()


def validity(now: datetime) -> datetime:
    """When a certificate issued at ``now`` expires (the configured months, in days)."""
    return now + timedelta(days=round(_settings().certificate_months * 365 / 12))


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


def get_attempt(*, db_session: Session, attempt_id: int, user_id: int) -> QuizAttempt:
    """One's own quiz attempt; NotFound for another's (as if absent)."""
    attempt = db_session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound(f"quiz attempt {attempt_id} not found")
    return attempt


def staff_in_scope(*, db_session: Session, principal: Principal) -> dict[int, str]:
    """Active staff a supervisor oversees (their teams'), or every active user for those who
    see all teams: user id -> username, by username."""
    scope = auth_service.team_scope(principal)
    users = sorted(auth_service.list_users(db_session=db_session), key=lambda u: u.username)
    return {
        u.id: u.username
        for u in users
        if u.is_active and (scope is None or {t.id for t in u.teams} & scope)
    }


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
    attempt = get_attempt(db_session=db_session, attempt_id=attempt_id, user_id=user_id)
    if attempt.submitted_at is not None:
        raise Conflict(f"quiz attempt {attempt_id} was already submitted")
    now = now or utcnow()
    settings = _settings()
    right = sum(answers.get(q["id"]) is q["answer"] for q in attempt.questions)
    attempt.score = round(right / len(attempt.questions), 3)
    attempt.passed = attempt.score >= settings.pass_mark
    attempt.submitted_at = now
    db_session.flush()
    certificate = None
    if attempt.passed:
        certificate = certification_service.issue_certificate(
            db_session=db_session,
            user_id=user_id,
            basis="quiz",
            attempt_ref=attempt.id,
            jurisdiction=attempt.jurisdiction,
            score=attempt.score,
            expires_at=validity(now),
            actor=actor,
            now=now,
        )
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
    return certification_service.current_policy(db_session=db_session)


def _version_label(db_session: Session, sources: list[policy.PolicySource], agency: str) -> str:
    current = current_policy(db_session=db_session)
    digest = policy.fingerprint(sources=sources, agency=agency)
    return str(current.number) if current and current.content_sha256 == digest else "(draft)"


def render_policy(*, db_session: Session, lang: str = "en", stylesheet: str | None = None) -> str:
    """The policy as it stands now (labelled with the current version when unchanged)."""
    sources, agency = _policy_sources(db_session), _settings().agency()
    label = _version_label(db_session, sources, agency)
    return policy.render(
        sources=sources, agency=agency, lang=lang, version_label=label, stylesheet=stylesheet
    )


def render_policy_pdf(*, db_session: Session, lang: str = "en") -> bytes:
    """The policy as it stands now, as a PDF."""
    sources, agency = _policy_sources(db_session), _settings().agency()
    label = _version_label(db_session, sources, agency)
    return policy.render_pdf(sources=sources, agency=agency, lang=lang, version_label=label)


def publish_policy(*, db_session: Session, actor: str) -> tuple[PolicyVersion, bool]:
    """Publish the policy as a new version when its content changed; (version, created)."""
    sources, agency = _policy_sources(db_session), _settings().agency()
    digest = policy.fingerprint(sources=sources, agency=agency)
    current = current_policy(db_session=db_session)
    if current is not None and current.content_sha256 == digest:
        return current, False
    number = (current.number if current else 0) + 1
    return certification_service.publish_policy_version(
        db_session=db_session,
        content_sha256=digest,
        html=policy.render(sources=sources, agency=agency, version_label=str(number)),
        packs_version=content.packs_version(),
        actor=actor,
    )


def certify_for_demo(*, db_session: Session, usernames: list[str], actor: str = "demo") -> int:
    """The demo's own users get a certificate marked ``basis=demo`` (not a passed quiz) and
    acknowledge the current policy, published first if it changed; audited as ``actor``.

    Only for ``concilia console demo``: a real staff member earns a certificate by passing the
    quiz. Returns how many certificates were issued (users already certified are skipped)."""
    publish_policy(db_session=db_session, actor=actor)
    issued = 0
    now = utcnow()
    for name in usernames:
        user = auth_service.get_user_by_username(db_session=db_session, username=name)
        if user is None:
            raise NotFound(f"no user {name!r}")
        if certification_service.valid_certificate(db_session=db_session, user_id=user.id) is None:
            certification_service.issue_certificate(
                db_session=db_session,
                user_id=user.id,
                basis="demo",
                expires_at=validity(now),
                actor=actor,
                now=now,
            )
            issued += 1
        certification_service.acknowledge_policy(
            db_session=db_session, user_id=user.id, actor=actor
        )
    return issued
