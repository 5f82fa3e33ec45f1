"""Console pages through a signed-in browser: worklist, case page, actions, scoping, CSRF."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.outreach.models import ContactLog, IdentityCheck, OutboxMessage
from concilia.portfolio.models import Payment, PromiseToPay
from tests.console.conftest import ConsoleWorld

Browser = tuple[TestClient, dict[str, str]]


def test_pages_need_a_session(client: TestClient, console_world: ConsoleWorld) -> None:
    for url in ("/console/cases", f"/console/cases/{console_world.north_case}", "/console/replies"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"


def test_worklist_shows_my_teams_cases_by_balance(
    agent_browser: Browser, console_world: ConsoleWorld
) -> None:
    client, _ = agent_browser
    page = client.get("/console/cases")
    assert page.status_code == 200
    links = re.findall(r'<a href="/console/cases/(\d+)">', page.text)
    # The larger balance (5000 + fees) comes first; the south team's case is absent.
    assert links == [str(console_world.north_case_2), str(console_world.north_case)]
    assert "Sam" not in page.text
    assert '<main id="main"' in page.text and 'href="#main"' in page.text


def test_worklist_search_by_phone_and_email_uses_the_blind_index(
    agent_browser: Browser, console_world: ConsoleWorld
) -> None:
    client, headers = agent_browser

    def found(q: str) -> list[str]:
        response = client.post("/console/cases/rows", data={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        return re.findall(r'<a href="/console/cases/(\d+)">', response.text)

    assert found("0612345678") == []  # no such number
    assert found("+34 612 34 56 78") == [str(console_world.north_case_2)]
    assert found("06 11 22 33 44") == [str(console_world.north_case)]
    assert found("LUCIA.GARCIA@example.es") == [str(console_world.north_case_2)]
    assert found("fontaine") == [str(console_world.north_case)]
    assert found("ACC-2") == [str(console_world.north_case_2)]
    # Another team's debtor is never found, whatever the search.
    assert found("sam.south@example.org") == []


def test_worklist_filters_and_keyset_pages(
    agent_browser: Browser, console_world: ConsoleWorld
) -> None:
    client, headers = agent_browser
    rows = client.post("/console/cases/rows", data={"min_balance": "2000"}, headers=headers)
    assert re.findall(r'<a href="/console/cases/(\d+)">', rows.text) == [
        str(console_world.north_case_2)
    ]
    after = client.post(
        "/console/cases/rows", data={"after": str(console_world.north_case_2)}, headers=headers
    )
    assert re.findall(r'<a href="/console/cases/(\d+)">', after.text) == [
        str(console_world.north_case)
    ]
    bad = client.post("/console/cases/rows", data={"flag": "nonsense"}, headers=headers)
    assert 'role="alert"' in bad.text


def test_search_is_a_post_that_needs_the_csrf_header(
    agent_browser: Browser, console_world: ConsoleWorld
) -> None:
    client, _ = agent_browser
    response = client.post("/console/cases/rows", data={"q": "fontaine"})
    assert response.status_code == 403


def test_case_page_shows_balance_breakdown_in_the_debts_currency(
    agent_browser: Browser, console_world: ConsoleWorld
) -> None:
    client, _ = agent_browser
    page = client.get(f"/console/cases/{console_world.north_case}")
    assert page.status_code == 200
    text = page.text
    assert "Jean-Pierre" in text and "jp.delafontaine@example.org" in text
    assert "€1,030.00" in text  # total owed, English UI
    french = client.get(
        f"/console/cases/{console_world.north_case}", headers={"Accept-Language": "fr-FR,fr"}
    )
    assert "1\u202f030,00\u00a0€" in french.text
    assert 'lang="fr"' in french.text


def test_another_teams_case_page_is_not_found(
    agent_browser: Browser, console_world: ConsoleWorld
) -> None:
    client, headers = agent_browser
    page = client.get(f"/console/cases/{console_world.south_case}")
    assert page.status_code == 404
    assert "Sam" not in page.text
    for path, data in [
        ("payments", {"amount": "10", "received_on": "2026-11-01"}),
        ("messages", {"channel": "email", "to": "sam.south@example.org", "body": "x"}),
        ("check", {"channel": "email", "to": "x", "body": "x"}),
        ("identity", {"channel": "email", "address": "x", "method": "date_of_birth"}),
    ]:
        response = client.post(
            f"/console/cases/{console_world.south_case}/{path}", data=data, headers=headers
        )
        assert response.status_code == 404, (path, response.text)


def test_payment_form_allocates_and_audits(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    url = f"/console/cases/{console_world.north_case}/payments"
    forged = client.post(url, data={"amount": "100", "received_on": "2026-11-01"})
    assert forged.status_code == 403
    response = client.post(
        url, data={"amount": "100,00", "received_on": "2026-11-01"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert 'role="status"' in response.text
    assert 'id="timeline"' in response.text and 'hx-swap-oob="true"' in response.text
    payments = db_session.scalars(select(Payment)).all()
    assert [str(p.amount) for p in payments] == ["100.00"]
    assert db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "portfolio.payment_recorded", AuditEntry.actor == "user:nina"
        )
    )


def test_bad_promise_is_refused_with_its_reason_and_nothing_written(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    response = client.post(
        f"/console/cases/{console_world.north_case}/promises",
        data={"amount": "-5", "due_on": "2026-12-01"},
        headers=headers,
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.text and "amount" in response.text
    assert db_session.scalars(select(PromiseToPay)).all() == []


def test_live_check_blocks_before_identity_and_queue_records_the_verdict(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    base = f"/console/cases/{console_world.north_case}"
    draft = {
        "channel": "email",
        "to": "jp.delafontaine@example.org",
        "body": "Vous devez payer 1030 euros de dette immédiatement.",
    }
    verdict = client.post(f"{base}/check", data=draft, headers=headers)
    assert verdict.status_code == 200
    assert "verdict block" in verdict.text
    assert db_session.scalars(select(OutboxMessage)).all() == []  # the check stores nothing
    queued = client.post(f"{base}/messages", data=draft, headers=headers)
    assert queued.status_code == 200
    messages = db_session.scalars(select(OutboxMessage)).all()
    assert [m.status for m in messages] == ["blocked"]
    assert "outbox-blocked" in queued.text


def test_identity_verification_and_call_log(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    base = f"/console/cases/{console_world.north_case}"
    response = client.post(
        f"{base}/identity",
        data={
            "channel": "email",
            "address": "jp.delafontaine@example.org",
            "method": "date_of_birth",
        },
        headers=headers,
    )
    assert response.status_code == 200 and 'role="status"' in response.text
    checks = db_session.scalars(select(IdentityCheck)).all()
    assert [(c.channel, c.method, c.actor) for c in checks] == [
        ("email", "date_of_birth", "user:nina")
    ]
    check = client.post(f"{base}/calls/check", data={"phone": "+33611223344"}, headers=headers)
    assert check.status_code == 200 and "verdict" in check.text
    logged = client.post(
        f"{base}/calls", data={"phone": "+33611223344", "outcome": "no_answer"}, headers=headers
    )
    assert logged.status_code == 200
    calls = db_session.scalars(select(ContactLog).where(ContactLog.channel == "call")).all()
    blocked = "call" in logged.text and 'role="alert"' in logged.text
    # The call is logged unless the call check blocked calling at this hour.
    assert (len(calls) == 1) != blocked


def test_language_switch_sets_a_cookie_and_stays_on_site(client: TestClient) -> None:
    response = client.get("/lang", params={"lang": "es", "next": "/login"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "concilia_lang=es" in response.headers["set-cookie"]
    page = client.get("/login")
    assert "Iniciar sesión" in page.text
    away = client.get(
        "/lang", params={"lang": "fr", "next": "//evil.example"}, follow_redirects=False
    )
    assert away.headers["location"] == "/"


def test_static_assets_are_served_and_confined(client: TestClient) -> None:
    htmx = client.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and htmx.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/console.css").status_code == 200
    assert client.get("/static/..%2Fi18n.py").status_code == 404
    assert client.get("/static/VENDORED.md").status_code == 404


def test_forms_work_without_javascript_with_the_token_as_a_hidden_field(
    agent_browser: Browser, console_world: ConsoleWorld, db_session: Session
) -> None:
    client, headers = agent_browser
    page = client.get(f"/console/cases/{console_world.north_case}")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match and match.group(1) == headers["X-CSRF-Token"]
    assert f'method="post" action="/console/cases/{console_world.north_case}/payments"' in page.text
    url = f"/console/cases/{console_world.north_case}/promises"
    wrong = client.post(url, data={"amount": "5", "due_on": "2026-12-01", "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert db_session.scalars(select(PromiseToPay)).all() == []
    # No HX-Request header: the whole case page comes back with the notice in its section.
    done = client.post(
        url, data={"amount": "5", "due_on": "2026-12-01", "csrf_token": match.group(1)}
    )
    assert done.status_code == 200
    assert "<html" in done.text and 'role="status"' in done.text
    assert [str(p.amount) for p in db_session.scalars(select(PromiseToPay))] == ["5.00"]
    refused = client.post(
        url, data={"amount": "-5", "due_on": "2026-12-01", "csrf_token": match.group(1)}
    )
    assert refused.status_code == 422 and 'role="alert"' in refused.text
