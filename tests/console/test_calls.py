"""Call outcomes: right party counts as a conversation; a wrong number stops the number."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.console import service as console_service
from concilia.outreach.models import ContactLog
from concilia.outreach.rules import Decision
from tests.console.conftest import ConsoleWorld

Browser = tuple[TestClient, dict[str, str]]


@pytest.fixture
def calls_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The call check's hour window is tested in outreach; here any hour may call."""
    monkeypatch.setattr(console_service, "check_call", lambda **_: Decision("allow"))


def test_wrong_number_retires_the_number_from_the_case_page(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session, calls_allowed: Any
) -> None:
    client, headers = agent_browser
    base = f"/console/cases/{console_world.north_case}"
    assert "+33611223344" in client.get(base).text
    logged = client.post(
        f"{base}/calls", data={"phone": "+33611223344", "outcome": "wrong_number"}, headers=headers
    )
    assert logged.status_code == 200 and 'role="status"' in logged.text, logged.text
    page = client.get(base).text
    assert 'value="+33611223344"' not in page  # no longer offered to call or write to
    assert db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "portfolio.contact_retired", AuditEntry.actor == "user:nina"
        )
    )
    call = db_session.scalar(select(ContactLog).where(ContactLog.channel == "call"))
    assert call is not None and call.outcome == "wrong_number" and not call.conversation


@pytest.mark.parametrize("outcome", ["right_party", "promise", "refused"])
def test_right_party_outcomes_are_conversations(
    agent_browser: Browser,
    console_world: ConsoleWorld,
    db_session: Session,
    calls_allowed: Any,
    outcome: str,
) -> None:
    client, headers = agent_browser
    base = f"/console/cases/{console_world.north_case}"
    client.post(
        f"{base}/calls", data={"phone": "+33611223344", "outcome": outcome}, headers=headers
    )
    call = db_session.scalar(select(ContactLog).where(ContactLog.channel == "call"))
    assert call is not None and call.outcome == outcome and call.conversation
    assert 'value="+33611223344"' in client.get(base).text
