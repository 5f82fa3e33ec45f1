"""HTTP routes: declaring sources, an agent's manual capture, reading a profile."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.sources.models import Profile
from tests.certification.support import certify

DECLARATION = {
    "name": "hand-social",
    "kind": "manual_capture",
    "platform": "social",
    "allowed_purposes": ["locating", "contact"],
    "retention_days": {"profiles": 60},
    "terms_url": "https://social.example/terms",
}


def _capture(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source": "hand-social",
        "url": "https://social.example/jeanne.dupont",
        "legal_basis": "legitimate_interest:LIA-2026-01",
        "visibility": "public",
        "fields": {
            "network": "social",
            "display_name": "Jeanne Dupont",
            "city": "Lyon",
            "emails": ["jeanne@example.org"],
        },
    }
    body.update(overrides)
    return body


def test_declare_needs_admin_or_compliance(client: TestClient, auth_headers) -> None:
    agent = auth_headers("ag", "agent")
    assert client.post("/api/sources", json=DECLARATION, headers=agent).status_code == 403
    officer = auth_headers("co", "compliance_officer")
    created = client.post("/api/sources", json=DECLARATION, headers=officer)
    assert created.status_code == 201, created.text
    assert created.json()["retention_days"]["posts"] == 90
    assert created.json()["declared_by"] == "user:co"
    listed = client.get("/api/sources", headers=agent).json()
    assert [s["name"] for s in listed] == ["hand-social"]
    assert client.get("/api/sources/hand-social", headers=agent).status_code == 200
    assert client.get("/api/sources/nope", headers=agent).status_code == 404
    bad = dict(DECLARATION, name="x2", allowed_purposes=["scoring"])
    assert client.post("/api/sources", json=bad, headers=officer).status_code == 422


def test_manual_capture_records_provenance_and_audits(
    client: TestClient, auth_headers, db_session: Session
) -> None:
    client.post("/api/sources", json=DECLARATION, headers=auth_headers("adm", "admin"))
    agent = auth_headers("alice", "agent")
    certify(db_session, "alice")  # capturing by hand needs certified staff
    db_session.commit()
    response = client.post("/api/sources/captures", json=_capture(), headers=agent)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"] == "created"
    profile = db_session.get(Profile, body["profile_id"])
    assert profile is not None
    assert profile.captured_by == "agent:alice"
    assert profile.url == "https://social.example/jeanne.dupont"
    assert profile.external_id == profile.url
    assert (profile.retain_until - profile.captured_at).days == 60
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sources.captured")
    ).one()
    assert entry.actor == "user:alice" and entry.object_id == str(profile.id)
    assert "Jeanne" not in str(entry.detail)
    detail = client.get(f"/api/sources/profiles/{profile.id}", headers=agent)
    assert detail.status_code == 200
    assert detail.json()["emails"] == ["jeanne@example.org"]
    assert detail.json()["source"] == "hand-social"


def test_capture_refuses_restricted_items_and_other_kinds_of_source(
    client: TestClient, auth_headers, db_session: Session
) -> None:
    admin = auth_headers("adm", "admin")
    client.post("/api/sources", json=DECLARATION, headers=admin)
    export = dict(DECLARATION, name="social-export", kind="platform_export")
    client.post("/api/sources", json=export, headers=admin)
    agent = auth_headers("alice", "agent")
    certify(db_session, "alice")  # capturing by hand needs certified staff
    db_session.commit()
    restricted = client.post(
        "/api/sources/captures", json=_capture(visibility="friends"), headers=agent
    )
    assert restricted.status_code == 422
    assert restricted.json()["errors"][0]["field"] == "visibility"
    assert "CNIL" in restricted.json()["errors"][0]["reason"]
    no_basis = client.post(
        "/api/sources/captures", json=_capture(legal_basis="because"), headers=agent
    )
    assert no_basis.status_code == 422
    wrong = client.post(
        "/api/sources/captures", json=_capture(source="social-export"), headers=agent
    )
    assert wrong.status_code == 409
    assert db_session.scalars(select(Profile)).all() == []


def test_roles_for_capture_and_profile_reading(
    client: TestClient, auth_headers, db_session: Session
) -> None:
    client.post("/api/sources", json=DECLARATION, headers=auth_headers("adm", "admin"))
    officer = auth_headers("co", "compliance_officer")
    assert client.post("/api/sources/captures", json=_capture(), headers=officer).status_code == 403
    supervisor, supervisor2 = auth_headers("sv", "supervisor"), auth_headers("sv2", "supervisor")
    certify(db_session, "sv"), certify(db_session, "sv2")  # capturing needs certified staff
    db_session.commit()
    made = client.post("/api/sources/captures", json=_capture(), headers=supervisor)
    assert made.status_code == 201
    auditor = auth_headers("au", "auditor")
    url = f"/api/sources/profiles/{made.json()['profile_id']}"
    assert client.get(url, headers=auditor).status_code == 403
    assert client.get(url, headers=officer).status_code == 200
    assert client.get(url).status_code == 401
    again = client.post("/api/sources/captures", json=_capture(), headers=supervisor2)
    assert again.json()["outcome"] == "updated"
