"""Certification, the versioned policy and the gate on social channels (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.certification import service as certification
from concilia.errors import Conflict, Forbidden, NotFound
from concilia.sources import service as sources_service
from concilia.sources.schemas import SourceDeclaration
from concilia.training import service


def _declare(db_session: Session, name: str, purposes: list[str]) -> None:
    sources_service.declare(
        db_session=db_session,
        declaration=SourceDeclaration.model_validate(
            {
                "name": name,
                "kind": "platform_api",
                "platform": name,
                "allowed_purposes": purposes,
                "terms_url": f"https://{name}.example/terms",
            }
        ),
        actor="test",
    )


def _pass_quiz(db_session: Session, user_id: int, *, right: bool = True, jurisdiction="FR"):
    attempt = service.start_quiz(
        db_session=db_session,
        user_id=user_id,
        lang="fr",
        jurisdiction=jurisdiction,
        actor="test",
        seed=1,
    )
    answers = {q["id"]: q["answer"] if right else not q["answer"] for q in attempt.questions}
    return service.submit_quiz(
        db_session=db_session, attempt_id=attempt.id, user_id=user_id, answers=answers, actor="t"
    )


def test_social_channels_need_certificate_and_current_policy(db_session, make_user) -> None:
    user, _ = make_user("sofia")
    _declare(db_session, "pro", ["locating", "contact"])
    assert not certification.may_use_social_channels(db_session=db_session, user_id=user.id)
    with pytest.raises(Forbidden, match=r"social_dm refused: no valid .* certificate"):
        certification.require_social_channels(
            db_session=db_session, action="social_dm", actor="user:sofia"
        )
    refused = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "certification.social_channels_refused")
    ).one()
    assert refused.detail["action"] == "social_dm" and refused.object_id == str(user.id)

    attempt, certificate = _pass_quiz(db_session, user.id)
    assert attempt.passed and certificate is not None
    assert certificate.basis == "quiz" and certificate.attempt_ref == attempt.id
    assert certificate.expires_at - certificate.issued_at == timedelta(days=365)
    reason = certification.social_channel_refusal(db_session=db_session, user_id=user.id)
    assert reason == "no social-media policy is published yet"

    version, created = service.publish_policy(db_session=db_session, actor="admin")
    assert created and version.number == 1
    reason = certification.social_channel_refusal(db_session=db_session, user_id=user.id)
    assert reason == "the current social-media policy (version 1) is not acknowledged"

    certification.acknowledge_policy(
        db_session=db_session, user_id=user.id, actor="sofia", number=1
    )
    assert certification.may_use_social_channels(db_session=db_session, user_id=user.id)
    assert (
        certification.require_social_channels(
            db_session=db_session, action="social_dm", actor="user:sofia"
        )
        == user.id
    )
    # A French certificate does not cover the United States.
    assert not certification.may_use_social_channels(
        db_session=db_session, user_id=user.id, jurisdiction="US"
    )

    # A new network changes the policy: version 2 must be acknowledged again.
    assert service.publish_policy(db_session=db_session, actor="admin") == (version, False)
    _declare(db_session, "photo", ["locating"])
    version2, created = service.publish_policy(db_session=db_session, actor="admin")
    assert created and version2.number == 2 and "photo" in version2.html
    assert not certification.may_use_social_channels(db_session=db_session, user_id=user.id)
    with pytest.raises(Conflict):
        certification.acknowledge_policy(
            db_session=db_session, user_id=user.id, actor="s", number=1
        )
    certification.acknowledge_policy(db_session=db_session, user_id=user.id, actor="sofia")
    assert certification.may_use_social_channels(db_session=db_session, user_id=user.id)

    certification.revoke_certificate(
        db_session=db_session, certificate_id=certificate.id, actor="boss"
    )
    assert "certificate" in (
        certification.social_channel_refusal(db_session=db_session, user_id=user.id) or ""
    )
    actions = set(db_session.scalars(select(AuditEntry.action)))
    assert {
        "training.quiz_submitted",
        "certification.certificate_issued",
        "certification.policy_published",
        "certification.policy_acknowledged",
        "certification.certificate_revoked",
    } <= actions


def test_certificate_expires_after_twelve_months(db_session, make_user) -> None:
    user, _ = make_user("ana")
    _, certificate = _pass_quiz(db_session, user.id)
    assert certificate is not None
    later = certificate.issued_at + timedelta(days=364)
    assert certification.valid_certificate(db_session=db_session, user_id=user.id, now=later)
    expired = certificate.issued_at + timedelta(days=366)
    assert (
        certification.valid_certificate(db_session=db_session, user_id=user.id, now=expired) is None
    )
    service.publish_policy(db_session=db_session, actor="admin")
    certification.acknowledge_policy(db_session=db_session, user_id=user.id, actor="ana")
    status = certification.team_status(db_session=db_session, user_ids=[user.id], now=expired)
    assert status[user.id].may_use_social_channels is False
    assert status[user.id].policy_acknowledged is True
    assert "certificate" in (status[user.id].reason or "")


def test_failed_quiz_gives_no_certificate_and_attempts_are_answered_once(
    db_session, make_user
) -> None:
    user, _ = make_user("leo")
    other, _ = make_user("mia")
    attempt, certificate = _pass_quiz(db_session, user.id, right=False)
    assert attempt.score == 0.0 and attempt.passed is False and certificate is None
    with pytest.raises(Conflict):
        service.submit_quiz(
            db_session=db_session, attempt_id=attempt.id, user_id=user.id, answers={}, actor="t"
        )
    fresh = service.start_quiz(
        db_session=db_session, user_id=user.id, lang="en", jurisdiction=None, actor="t", seed=2
    )
    with pytest.raises(NotFound):
        service.submit_quiz(
            db_session=db_session, attempt_id=fresh.id, user_id=other.id, answers={}, actor="t"
        )
    # Unanswered questions count wrong: 8 of 10 right is exactly the pass mark.
    answers = {q["id"]: q["answer"] for q in fresh.questions[:8]}
    done, cert = service.submit_quiz(
        db_session=db_session, attempt_id=fresh.id, user_id=user.id, answers=answers, actor="t"
    )
    assert done.score == 0.8 and done.passed and cert is not None and cert.jurisdiction is None


def test_policy_renders_sources_rules_and_never_list(db_session) -> None:
    _declare(db_session, "pro", ["locating", "contact"])
    html = service.render_policy(db_session=db_session, lang="fr")
    assert "Politique d&#39;usage des réseaux sociaux" in html
    assert "<td>pro</td>" in html and "contact, locating" in html
    assert "https://pro.example/terms" in html
    assert "FR-SOCIAL-PRIVATE" in html and "US-CONNECTION-DISCLOSE" in html
    assert "fausse identité" in html and "(draft)" in html
    service.publish_policy(db_session=db_session, actor="admin")
    assert "Version 1" in service.render_policy(db_session=db_session, lang="en")


def test_policy_pdf_is_a_pdf_with_the_current_version(db_session) -> None:
    _declare(db_session, "pro", ["locating", "contact"])
    service.publish_policy(db_session=db_session, actor="admin")
    pdf = service.render_policy_pdf(db_session=db_session, lang="es")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000


def test_demo_certificates_say_so_and_are_audited_as_the_demo(db_session, make_user) -> None:
    user, _ = make_user("demo")
    make_user("agent")
    assert service.certify_for_demo(db_session=db_session, usernames=["demo", "agent"]) == 2
    # Run again (the demo is re-runnable): nothing new.
    assert service.certify_for_demo(db_session=db_session, usernames=["demo", "agent"]) == 0
    status = certification.team_status(db_session=db_session, user_ids=[user.id])[user.id]
    assert status.may_use_social_channels and status.certificate_basis == "demo"
    issued = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "certification.certificate_issued")
    ).all()
    assert [(e.actor, e.detail["basis"]) for e in issued] == [("demo", "demo"), ("demo", "demo")]
    with pytest.raises(NotFound):
        service.certify_for_demo(db_session=db_session, usernames=["nobody"])
