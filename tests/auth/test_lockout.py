"""Failed sign-ins lock an (account, address) pair and a noisy address, never an account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.auth.models import LoginAttempt


def _from(app: FastAPI, ip: str) -> TestClient:
    return TestClient(app, client=(ip, 50000))


def _token(client: TestClient, username: str, password: str) -> int:
    body = {"username": username, "password": password}
    return client.post("/api/auth/token", json=body).status_code


def _page_sign_in(client: TestClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
    return response.status_code, response.text


def test_an_attacker_elsewhere_cannot_lock_the_real_user_out(app: FastAPI, make_user) -> None:
    _, password = make_user("victim", "admin")
    attacker = _from(app, "203.0.113.9")
    for _ in range(12):
        assert _token(attacker, "victim", "guess-guess-guess") in (401, 429)
    assert _token(attacker, "victim", password) == 429
    office = _from(app, "198.51.100.7")
    assert _token(office, "victim", password) == 201
    status, _ = _page_sign_in(office, "victim", password)
    assert status == 303


def test_page_and_api_share_the_rule_and_the_message(app: FastAPI, make_user) -> None:
    _, password = make_user("shared", "agent")
    api = _from(app, "192.0.2.10")
    for _ in range(3):
        assert _token(api, "shared", "wrong-password-1") == 401
    page = _from(app, "192.0.2.10")
    for _ in range(2):
        status, text = _page_sign_in(page, "shared", "wrong-password-1")
        assert status == 401 and "wrong username or password" in text
    # Five failures, three through the API and two through the page: both are now refused.
    locked = api.post("/api/auth/token", json={"username": "shared", "password": password})
    assert locked.status_code == 429
    message = locked.json()["detail"]
    assert message.startswith("too many failed sign-ins")
    status, text = _page_sign_in(page, "shared", password)
    assert status == 429 and message in text


def test_back_off_doubles_with_each_further_failure(
    app: FastAPI, make_user, db_session: Session
) -> None:
    _, password = make_user("slow", "agent")
    client = _from(app, "192.0.2.20")
    for _ in range(5):
        assert _token(client, "slow", "wrong-password-2") == 401
    first = client.post("/api/auth/token", json={"username": "slow", "password": password})
    assert first.status_code == 429 and "1 minute" in first.json()["detail"]

    def age_attempts(seconds: int) -> None:
        for attempt in db_session.scalars(select(LoginAttempt)):
            attempt.at = attempt.at - timedelta(seconds=seconds)
        db_session.commit()

    age_attempts(61)  # the first wait (60 s) is over: one more try is allowed ...
    assert _token(client, "slow", "wrong-password-2") == 401
    second = client.post("/api/auth/token", json={"username": "slow", "password": password})
    assert second.status_code == 429 and "2 minutes" in second.json()["detail"]
    age_attempts(121)  # ... and after the doubled wait the right password works again
    assert _token(client, "slow", password) == 201


def test_an_address_trying_many_accounts_is_throttled(
    app: FastAPI, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concilia.config import get_settings

    monkeypatch.setattr(get_settings(), "login_ip_factor", 2)  # 10 failures, not 20: faster
    _, password = make_user("bystander", "agent")
    sprayer = _from(app, "192.0.2.30")
    for i in range(10):
        assert _token(sprayer, f"user{i}", "Password123456") == 401
    assert _token(sprayer, "bystander", password) == 429
    assert _token(_from(app, "192.0.2.31"), "bystander", password) == 201


def test_a_success_clears_the_pair_count(app: FastAPI, make_user) -> None:
    _, password = make_user("typo", "agent")
    client = _from(app, "192.0.2.40")
    for _ in range(4):
        assert _token(client, "typo", "wrong-password-3") == 401
    assert _token(client, "typo", password) == 201
    for _ in range(4):
        assert _token(client, "typo", "wrong-password-3") == 401
    assert _token(client, "typo", password) == 201
