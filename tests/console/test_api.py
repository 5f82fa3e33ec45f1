"""The console's JSON API: the same checks and team scoping as the pages."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.outreach.models import ContactLog, InboundReply, OutboxMessage
from tests.console.conftest import ConsoleWorld


def test_worklist_api_is_scoped_and_ordered(
    client: TestClient, auth_headers: Any, console_world: ConsoleWorld
) -> None:
    north = auth_headers("nadia", "agent", ["north"])
    body = client.get("/api/console/cases", headers=north).json()
    assert [i["case_id"] for i in body["items"]] == [
        console_world.north_case_2,
        console_world.north_case,
    ]
    assert body["items"][0]["balance"] == "5030.00" and body["next_after"] is None


def test_queue_message_api_returns_the_verdict_and_is_idempotent(
    client: TestClient, auth_headers: Any, console_world: ConsoleWorld, db_session: Session
) -> None:
    north = auth_headers("nadia", "agent", ["north"])
    url = f"/api/console/cases/{console_world.north_case}/messages"
    message = {
        "channel": "email",
        "to": "jp.delafontaine@example.org",
        "body": "Vous devez payer votre dette.",
        "idempotency_key": "k-1",
    }
    first = client.post(url, json=message, headers=north)
    assert first.status_code == 201, first.text
    # Identity is not verified: a message about the debt is blocked, with its reasons.
    assert first.json()["status"] == "blocked" and first.json()["reasons"]
    again = client.post(url, json=message, headers=north)
    assert again.json()["id"] == first.json()["id"]
    assert len(db_session.scalars(select(OutboxMessage)).all()) == 1


def test_check_api_stores_nothing(
    client: TestClient, auth_headers: Any, console_world: ConsoleWorld, db_session: Session
) -> None:
    north = auth_headers("nadia", "agent", ["north"])
    response = client.post(
        f"/api/console/cases/{console_world.north_case}/messages/check",
        json={"channel": "email", "to": "jp.delafontaine@example.org", "body": "Bonjour."},
        headers=north,
    )
    assert response.status_code == 200
    assert response.json()["verdict"] in ("allow", "review", "block")
    assert db_session.scalars(select(OutboxMessage)).all() == []


def test_identity_and_call_api(
    client: TestClient, auth_headers: Any, console_world: ConsoleWorld, db_session: Session
) -> None:
    north = auth_headers("nadia", "agent", ["north"])
    base = f"/api/console/cases/{console_world.north_case}"
    verified = client.post(
        f"{base}/identity-verifications",
        json={"channel": "email", "address": "jp.delafontaine@example.org", "method": "document"},
        headers=north,
    )
    assert verified.status_code == 201 and verified.json()["actor"] == "user:nadia"
    bad = client.post(f"{base}/calls", json={"phone": "+33611223344", "outcome": "shouted"})
    assert bad.status_code in (401, 422)
    call = client.post(
        f"{base}/calls", json={"phone": "+33611223344", "outcome": "voicemail"}, headers=north
    )
    calls = db_session.scalars(select(ContactLog).where(ContactLog.channel == "call")).all()
    if call.status_code == 201:
        assert [c.outcome for c in calls] == ["voicemail"]
    else:
        # Outside the debtor's calling hours the call check refuses, naming the rule.
        assert call.status_code == 422 and calls == []
        assert call.json()["errors"][0]["field"] == "call"


def test_replies_api_lists_only_my_teams_replies(
    client: TestClient, auth_headers: Any, console_world: ConsoleWorld, db_session: Session
) -> None:
    now = utcnow()
    for i, case_id in enumerate((console_world.north_case, console_world.south_case)):
        db_session.add(
            InboundReply(
                provider_id=f"r-{i}",
                channel="email",
                case_id=case_id,
                sender_encrypted="x",
                sender_index=f"i-{i}",
                text=f"reply {i}",
                received_at=now,
                created_at=now,
            )
        )
    db_session.commit()
    north = auth_headers("nadia", "agent", ["north"])
    assert [r["text"] for r in client.get("/api/console/replies", headers=north).json()] == [
        "reply 0"
    ]
    south_case = client.get(f"/api/console/cases/{console_world.south_case}/replies", headers=north)
    assert south_case.status_code == 404
    officer = auth_headers("olga", "compliance_officer", [])
    texts = sorted(r["text"] for r in client.get("/api/console/replies", headers=officer).json())
    assert texts == ["reply 0", "reply 1"]
