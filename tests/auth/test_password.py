"""One-time passwords must be replaced before anything else: API, browser and CLI reset."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from concilia.auth import service as auth_service
from concilia.auth.models import User
from concilia.auth.roles import Role

NEW_PASSWORD = "a-brand-new-password-42"


def _one_time_user(db_session: Session, username: str) -> str:
    _, one_time = auth_service.create_user(
        db_session=db_session, username=username, role=Role.agent, actor="test"
    )
    db_session.commit()
    assert one_time is not None
    return one_time


def _token(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/auth/token", json={"username": username, "password": password})


def test_no_token_before_the_one_time_password_is_changed(
    client: TestClient, db_session: Session
) -> None:
    one_time = _one_time_user(db_session, "newcomer")
    refused = _token(client, "newcomer", one_time)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "one-time password" in refused.json()["detail"]
    assert "/api/auth/password" in refused.json()["detail"]

    wrong = client.post(
        "/api/auth/password",
        json={
            "username": "newcomer",
            "current_password": "not-it-at-all",
            "new_password": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 401
    same = client.post(
        "/api/auth/password",
        json={"username": "newcomer", "current_password": one_time, "new_password": one_time},
    )
    assert same.status_code == 400
    changed = client.post(
        "/api/auth/password",
        json={"username": "newcomer", "current_password": one_time, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 204
    assert _token(client, "newcomer", one_time).status_code == 401
    issued = _token(client, "newcomer", NEW_PASSWORD)
    assert issued.status_code == 201
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {issued.json()['token']}"})
    assert me.status_code == 200
    entries = auth_service_audit_actions(db_session)
    assert "auth.password_changed" in entries


def auth_service_audit_actions(db_session: Session) -> list[str]:
    from concilia.audit.models import AuditEntry

    return list(db_session.scalars(select(AuditEntry.action)))


def _csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_browser_sign_in_with_a_one_time_password_goes_to_the_password_page(
    client: TestClient, db_session: Session
) -> None:
    one_time = _one_time_user(db_session, "webcomer")
    token = _csrf_of(client.get("/login").text)
    signed_in = client.post(
        "/login",
        data={"username": "webcomer", "password": one_time, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/password"
    # The session opens nothing else until the password is changed.
    assert client.get("/", follow_redirects=False).headers["location"] == "/password"
    assert client.get("/api/auth/me").status_code == 403
    page = client.get("/password")
    assert page.status_code == 200 and "one-time password" in page.text
    csrf = _csrf_of(page.text)
    mismatch = client.post(
        "/password",
        data={
            "current_password": one_time,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD + "x",
            "csrf_token": csrf,
        },
    )
    assert mismatch.status_code == 422
    done = client.post(
        "/password",
        data={
            "current_password": one_time,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert client.get("/api/auth/me").json()["username"] == "webcomer"
    user = db_session.scalar(select(User).where(User.username == "webcomer"))
    db_session.refresh(user)
    assert user is not None and user.must_change_password is False


def test_logout_without_the_csrf_token_still_ends_the_session(
    client: TestClient, make_user
) -> None:
    _, password = make_user("leaving", "agent")
    token = _csrf_of(client.get("/login").text)
    client.post("/login", data={"username": "leaving", "password": password, "csrf_token": token})
    assert client.get("/api/auth/me").status_code == 200
    cookie = client.cookies.get("concilia_session")
    assert cookie
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303
    # The old cookie, replayed, no longer opens anything.
    client.cookies.set("concilia_session", cookie)
    assert client.get("/api/auth/me").status_code == 401


def test_session_csrf_route_serves_the_docs_page(client: TestClient, make_user) -> None:
    assert client.get("/api/auth/csrf").status_code == 401
    _, password = make_user("docsuser", "admin")
    token = _csrf_of(client.get("/login").text)
    client.post("/login", data={"username": "docsuser", "password": password, "csrf_token": token})
    csrf = client.get("/api/auth/csrf").json()["csrf_token"]
    # What /docs' request interceptor does: the header makes a browser-session write pass.
    created = client.post("/api/auth/teams", json={"name": "docs"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite database the CLI's own session_scope writes to."""
    from concilia.config import get_settings
    from concilia.db import Base, make_engine, reset_engine
    from concilia.domains import load_all_models

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    load_all_models()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    monkeypatch.setenv("CONCILIA_DATABASE_URL", url)
    get_settings.cache_clear()
    reset_engine()
    yield url
    reset_engine()
    get_settings.cache_clear()


def test_cli_reset_password_prints_a_one_time_password(cli_db: str) -> None:
    from concilia.audit.models import AuditEntry
    from concilia.auth.models import ApiToken
    from concilia.cli import app
    from concilia.db import get_session_factory, session_scope

    with session_scope() as session:
        user, _ = auth_service.create_user(
            db_session=session,
            username="forgetful",
            role=Role.agent,
            password="the-old-password-1",
            actor="test",
        )
        auth_service.create_token(db_session=session, user_id=user.id, name="t")
    result = CliRunner().invoke(app, ["auth", "reset-password", "forgetful"])
    assert result.exit_code == 0, result.output
    match = re.search(r"one-time password \(shown once\): (\S+)", result.output)
    assert match
    with get_session_factory()() as session:
        reset = session.scalar(select(User).where(User.username == "forgetful"))
        assert reset is not None and reset.must_change_password is True
        assert all(t.revoked_at is not None for t in session.scalars(select(ApiToken)))
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
        assert actions[-1] == "auth.password_reset"
        # The printed password is the new one (and it still has to be changed).
        found = auth_service.authenticate(
            db_session=session, username="forgetful", password=match.group(1), ip="cli"
        )
        assert found.must_change_password
    missing = CliRunner().invoke(app, ["auth", "reset-password", "nobody"])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_cli_issues_no_token_before_the_password_is_changed(cli_db: str) -> None:
    from concilia.cli import app
    from concilia.db import session_scope

    with session_scope() as session:
        auth_service.create_user(
            db_session=session, username="pending", role=Role.agent, actor="test"
        )
    result = CliRunner().invoke(app, ["auth", "token", "pending"])
    assert result.exit_code == 1 and "one-time password" in result.output
