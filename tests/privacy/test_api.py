"""/api/privacy: officers export and erase, agents may not; reads are logged and unusual
volume raises an alert for the compliance officer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.privacy import service as privacy_service
from tests.privacy.world import CREDITOR, build

SUBJECT = {"creditor": CREDITOR, "debtor_reference": "DEB-1"}


def test_agents_may_not_export(
    client: TestClient, db_session: Session, auth_headers, tmp_path: Path
) -> None:
    build(db_session, tmp_path)
    db_session.commit()
    agent = auth_headers("ann", "agent", ["north"])
    response = client.post("/api/privacy/exports", json=SUBJECT, headers=agent)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


def test_export_is_logged_and_erasure_reports_each_table(
    client: TestClient, db_session: Session, auth_headers, tmp_path: Path
) -> None:
    build(db_session, tmp_path)
    db_session.commit()
    officer = auth_headers("olga", "compliance_officer")
    exported = client.post("/api/privacy/exports", json=SUBJECT, headers=officer)
    assert exported.status_code == 201, exported.text
    body = exported.json()
    assert body["request"]["kind"] == "access" and body["request"]["status"] == "done"
    tables = {i["table"] for i in body["document"]["items"]}
    assert {"debtors", "source_posts", "outreach_outbox"} <= tables

    reads = client.get("/api/privacy/reads", headers=officer).json()
    assert [(r["actor"], r["via"], r["purpose"]) for r in reads] == [
        ("user:olga", "api", "data_subject_request")
    ]

    missing = client.post("/api/privacy/erasures", json={**SUBJECT, "reason": ""}, headers=officer)
    assert missing.status_code == 422
    erased = client.post(
        "/api/privacy/erasures", json={**SUBJECT, "reason": "letter of 2 Dec"}, headers=officer
    )
    assert erased.status_code == 201, erased.text
    outcome = {t["table"]: t for t in erased.json()["tables"]}
    assert outcome["debtors"]["action"] == "pseudonymised"
    assert outcome["outreach_contact_log"]["action"] == "kept"
    assert "17(3)(e)" in outcome["outreach_contact_log"]["legal_ground"]
    listed = client.get("/api/privacy/requests", headers=officer).json()
    assert [r["kind"] for r in listed] == ["access", "erasure"]
    assert audit_service.verify(db_session=db_session).ok


def test_unknown_subject_is_a_problem(client: TestClient, auth_headers) -> None:
    officer = auth_headers("olga", "compliance_officer")
    response = client.post(
        "/api/privacy/exports", json={**SUBJECT, "debtor_reference": "NOPE"}, headers=officer
    )
    assert response.status_code == 404
    assert "NOPE" in response.json()["detail"]


def test_unusual_reading_volume_raises_an_alert(
    client: TestClient, db_session: Session, auth_headers
) -> None:
    now = utcnow()
    # A usual month: 2 people a day for each reader.
    for day in range(1, 31):
        for reader in ("user:bob", "user:eve"):
            privacy_service.record_read(
                db_session=db_session, actor=reader, debtor_ids=[day, day + 1000],
                what="case page", purpose="debt_recovery", via="page",
                at=now - timedelta(days=day, hours=1),
            )  # fmt: skip
    # Today Eve reads 60 people, Bob his usual 2.
    privacy_service.record_read(
        db_session=db_session, actor="user:eve", debtor_ids=list(range(5000, 5060)),
        what="case page", purpose="debt_recovery", via="page", at=now - timedelta(hours=2),
    )  # fmt: skip
    privacy_service.record_read(
        db_session=db_session, actor="user:bob", debtor_ids=[1, 2],
        what="case page", purpose="debt_recovery", via="page", at=now - timedelta(hours=2),
    )  # fmt: skip
    db_session.commit()
    auditor = auth_headers("ada", "auditor")
    alerts = client.get("/api/privacy/reads/alerts", headers=auditor).json()
    assert [(a["actor"], a["people"]) for a in alerts] == [("user:eve", 60)]
    assert alerts[0]["usual"] == 2.0
    agent = auth_headers("ann", "agent")
    assert client.get("/api/privacy/reads/alerts", headers=agent).status_code == 403


def test_register_and_purge_dry_run(client: TestClient, auth_headers) -> None:
    officer = auth_headers("olga", "compliance_officer")
    register = client.get("/api/privacy/register", headers=officer).json()
    assert {p["name"] for p in register["purposes"]} >= {"locating", "credit_assessment"}
    dry = client.post("/api/privacy/purge", json={}, headers=officer).json()
    assert dry["dry_run"] is True


def test_a_request_logged_through_the_api_is_answered_by_the_export(
    client: TestClient, db_session: Session, auth_headers, tmp_path: Path
) -> None:
    build(db_session, tmp_path)
    db_session.commit()
    officer = auth_headers("olga", "compliance_officer")
    received = (utcnow() - timedelta(days=3)).date().isoformat()
    logged = client.post(
        "/api/privacy/requests",
        json={**SUBJECT, "kind": "access", "received_on": received},
        headers=officer,
    )
    assert logged.status_code == 201, logged.text
    assert logged.json()["status"] == "open"
    answered = client.post("/api/privacy/exports", json=SUBJECT, headers=officer).json()
    assert answered["request"]["id"] == logged.json()["id"]
    assert answered["request"]["status"] == "done"
    bad = client.post(
        "/api/privacy/requests", json={**SUBJECT, "kind": "forget-me"}, headers=officer
    )
    assert bad.status_code == 422
