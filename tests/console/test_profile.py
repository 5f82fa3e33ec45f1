"""Each user's language: saved on the profile, used by every console page, audited."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from tests.console.conftest import ConsoleWorld

Browser = tuple[TestClient, dict[str, str]]


def test_the_users_language_wins_over_the_browsers_and_follows_htmx(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    english = {"Accept-Language": "en-GB,en;q=0.9"}
    assert "Worklist" in client.get("/console/cases", headers=english).text
    page = client.get("/console/profile", headers=english)
    assert page.status_code == 200 and 'id="profile-language"' in page.text
    saved = client.post(
        "/console/profile", data={"language": "es", "csrf_token": headers["X-CSRF-Token"]}
    )
    assert saved.status_code == 200 and "Guardado." in saved.text
    assert '<html lang="es">' in client.get("/console/cases", headers=english).text
    # An HTMX fragment speaks it too.
    fragment = client.post(
        f"/console/cases/{console_world.north_case}/promises",
        data={"amount": "5", "due_on": "2026-12-01"},
        headers={**headers, **english},
    )
    assert "Promesa registrada." in fragment.text
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.language_set"))
    # Back to the browser's language.
    client.post("/console/profile", data={"language": ""}, headers=headers)
    assert '<html lang="en">' in client.get("/console/cases", headers=english).text


def test_a_bad_language_is_ignored_and_the_profile_needs_the_token(
    agent_browser: Browser,
) -> None:
    client, headers = agent_browser
    assert client.post("/console/profile", data={"language": "es"}).status_code == 403
    client.post("/console/profile", data={"language": "xx"}, headers=headers)
    assert '<html lang="xx">' not in client.get("/console/cases").text
