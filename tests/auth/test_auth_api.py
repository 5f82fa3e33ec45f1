"""Sign-in, tokens, roles, CSRF and rate limiting, over HTTP."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import concilia.auth.service as auth_service
from concilia.auth.models import ApiToken, User
from concilia.db import utcnow


def _token(client: TestClient, username: str, password: str) -> str:
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def test_password_is_hashed_with_argon2(db_session: Session, make_user) -> None:
    user, password = make_user("ana", "agent")
    stored = db_session.execute(
        text("SELECT password_hash FROM users WHERE id = :i"), {"i": user.id}
    )
    value = stored.scalar_one()
    assert value.startswith("$argon2id$") and password not in value


def test_token_login_me_and_revocation(client: TestClient, make_user) -> None:
    _, password = make_user("bob", "supervisor", ["north"])
    token = _token(client, "bob", password)
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["role"] == "supervisor" and me.json()["teams"][0]["name"] == "north"
    tokens = client.get("/api/auth/tokens", headers=headers).json()
    assert "token" not in tokens[0] and tokens[0]["prefix"] == token[:12]
    assert client.delete(f"/api/auth/tokens/{tokens[0]['id']}", headers=headers).status_code == 200
    after = client.get("/api/auth/me", headers=headers)
    assert after.status_code == 401
    assert after.headers["content-type"].startswith("application/problem+json")


def test_token_is_stored_hashed(client: TestClient, db_session: Session, make_user) -> None:
    _, password = make_user("carla", "agent")
    token = _token(client, "carla", password)
    rows = db_session.execute(text("SELECT token_hash, prefix FROM api_tokens")).all()
    assert rows and all(token not in (h + p) or p == token[:12] for h, p in rows)
    assert all(h != token for h, _ in rows)


def test_expired_token_is_refused(client: TestClient, db_session: Session, make_user) -> None:
    user, _ = make_user("dan", "agent")
    token, clear = auth_service.create_token(db_session=db_session, user_id=user.id, name="t")
    token.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {clear}"})
    assert response.status_code == 401


def test_wrong_password_then_rate_limit(client: TestClient, make_user) -> None:
    _, password = make_user("eve", "agent")
    for _ in range(5):
        bad = client.post(
            "/api/auth/token", json={"username": "eve", "password": "wrong-password!"}
        )
        assert bad.status_code == 401
    locked = client.post("/api/auth/token", json={"username": "eve", "password": password})
    assert locked.status_code == 429
    assert "too many" in locked.json()["detail"]


def test_unknown_user_is_rate_limited_too(client: TestClient) -> None:
    for _ in range(5):
        client.post("/api/auth/token", json={"username": "ghost", "password": "whatever-123456"})
    response = client.post("/api/auth/token", json={"username": "ghost", "password": "x" * 12})
    assert response.status_code == 429


def test_admin_only_user_management(client: TestClient, auth_headers) -> None:
    agent = auth_headers("agent1", "agent", ["north"])
    admin = auth_headers("root", "admin")
    body = {"username": "newbie", "role": "agent", "teams": ["south"]}
    assert client.post("/api/auth/users", json=body, headers=agent).status_code == 403
    created = client.post("/api/auth/users", json=body, headers=admin)
    assert created.status_code == 201
    assert len(created.json()["one_time_password"]) >= 12
    assert created.json()["teams"][0]["name"] == "south"
    dup = client.post("/api/auth/users", json=body, headers=admin)
    assert dup.status_code == 409


def test_deactivation_revokes_access(client: TestClient, auth_headers, db_session: Session) -> None:
    admin = auth_headers("root2", "admin")
    victim = auth_headers("leaver", "agent")
    user_id = db_session.scalar(select(User.id).where(User.username == "leaver"))
    response = client.patch(f"/api/auth/users/{user_id}", json={"is_active": False}, headers=admin)
    assert response.status_code == 200
    assert client.get("/api/auth/me", headers=victim).status_code == 401
    revoked = db_session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all()
    assert revoked and all(t.revoked_at is not None for t in revoked)


def test_auditor_is_read_only(client: TestClient, auth_headers) -> None:
    auditor = auth_headers("audrey", "auditor")
    assert client.get("/api/auth/me", headers=auditor).status_code == 200
    assert client.get("/api/audit/entries", headers=auditor).status_code == 200
    response = client.post("/api/auth/teams", json={"name": "x"}, headers=auditor)
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_audit_routes_need_an_overseer_role(client: TestClient, auth_headers) -> None:
    agent = auth_headers("agent2", "agent")
    assert client.get("/api/audit/entries", headers=agent).status_code == 403
    officer = auth_headers("cora", "compliance_officer")
    verify = client.get("/api/audit/verify", headers=officer)
    assert verify.status_code == 200 and verify.json()["ok"] is True


def test_every_auth_change_is_audited(client: TestClient, auth_headers) -> None:
    admin = auth_headers("root3", "admin")
    client.post("/api/auth/teams", json={"name": "east"}, headers=admin)
    entries = client.get("/api/audit/entries?object_type=team", headers=admin).json()
    assert any(
        e["action"] == "auth.team_created" and e["detail"]["name"] == "east"
        for e in entries["items"]
    )
