"""The door: link tokens, knowledge checks, the one-time code, sessions, CSRF, audit."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.outreach.models import IdentityCheck
from concilia.portal import security
from concilia.portal import service as portal_service
from concilia.portal.settings import get_portal_settings
from tests.portal.conftest import (
    Sink,
    World,
    answer,
    csrf_of,
    email_contact,
    last_code,
    session_csrf,
    sign_in,
    start_typed,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_link_token_is_signed_single_case_expiring_and_lower_case() -> None:
    token = security.make_link_token(case_id=42, expires_at=NOW + timedelta(days=1))
    assert token == token.lower() and token.isalnum()
    assert security.read_link_token(token, now=NOW) == 42
    # Retyped in capitals (some phones do that) it still works.
    assert security.read_link_token(token.upper(), now=NOW) == 42
    assert security.read_link_token(token, now=NOW + timedelta(days=2)) is None
    flipped = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert security.read_link_token(flipped, now=NOW) is None
    other = security.make_link_token(case_id=43, expires_at=NOW + timedelta(days=1))
    # The payload is not free to change: another case's payload with this tag is refused.
    assert security.read_link_token(other[:19] + token[19:], now=NOW) is None
    assert security.read_link_token("not-a-token", now=NOW) is None


def test_link_carries_no_debt_detail(world: World) -> None:
    url = portal_service.link_for(case_id=world.marie.case_id, now=NOW)
    token = url.rsplit("/", 1)[1]
    # 25 bytes: the case id (8), the expiry (4) and the tag (13); nothing else fits.
    raw = base64.b32decode(token.upper())
    assert len(raw) == 25 and int.from_bytes(raw[:8], "big") == world.marie.case_id


def test_sign_in_by_link_then_code_by_email(
    client: TestClient, world: World, smtp, db_session: Session
) -> None:
    url = portal_service.link_for(case_id=world.marie.case_id, now=datetime.now(UTC))
    page = client.get(url.replace("http://127.0.0.1:8000", ""), follow_redirects=True)
    assert page.url.path == "/portal/check"  # the token has left the address bar
    assert "1 000" not in page.text and "Banque Exemple" not in page.text
    page = answer(client, page.text, method="digits", last_chars="7781")
    assert page.url.path == "/portal/code"
    assert "m•••@example.org" in page.text and "marie@example.org" not in page.text
    contact = email_contact(page.text)
    sent = client.post("/portal/code/send", data={"csrf": csrf_of(page.text), "contact": contact})
    assert sent.status_code == 200
    [mail] = smtp.messages
    assert mail["To"] == "marie@example.org"
    body = mail.get_payload(decode=True).decode()
    # The code only, nothing of the debt (the random code itself may hold "1000": out first).
    without_code = body.replace(last_code(smtp), "<code>")
    assert "Banque" not in without_code and "1000" not in without_code
    home = client.post(
        "/portal/code/verify",
        data={"csrf": csrf_of(sent.text), "code": last_code(smtp)},
        follow_redirects=True,
    )
    assert home.url.path == "/portal/home"
    assert "Banque Exemple" in home.text and "ACC-7781" in home.text
    check = db_session.scalars(
        select(IdentityCheck).where(IdentityCheck.debtor_id == world.marie.debtor_id)
    ).one()
    assert check.method == "portal_otp" and check.channel == "email"


def test_typed_reference_needs_date_of_birth_and_postal_code(
    client: TestClient, world: World, smtp
) -> None:
    page = start_typed(client, "acc 7781")  # case and spacing do not matter
    assert page.url.path == "/portal/check"
    assert 'name="last_chars"' not in page.text  # the reference cannot vouch for itself
    wrong = answer(client, page.text, dob="17/05/1980", postal_code="75001")
    assert wrong.status_code == 400
    assert "do not match" in wrong.text or "ne correspondent pas" in wrong.text
    assert "Banque Exemple" not in wrong.text
    ok = answer(client, wrong.text, dob="1980-05-17", postal_code="69 003")
    assert ok.url.path == "/portal/code"


def test_last_characters_are_refused_for_a_typed_reference(
    client: TestClient, world: World
) -> None:
    page = start_typed(client, "ACC-7781")
    data = {"csrf": csrf_of(page.text), "method": "digits", "last_chars": "7781"}
    refused = client.post("/portal/check", data=data)
    assert refused.status_code == 400  # treated as the date-of-birth method, which is missing


def test_unknown_reference_looks_like_a_wrong_answer(client: TestClient, world: World) -> None:
    page = start_typed(client, "NOPE-0000")
    assert page.url.path == "/portal/check"
    wrong = answer(client, page.text, dob="17/05/1980", postal_code="69003")
    assert wrong.status_code == 400 and "do not match" in wrong.text


def test_field_errors_are_next_to_their_fields(client: TestClient, world: World) -> None:
    page = start_typed(client, "ACC-7781")
    bad = answer(client, page.text, dob="yesterday", postal_code="")
    assert bad.status_code == 400
    assert 'aria-describedby="dob-error"' in bad.text and 'id="dob-error"' in bad.text
    assert 'id="postal_code-error"' in bad.text


def test_wrong_code_refused_and_code_works_once(
    client: TestClient, world: World, smtp: Sink
) -> None:
    page = start_typed(client, world.marie.reference)
    page = answer(client, page.text, dob=world.marie.dob, postal_code=world.marie.postal_code)
    contact = email_contact(page.text)
    sent = client.post("/portal/code/send", data={"csrf": csrf_of(page.text), "contact": contact})
    code = last_code(smtp)
    wrong = "000000" if code != "000000" else "111111"
    bad = client.post("/portal/code/verify", data={"csrf": csrf_of(sent.text), "code": wrong})
    assert bad.status_code == 400 and 'id="code-error"' in bad.text
    flow_cookie = client.cookies.get("concilia_portal_flow") or ""
    good = client.post(
        "/portal/code/verify", data={"csrf": csrf_of(sent.text), "code": code},
        follow_redirects=True,
    )  # fmt: skip
    assert good.url.path == "/portal/home"
    # The flow is spent: replaying the code with the same flow cookie gets nowhere.
    thief = TestClient(client.app, cookies={"concilia_portal_flow": flow_cookie})
    again = thief.post(
        "/portal/code/verify", data={"csrf": csrf_of(sent.text), "code": code},
        follow_redirects=False,
    )  # fmt: skip
    assert again.status_code == 303 and again.headers["location"] == "/portal?expired=1"


def test_forms_without_the_csrf_value_are_refused(
    client: TestClient, world: World, smtp: Sink
) -> None:
    client.get("/portal")
    assert client.post("/portal/start", data={"reference": "ACC-7781"}).status_code == 403
    sign_in(client, world.marie, smtp)
    prefs = {"channel": "email", "language": "fr"}
    assert client.post("/portal/preferences", data=prefs).status_code == 403
    assert client.post("/portal/preferences", data={**prefs, "csrf": "x" * 40}).status_code == 403
    token = session_csrf(client)
    assert client.post("/portal/preferences", data={**prefs, "csrf": token}).status_code == 200


def test_debtor_session_is_not_a_staff_principal(
    client: TestClient, world: World, smtp, auth_headers
) -> None:
    sign_in(client, world.marie, smtp)
    assert client.get("/api/portfolio/cases").status_code == 401
    staff = TestClient(client.app)
    headers = auth_headers("agent1", "agent", ["default"])
    page = staff.get("/portal/home", headers=headers, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/portal")


def test_sign_out_ends_the_session(client: TestClient, world: World, smtp: Sink) -> None:
    sign_in(client, world.marie, smtp)
    client.post("/portal/logout", data={"csrf": session_csrf(client)})
    page = client.get("/portal/home", follow_redirects=False)
    assert page.status_code == 303


def test_every_attempt_is_audited_without_personal_data(
    client: TestClient, world: World, smtp, db_session: Session
) -> None:
    page = start_typed(client, world.marie.reference)
    answer(client, page.text, dob="01/01/1990", postal_code="69003")
    sign_in(client, world.marie, smtp)
    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action.like("portal.%")).order_by(AuditEntry.seq)
    ).all()
    actions = [e.action for e in entries]
    assert actions.count("portal.reference_passed") == 2  # two flows opened by reference
    assert actions.count("portal.knowledge_failed") == 1
    assert actions.count("portal.knowledge_passed") == 1
    assert actions.count("portal.code_passed") == 1
    assert "portal.session_started" in actions
    text = " ".join(str(e.detail) for e in entries)
    for personal in ("7781", "1980", "69003", "marie", "testclient", "Martin"):
        assert personal not in text


def test_pages_carry_a_strict_policy_and_no_inline_code(client: TestClient) -> None:
    page = client.get("/portal")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in page.text and "style=" not in page.text and "<style" not in page.text
    css = client.get("/portal/static/portal.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/portal/static/..%2Fmodels.py").status_code == 404


def test_code_by_sms_through_the_local_provider(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concilia.outreach.channels.provider_stub import ProviderStub

    with ProviderStub(token="sms-token") as stub:
        monkeypatch.setenv("CONCILIA_OUTREACH_SMS_PROVIDER_URL", stub.url)
        monkeypatch.setenv("CONCILIA_OUTREACH_SMS_PROVIDER_TOKEN", "sms-token")
        page = start_typed(client, world.marie.reference)
        page = answer(client, page.text, dob=world.marie.dob, postal_code=world.marie.postal_code)
        found = re.search(r'name="contact" value="(\d+)"[^>]*>\s*By text to •••• 44', page.text)
        assert found, page.text
        sent = client.post(
            "/portal/code/send", data={"csrf": csrf_of(page.text), "contact": found.group(1)}
        )
        assert sent.status_code == 200
        [message] = stub.state.messages.values()
        assert message["to"] == "+33611223344" and message["channel"] == "sms"
        code = re.search(r"\b(\d{6})\b", message["text"])
        assert code
        home = client.post(
            "/portal/code/verify",
            data={"csrf": csrf_of(sent.text), "code": code.group(1)},
            follow_redirects=True,
        )
        assert home.url.path == "/portal/home"


def test_an_idle_debtor_session_ends(client: TestClient, world: World, smtp: Sink) -> None:
    from concilia.portal import views

    def set_seen(value: str) -> None:
        client.cookies.delete(views.SEEN_COOKIE)
        client.cookies.set(views.SEEN_COOKIE, value, domain="testserver.local", path="/")

    sign_in(client, world.marie, smtp)
    session_cookie = client.cookies.get(get_portal_settings().session_cookie_name)
    assert session_cookie and client.get("/portal/home").status_code == 200
    idle = timedelta(minutes=get_portal_settings().idle_minutes)
    # Used a little under the idle limit ago: still signed in, and marked active again.
    recent = datetime.now(UTC) - idle + timedelta(minutes=1)
    set_seen(security.seen_value(session_cookie, recent))
    assert client.get("/portal/home", follow_redirects=False).status_code == 200
    refreshed = security.seen_at(session_cookie, client.cookies.get(views.SEEN_COOKIE))
    assert refreshed is not None and refreshed > recent + timedelta(seconds=30)
    # Unused for longer than the limit: back to the door, pages and chat socket alike.
    old = datetime.now(UTC) - idle - timedelta(seconds=5)
    set_seen(security.seen_value(session_cookie, old))
    gone = client.get("/portal/home", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/portal?expired=1"
    # A forged time (another session's signature) is no better than none.
    forged = security.seen_value("another-session", datetime.now(UTC)).replace("x", "y")
    set_seen(forged)
    assert client.get("/portal/home", follow_redirects=False).status_code == 303
