"""Outreach API: check messages, list rules, a case's outbox, approval by a compliance officer."""

from typing import Any

from sqlalchemy.orm import Session

from tests.outreach.test_message_set import MESSAGES
from tests.outreach.test_outbox import enqueue


def test_check_endpoint_returns_verdicts_and_stores_nothing(client: Any, auth_headers: Any) -> None:
    headers = auth_headers("alice", "agent")
    sample = [m for m in MESSAGES if m["id"] in ("us-01", "us-07", "uk-05")]
    r = client.post("/api/outreach/check", json=sample, headers=headers)
    assert r.status_code == 200, r.text
    assert [x["verdict"] for x in r.json()] == [m["expected"] for m in sample]
    assert r.json()[0]["reasons"][0]["citation"] == "12 CFR 1006.22(f)(4)"


def test_check_endpoint_names_the_bad_message_and_field(client: Any, auth_headers: Any) -> None:
    r = client.post(
        "/api/outreach/check",
        json=[MESSAGES[0], {"jurisdiction": "XX"}],
        headers=auth_headers("bob"),
    )
    assert r.status_code == 422
    assert "message 1" in r.text and "jurisdiction" in r.text


def test_check_needs_authentication(client: Any) -> None:
    assert client.post("/api/outreach/check", json=[]).status_code == 401


def test_rules_endpoint_lists_every_jurisdiction(client: Any, auth_headers: Any) -> None:
    r = client.get("/api/outreach/rules?lang=fr", headers=auth_headers("carol"))
    assert r.status_code == 200
    rules = {x["id"]: x for x in r.json()}
    assert {x["jurisdiction"] for x in r.json()} == {"US", "FR", "ES", "UK"}
    assert rules["FR-R124-4"]["verified"] is True  # read in copies of the Légifrance text
    assert rules["ES-TONE"]["verified"] is False
    assert "première lettre" in rules["FR-R124-4"]["description"]


def test_case_outbox_and_approval(
    client: Any, auth_headers: Any, db_session: Session, case_id: int
) -> None:
    msg = enqueue(db_session, case_id, channel="social_dm", to="fb:jane", idempotency_key="api-1")
    db_session.commit()
    admin = auth_headers("dora", "admin")
    listed = client.get(f"/api/outreach/cases/{case_id}/outbox", headers=admin)
    assert listed.status_code == 200, listed.text
    assert [m["status"] for m in listed.json()] == ["blocked"]
    agent = auth_headers("eve", "agent")
    assert client.post(f"/api/outreach/outbox/{msg.id}/approve", headers=agent).status_code == 403
    # A blocked message cannot be approved, even by a compliance officer.
    officer = auth_headers("fay", "compliance_officer")
    assert client.post(f"/api/outreach/outbox/{msg.id}/approve", headers=officer).status_code == 409
