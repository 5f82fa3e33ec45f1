"""/verify: anyone can check whether a message with a given code was sent by the agency."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia.outreach import service as outreach_service
from concilia.portal.settings import get_portal_settings
from tests.portal.conftest import Sink, World, csrf_of, sign_in

CODE_IN_TEXT = re.compile(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b")

SENT_AT = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def _message(db_session: Session, world: World, key: str, *, sent: bool) -> str:
    """Queue a message through outreach (which stamps its code) and return the code."""
    msg = outreach_service.enqueue(
        db_session=db_session, case_id=world.jane.case_id, channel="email", kind="reminder",
        lang="en", to="jane@example.org", body="Hello Jane.", actor="agent",
        idempotency_key=key, address_source="consumer_used",
    )  # fmt: skip
    if sent:
        msg.status, msg.sent_at = "sent", SENT_AT
    db_session.commit()
    found = CODE_IN_TEXT.search(msg.body)
    assert found, msg.body
    return found.group(1)


def _check(client: TestClient, code: str) -> object:
    page = client.get("/verify")
    return client.post("/verify", data={"code": code, "csrf": csrf_of(page.text)})


def test_every_queued_message_carries_its_own_code_and_the_verify_address(
    world: World, db_session: Session
) -> None:
    first = outreach_service.enqueue(
        db_session=db_session, case_id=world.marie.case_id, channel="email", kind="reminder",
        lang="fr", to="marie@example.org", body="Bonjour Marie.", actor="agent",
        idempotency_key="k1", address_source="consumer_used",
    )  # fmt: skip
    again = outreach_service.enqueue(
        db_session=db_session, case_id=world.marie.case_id, channel="email", kind="reminder",
        lang="fr", to="marie@example.org", body="Bonjour Marie.", actor="agent",
        idempotency_key="k1", address_source="consumer_used",
    )  # fmt: skip
    other = outreach_service.enqueue(
        db_session=db_session, case_id=world.jane.case_id, channel="sms", kind="reminder",
        lang="es", to="+12125550100", body="Hola Jane.", actor="agent",
        idempotency_key="k2", address_source="consumer_used",
    )  # fmt: skip
    a = CODE_IN_TEXT.search(first.body)
    b = CODE_IN_TEXT.search(other.body)
    assert a and b and a.group(1) != b.group(1)
    assert again.body == first.body  # one message, one code
    assert first.body.startswith("Bonjour Marie.")
    assert "Ce message vient-il vraiment de nous" in first.body
    assert f"{get_portal_settings().base_url}/verify" in first.body
    assert "Compruebe el código" in other.body


def test_the_sign_in_code_message_carries_a_code_verify_confirms(
    client: TestClient, world: World, smtp: Sink
) -> None:
    sign_in(client, world.marie, smtp)
    mail = smtp.messages[-1].get_payload(decode=True)
    assert isinstance(mail, bytes)
    found = CODE_IN_TEXT.search(mail.decode())
    assert found, mail
    other = TestClient(client.app)
    text = _check(other, found.group(1)).text  # type: ignore[attr-defined]
    assert "we sent this message on" in text and "E-mail" in text


def test_a_sent_message_is_confirmed_with_its_date_and_no_debt_detail(
    client: TestClient, world: World, db_session: Session
) -> None:
    code = _message(db_session, world, "case/1/reminder/1", sent=True)
    page = _check(client, code.lower().replace("-", " "))
    assert page.status_code == 200  # type: ignore[attr-defined]
    # The answer itself (the page's hidden CSRF value is random hex: not searched).
    text = page.text.split('role="status">')[1].split("</p>")[0]  # type: ignore[attr-defined]
    assert "Yes: we sent this message on" in text and "24 Nov 2026, 17:00" in text
    assert "E-mail" in text
    assert "Jane" not in page.text and "US-5550" not in page.text  # type: ignore[attr-defined]
    assert "600" not in text


def test_unknown_or_unsent_codes_are_not_ours(
    client: TestClient, world: World, db_session: Session
) -> None:
    queued = _message(db_session, world, "case/1/reminder/2", sent=False)
    for code in (queued, "ABCD-EFGH"):
        text = _check(client, code).text  # type: ignore[attr-defined]
        assert "We sent no message with this code" in text


def test_lookups_are_limited_per_client(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCILIA_PORTAL_MAX_VERIFY_LOOKUPS_PER_IP", "3")
    get_portal_settings.cache_clear()
    answers = [_check(client, f"AAAA-AAA{i}").status_code for i in range(4)]  # type: ignore[attr-defined]
    assert answers == [200, 200, 200, 429]


def test_verify_page_in_spanish(client: TestClient) -> None:
    page = client.get("/verify", headers={"accept-language": "es-ES,es;q=0.9"})
    assert "¿Este mensaje es realmente nuestro?" in page.text and '<html lang="es">' in page.text
