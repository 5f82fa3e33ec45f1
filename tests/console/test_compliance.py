"""The compliance officer's page: blocked messages with reasons, audit search and verify."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.console.conftest import ConsoleWorld, sign_in


def test_agents_are_kept_out(agent_browser: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = agent_browser
    assert client.get("/console/compliance").status_code == 403
    assert client.post("/console/compliance/messages/1/approve", headers=headers).status_code == 403


def test_officer_sees_blocks_with_reasons_and_verifies_the_chain(
    client: TestClient, make_user: Any, console_world: ConsoleWorld
) -> None:
    _, agent_pw = make_user("nils", "agent", ["north"])
    csrf = sign_in(client, "nils", agent_pw)
    client.post(
        f"/console/cases/{console_world.north_case}/messages",
        data={"channel": "email", "to": "jp.delafontaine@example.org", "body": "Payez."},
        headers={"X-CSRF-Token": csrf},
    )
    client.cookies.clear()
    _, officer_pw = make_user("olga", "compliance_officer", [])
    sign_in(client, "olga", officer_pw)
    page = client.get("/console/compliance")
    assert page.status_code == 200
    assert f'href="/console/cases/{console_world.north_case}"' in page.text
    assert "FR-" in page.text  # a French rule's id with its reason
    audit = client.get(
        "/console/compliance",
        params={"object_type": "case", "object_id": str(console_world.south_case)},
    )
    assert "portfolio." in audit.text or "<tbody>" in audit.text
    verified = client.get("/console/compliance/audit/verify")
    assert verified.status_code == 200
    assert 'role="status" class="ok"' in verified.text


def test_an_auditor_verifies_the_chain_and_an_agent_may_not(
    client: TestClient, make_user: Any, console_world: ConsoleWorld
) -> None:
    _, auditor_pw = make_user("aude", "auditor", [])
    sign_in(client, "aude", auditor_pw)
    page = client.get("/console/compliance")
    assert 'action="/console/compliance/audit/verify"' in page.text
    verified = client.get("/console/compliance/audit/verify")
    assert verified.status_code == 200
    assert 'role="status" class="ok"' in verified.text
    client.cookies.clear()
    _, agent_pw = make_user("anna", "agent", ["north"])
    sign_in(client, "anna", agent_pw)
    refused = client.get("/console/compliance/audit/verify")
    assert refused.status_code == 403
    assert "The chain is intact" not in refused.text
