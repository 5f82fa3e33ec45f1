"""The gate on social channels, enforced in each service it guards: outreach (a social message
queued), tracing (social evidence accepted) and sources (a profile captured by hand)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.auth import service as auth_service
from concilia.certification import service as certification
from concilia.db import utcnow
from concilia.outreach import service as outreach_service
from concilia.outreach.models import OutboxMessage
from concilia.sources import service as sources_service
from concilia.sources.schemas import ManualCaptureIn, SourceDeclaration
from concilia.tracing import service as tracing_service
from concilia.tracing.models import Evidence, MatchCandidate, TraceRun
from tests.certification.support import certify
from tests.outreach.test_outbox import make_case


def _refusals(db_session: Session, action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == "certification.social_channels_refused")
    return [e for e in db_session.scalars(query) if e.detail["action"] == action]


def _dm(db_session: Session, case_id: int, actor: str, key: str) -> Any:
    return outreach_service.enqueue(
        db_session=db_session,
        case_id=case_id,
        channel="social_dm",
        kind="reminder",
        lang="en",
        to="fb:jane.roe",
        body="Hello, please contact us.",
        actor=actor,
        idempotency_key=key,
    )


def test_outreach_refuses_a_social_message_from_uncertified_staff(
    db_session: Session, make_user: Any
) -> None:
    case_id = make_case(db_session)
    make_user("uma")
    with pytest.raises(certification.SocialChannelsRefused, match="social_dm refused: no valid"):
        _dm(db_session, case_id, "user:uma", "dm-uma")
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    [refused] = _refusals(db_session, "social_dm")
    assert refused.actor == "user:uma" and refused.detail["jurisdiction"] == "US"

    # A French certificate does not cover this American debtor.
    certify(db_session, "uma", jurisdiction="FR")
    with pytest.raises(certification.SocialChannelsRefused, match="for US"):
        _dm(db_session, case_id, "user:uma", "dm-uma")
    # A process that names no staff member cannot send social messages at all.
    with pytest.raises(certification.SocialChannelsRefused, match="not a staff member"):
        _dm(db_session, case_id, "cli:root", "dm-cli")
    # E-mail is not a social channel: no certificate asked.
    email = outreach_service.enqueue(
        db_session=db_session, case_id=case_id, channel="email", kind="reminder", lang="en",
        to="jane@example.org", subject="Account", body="Hello.", actor="user:uma",
        idempotency_key="mail-uma", address_source="consumer_used",
    )  # fmt: skip
    assert email.id is not None

    certify(db_session, "uma", jurisdiction="US")
    msg = _dm(db_session, case_id, "user:uma", "dm-uma")
    assert msg.channel == "social_dm" and msg.created_by == "user:uma"
    assert len(_refusals(db_session, "social_dm")) == 3


def _candidate(db_session: Session) -> MatchCandidate:
    run = TraceRun(
        portfolio="acme", engine="duckdb", inputs_fingerprint="x", chunk_size=1, chunk_count=1,
        started_by="test", started_at=utcnow(),
    )  # fmt: skip
    db_session.add(run)
    db_session.flush()
    cand = MatchCandidate(
        portfolio="acme", debtor_key="7", profile_key="ext-9", network="social", run_id=run.id,
        match_weight=9.0, final_weight=9.0, probability=0.99, explanation_data=[],
        profile_snapshot={"city": "Lyon"}, status="proposed", debtor_fingerprint="d",
        profile_fingerprint="p", created_at=utcnow(), updated_at=utcnow(),
    )  # fmt: skip
    db_session.add(cand)
    db_session.flush()
    return cand


def test_tracing_refuses_social_evidence_from_uncertified_staff(
    db_session: Session, make_user: Any
) -> None:
    cand = _candidate(db_session)
    user, _ = make_user("tom")
    certify(db_session, "tom")
    policy = certification.current_policy(db_session=db_session)
    assert policy is not None
    # A newer policy version not yet acknowledged closes the gate again.
    certification.publish_policy_version(
        db_session=db_session, content_sha256="1" * 64, html="<p>v2</p>", packs_version="t",
        actor="test",
    )  # fmt: skip
    with pytest.raises(certification.SocialChannelsRefused, match=r"version 2\) is not ack"):
        tracing_service.accept(
            db_session=db_session, candidate_id=cand.id, actor="user:tom", reason="same person"
        )
    assert cand.status == "proposed"
    assert db_session.scalar(select(func.count()).select_from(Evidence)) == 0
    [refused] = _refusals(db_session, "tracing.accept")
    assert refused.object_id == str(user.id)

    certification.acknowledge_policy(db_session=db_session, user_id=user.id, actor="user:tom")
    evidence = tracing_service.accept(
        db_session=db_session, candidate_id=cand.id, actor="user:tom", reason="same person"
    )
    assert [(e.kind, e.value) for e in evidence] == [("current_city", "Lyon")]


def test_sources_refuses_a_manual_capture_from_uncertified_staff(
    db_session: Session, make_user: Any
) -> None:
    declaration = SourceDeclaration.model_validate(
        {
            "name": "hand-social", "kind": "manual_capture", "platform": "social",
            "allowed_purposes": ["locating"], "retention_days": {"profiles": 60},
            "terms_url": "https://social.example/terms",
        }
    )  # fmt: skip
    sources_service.declare(db_session=db_session, declaration=declaration, actor="test")
    capture = ManualCaptureIn.model_validate(
        {
            "source": "hand-social", "url": "https://social.example/jeanne",
            "legal_basis": "legitimate_interest:LIA-1", "visibility": "public",
            "fields": {"network": "social", "display_name": "Jeanne Dupont"},
        }
    )  # fmt: skip
    user, _ = make_user("ivy")
    certify(db_session, "ivy")
    certificate = certification.valid_certificate(db_session=db_session, user_id=user.id)
    assert certificate is not None
    certification.revoke_certificate(
        db_session=db_session, certificate_id=certificate.id, actor="boss"
    )
    with pytest.raises(certification.SocialChannelsRefused, match=r"sources\.capture refused"):
        sources_service.manual_capture(
            db_session=db_session, capture=capture, username="ivy", actor="user:ivy"
        )
    assert sources_service.list_sources(db_session=db_session)[0].name == "hand-social"
    assert len(_refusals(db_session, "sources.capture")) == 1
    # A deactivated account is no staff member, certificate or not.
    certify(db_session, "ivy")
    auth_service.update_user(db_session=db_session, user_id=user.id, is_active=False, actor="t")
    with pytest.raises(certification.SocialChannelsRefused, match="not a staff member"):
        sources_service.manual_capture(
            db_session=db_session, capture=capture, username="ivy", actor="user:ivy"
        )
    auth_service.update_user(db_session=db_session, user_id=user.id, is_active=True, actor="t")
    profile_id, outcome, _ = sources_service.manual_capture(
        db_session=db_session, capture=capture, username="ivy", actor="user:ivy"
    )
    assert outcome == "created" and profile_id > 0


def test_a_refusal_through_the_api_keeps_its_audit_entry_though_the_request_rolls_back(
    client: Any, auth_headers: Any, db_session: Session
) -> None:
    from tests.sources.test_api import DECLARATION, _capture

    client.post("/api/sources", json=DECLARATION, headers=auth_headers("adm", "admin"))
    agent = auth_headers("ulla", "agent")
    response = client.post("/api/sources/captures", json=_capture(), headers=agent)
    assert response.status_code == 403, response.text
    # The request's unit of work was rolled back (no profile), yet the refusal is on record.
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "sources.captured")) == 0  # fmt: skip
    [refused] = [e for e in _refusals(db_session, "sources.capture") if e.actor == "user:ulla"]
    assert "no valid" in refused.detail["reason"]
