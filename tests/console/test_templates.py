"""Compose from a template: in the debtor's language, with the case's own figures."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.outreach.models import OutboxMessage
from concilia.portfolio import service as portfolio_service
from tests.console.conftest import ConsoleWorld

Browser = tuple[TestClient, dict[str, str]]


def test_template_fills_the_compose_box_in_the_debtors_language(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    base = f"/console/cases/{console_world.north_case}"
    page = client.get(base)
    assert '<option value="reminder">' in page.text
    filled = client.post(
        f"{base}/template", data={"template": "reminder", "channel": "email"}, headers=headers
    )
    assert filled.status_code == 200
    body = filled.text.split('id="compose-body"', 1)[1].split("</textarea>", 1)[0]
    assert "Bonjour" in body or "Madame, Monsieur" in body  # French, as the debtor reads
    assert "Bonjour Jean-Pierre de La Fontaine" in body  # the name as the creditor wrote it
    assert "ACC-1" in filled.text  # the case's account reference
    assert 'name="kind" value="reminder"' in filled.text
    assert db_session.scalars(select(OutboxMessage)).all() == []  # nothing stored


def test_spanish_debtor_gets_the_spanish_template_and_a_bad_one_is_refused(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    case = portfolio_service.get_case(db_session=db_session, case_id=console_world.north_case_2)
    portfolio_service.set_preferred_language(
        db_session=db_session, debtor_id=case.debt.debtor_id, lang="es", actor="test"
    )
    db_session.commit()
    base = f"/console/cases/{console_world.north_case_2}"
    filled = client.post(
        f"{base}/template", data={"template": "first_contact", "channel": "email"}, headers=headers
    )
    body = filled.text.split('id="compose-body"', 1)[1].split("</textarea>", 1)[0]
    assert "Hola Lucía García Pérez" in body
    refused = client.post(
        f"{base}/template", data={"template": "no_such", "channel": "email"}, headers=headers
    )
    assert 'role="alert"' in refused.text and "template" in refused.text


def test_template_of_another_teams_case_is_not_found(
    agent_browser: Browser, console_world: ConsoleWorld
) -> None:
    client, headers = agent_browser
    response = client.post(
        f"/console/cases/{console_world.south_case}/template",
        data={"template": "reminder"},
        headers=headers,
    )
    assert response.status_code == 404
