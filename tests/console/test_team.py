"""The supervisor's page: team-scoped figures, server-rendered charts, agents kept out."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.portfolio import service as portfolio_service
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


def test_supervisor_assigns_the_next_cases_of_the_agents_team_audited(
    client: TestClient, make_user: Any, console_world: ConsoleWorld, db_session: Session
) -> None:
    nina, _ = make_user("nina", "agent", ["north"])
    sam, _ = make_user("sam", "agent", ["south"])
    _, sup_pw = make_user("sue", "supervisor", ["north"])
    csrf = sign_in(client, "sue", sup_pw)
    page = client.get("/console/team")
    assert f'<option value="{nina.id}">nina</option>' in page.text
    assert f'value="{sam.id}"' not in page.text  # another team's agent is not offered
    # The form as a browser without JavaScript posts it: the token in a hidden field.
    done = client.post(
        "/console/team/assign", data={"agent_id": str(nina.id), "count": "1", "csrf_token": csrf}
    )
    assert done.status_code == 200 and 'role="status"' in done.text, done.text
    first = portfolio_service.get_case(db_session=db_session, case_id=console_world.north_case_2)
    other = portfolio_service.get_case(db_session=db_session, case_id=console_world.north_case)
    db_session.refresh(first)
    db_session.refresh(other)
    # The larger balance comes first in the worklist, so it is the one given.
    assert (first.assigned_agent_id, other.assigned_agent_id) == (nina.id, None)
    assert db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "portfolio.case_assigned", AuditEntry.actor == "user:sue"
        )
    )
    refused = client.post(
        "/console/team/assign", data={"agent_id": str(sam.id), "count": "5", "csrf_token": csrf}
    )
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    south = portfolio_service.get_case(db_session=db_session, case_id=console_world.south_case)
    assert south.assigned_agent_id is None


def test_an_agent_cannot_assign(
    agent_browser: tuple[TestClient, dict[str, str]], console_world: ConsoleWorld
) -> None:
    client, headers = agent_browser
    response = client.post(
        "/console/team/assign", data={"agent_id": "1", "count": "1"}, headers=headers
    )
    assert response.status_code == 403
