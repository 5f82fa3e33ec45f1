"""The supervisor's page: team-scoped figures, server-rendered charts, agents kept out."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.console.conftest import ConsoleWorld, sign_in


def test_agents_are_kept_out(agent_browser: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = agent_browser
    assert client.get("/console/team").status_code == 403


def test_supervisor_sees_only_the_teams_figures(
    client: TestClient, make_user: Any, console_world: ConsoleWorld
) -> None:
    _, agent_pw = make_user("nils", "agent", ["north"])
    csrf = sign_in(client, "nils", agent_pw)
    headers = {"X-CSRF-Token": csrf}
    base = f"/console/cases/{console_world.north_case}"
    paid = client.post(
        f"{base}/payments", data={"amount": "120", "received_on": "2026-11-30"}, headers=headers
    )
    assert 'role="status"' in paid.text
    client.post(
        f"{base}/messages",
        data={"channel": "email", "to": "jp.delafontaine@example.org", "body": "Payez."},
        headers=headers,
    )
    client.cookies.clear()
    _, sup_pw = make_user("sue", "supervisor", ["north"])
    sign_in(client, "sue", sup_pw)
    page = client.get("/console/team")
    assert page.status_code == 200
    assert page.text.count('class="chart"') == 2  # recovered per week, blocks by rule
    assert "€120.00" in page.text
    assert 'href="/console/team" aria-current="page"' in page.text
    client.cookies.clear()
    _, south_pw = make_user("sid", "supervisor", ["south"])
    sign_in(client, "sid", south_pw)
    south = client.get("/console/team")
    assert south.status_code == 200 and 'class="chart"' not in south.text
