"""Browser sign-in: login CSRF, session cookie, CSRF header on state changes, sign-out."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _login_form_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _sign_in(client: TestClient, username: str, password: str) -> str:
    token = _login_form_token(client)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    match = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert match
    return match.group(1)


def test_login_without_matching_csrf_is_refused(client: TestClient, make_user) -> None:
    _, password = make_user("web1", "admin")
    _login_form_token(client)
    response = client.post(
        "/login",
        data={"username": "web1", "password": password, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 401 and "expired" in response.text


def test_session_cookie_needs_csrf_header_for_changes(client: TestClient, make_user) -> None:
    _, password = make_user("web2", "admin")
    csrf = _sign_in(client, "web2", password)
    assert client.get("/api/auth/me").json()["username"] == "web2"
    forged = client.post("/api/auth/teams", json={"name": "forged"})
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    ok = client.post("/api/auth/teams", json={"name": "real"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_cookie_flags_and_sign_out(client: TestClient, make_user) -> None:
    _, password = make_user("web3", "agent")
    token = _login_form_token(client)
    response = client.post(
        "/login",
        data={"username": "web3", "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    home = client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303


def test_wrong_password_on_the_page(client: TestClient, make_user) -> None:
    make_user("web4", "agent")
    token = _login_form_token(client)
    response = client.post(
        "/login", data={"username": "web4", "password": "nope-nope-nope", "csrf_token": token}
    )
    assert response.status_code == 401 and "wrong username or password" in response.text
