"""The case timeline carries the portal chat (who wrote each message) with the rest."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.portal import chat
from tests.console.conftest import ConsoleWorld

Browser = tuple[TestClient, dict[str, str]]


def test_the_portal_chat_is_on_the_case_timeline(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, _ = agent_browser
    chat.post_from_debtor(
        db_session=db_session,
        case_id=console_world.north_case,
        debtor_actor="debtor:portal",
        text="Je peux payer 50 euros le 5 du mois.",
        at=utcnow(),
    )
    db_session.commit()
    page = client.get(f"/console/cases/{console_world.north_case}").text
    timeline = page.split('id="timeline"', 1)[1]
    assert "Je peux payer 50 euros le 5 du mois." in timeline
    assert "chat · debtor" in timeline
    other = client.get(f"/console/cases/{console_world.north_case_2}").text
    assert "Je peux payer 50 euros" not in other
