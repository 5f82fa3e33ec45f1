"""The suggestions panel: tracing candidates (waterfall, accept/reject) and signals."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.console import waterfall
from concilia.db import utcnow
from concilia.signals import service as signals_service
from concilia.signals.models import SignalAssessment
from concilia.tracing.models import Evidence, MatchCandidate, TraceRun
from tests.certification.support import certify
from tests.console.conftest import ConsoleWorld

Browser = tuple[TestClient, dict[str, str]]
LINES = [
    {"field": "prior", "text": "before any comparison (1 chance in 1,000)", "weight": -10.0},
    {"field": "given_name", "text": "given name exact: ×100", "weight": 6.6},
    {"field": "city", "text": "city <Lyon> the same: ×8", "weight": 3.0},
]


def _candidate(db_session: Session, debtor_id: int, profile: str) -> MatchCandidate:
    run = TraceRun(
        portfolio="North Bank", engine="duckdb", inputs_fingerprint="x", chunk_size=1,
        chunk_count=1, started_by="test", started_at=utcnow(),
    )  # fmt: skip
    db_session.add(run)
    db_session.flush()
    cand = MatchCandidate(
        portfolio="North Bank", debtor_key=str(debtor_id), profile_key=profile, network="social",
        run_id=run.id, match_weight=-0.4, final_weight=-0.4, probability=0.99,
        explanation_data=LINES, profile_snapshot={"city": "Lyon", "source": "t", "url": "u"},
        status="proposed", debtor_fingerprint="d", profile_fingerprint="p",
        created_at=utcnow(), updated_at=utcnow(),
    )  # fmt: skip
    db_session.add(cand)
    db_session.commit()
    return cand


def test_waterfall_is_accessible_escaped_and_adds_up() -> None:
    svg = waterfall.render(LINES, ident="c-1", title="social 7: 99%", label_total="Total")
    assert svg.startswith('<svg class="waterfall" role="img" aria-labelledby="c-1-title c-1-desc"')
    assert "&lt;Lyon&gt;" in svg and "<Lyon>" not in svg
    assert 'style="' not in svg  # the CSP forbids inline styles
    totals = re.findall(r">([+-]\d+\.\d)</text>", svg)
    assert totals == ["-10.0", "+6.6", "+3.0", "-0.4"]
    assert svg.count('class="up"') == 2 and svg.count('class="down"') == 1
    assert waterfall.render([], ident="x", title="t", label_total="Total") == ""


def test_accepting_a_candidate_makes_evidence_audited_as_the_agent(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    certify(db_session, "nina")  # accepting social evidence needs certified staff
    cand = _candidate(db_session, console_world.north_debtor, "501")
    page = client.get(f"/console/cases/{console_world.north_case}")
    assert 'class="waterfall"' in page.text and "given name exact" in page.text
    url = f"/console/cases/{console_world.north_case}/candidates/{cand.id}"
    no_reason = client.post(url, data={"decision": "accept", "reason": " "}, headers=headers)
    assert 'role="alert"' in no_reason.text
    ok = client.post(url, data={"decision": "accept", "reason": "same person"}, headers=headers)
    assert ok.status_code == 200 and 'role="status"' in ok.text
    db_session.expire_all()
    assert db_session.get(MatchCandidate, cand.id).status == "accepted"  # type: ignore[union-attr]
    evidence = db_session.scalars(select(Evidence)).all()
    assert [(e.kind, e.value, e.accepted_by) for e in evidence] == [
        ("current_city", "Lyon", "user:nina")
    ]
    assert db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "tracing.candidate_accepted", AuditEntry.actor == "user:nina"
        )
    )


def test_a_candidate_of_another_debtor_is_not_found(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    other = _candidate(db_session, console_world.north_debtor + 1000, "502")
    response = client.post(
        f"/console/cases/{console_world.north_case}/candidates/{other.id}",
        data={"decision": "reject", "reason": "x"},
        headers=headers,
    )
    assert response.status_code == 404


def test_signals_suggestion_is_decided_with_a_reason(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    run = signals_service.start_run(db_session=db_session, actor="test", model_key="m")
    assessment = SignalAssessment(
        case_id=console_world.north_case, run_id=run.id, band="low", approach="reduced_plan",
        score=-1.5, vulnerability_possible=False, evidence=[], as_of=utcnow(),
        posts_read=3, posts_skipped={}, status="suggested", created_at=utcnow(),
        updated_at=utcnow(),
    )  # fmt: skip
    db_session.add(assessment)
    db_session.commit()
    page = client.get(f"/console/cases/{console_world.north_case}")
    assert "reduced, affordable plan" in page.text
    response = client.post(
        f"/console/cases/{console_world.north_case}/signals",
        data={"decision": "reject", "reason": "income checked on the phone"},
        headers=headers,
    )
    assert response.status_code == 200 and 'role="status"' in response.text
    db_session.expire_all()
    row = db_session.scalar(select(SignalAssessment))
    assert row is not None and row.status == "rejected" and row.decided_by == "user:nina"
