"""Who looked, end to end: the console's case page, its search and its API log each read (one
row per person per view, the reader's purpose from their role); the person's export lists
them; the compliance officer's page shows them, filtered by debtor reference or user, beside
open requests (overdue in red), the register, the retention schedule's dry run and recent
erasures. Agents may not open the page; auditors may (it only reads)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.privacy import service as privacy_service
from concilia.privacy.i18n import catalog
from tests.console.conftest import sign_in
from tests.privacy.world import CREDITOR, build

TEMPLATE = Path(__file__).resolve().parents[2] / "src/concilia/privacy/templates/privacy"


def _browser(app: FastAPI, make_user: Any, username: str, role: str) -> TestClient:
    _, password = make_user(username, role, ["north"])
    browser = TestClient(app)
    sign_in(browser, username, password)
    return browser


def test_console_reads_are_logged_exported_and_shown(
    app: FastAPI, db_session: Session, make_user: Any, auth_headers: Any, tmp_path: Path
) -> None:
    world = build(db_session, tmp_path)
    db_session.commit()
    nina = _browser(app, make_user, "nina", "agent")

    assert nina.get(f"/console/cases/{world.case_id}").status_code == 200
    found = nina.post(
        "/console/cases/rows",
        data={"q": "jeanne.dupontel@example.org"},
        headers={"X-CSRF-Token": sign_in_token(nina), "HX-Request": "true"},
    )
    assert found.status_code == 200 and "Dupontel" in found.text and "Durandal" not in found.text
    # A worklist without a search names only the agent's own queue: not logged.
    assert nina.get("/console/cases").status_code == 200
    replies = nina.get("/console/replies")
    assert replies.status_code == 200 and "Jeanne Dupontel" in replies.text
    api = TestClient(app).get(
        f"/api/console/cases/{world.case_id}/replies",
        headers=auth_headers("ann", "agent", ["north"]),
    )
    assert api.status_code == 200

    db_session.expire_all()
    reads = privacy_service.list_reads(db_session=db_session, since=utcnow() - timedelta(hours=1))
    logged = sorted((r.actor, r.debtor_id, r.what, r.purpose, r.via) for r in reads)
    assert logged == [
        ("user:ann", world.debtor_id, "console API case replies", "debt_recovery", "api"),
        ("user:nina", world.debtor_id, "console case page", "debt_recovery", "page"),
        ("user:nina", world.debtor_id, "console replies", "debt_recovery", "page"),
        ("user:nina", world.debtor_id, "console search results", "debt_recovery", "page"),
    ]
    # Paul was neither opened nor found: nothing about him.
    assert world.other_debtor_id not in {r.debtor_id for r in reads}

    subject = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    exported = [
        i.data
        for i in privacy_service.collect(db_session=db_session, subject=subject)
        if i.table == "privacy_reads"
    ]
    assert {(d["by"], d["what"]) for d in exported} == {
        ("user:ann", "console API case replies"),
        ("user:nina", "console case page"),
        ("user:nina", "console replies"),
        ("user:nina", "console search results"),
    }

    officer = auth_headers("oscar", "compliance_officer")
    by_api = TestClient(app).get("/api/privacy/reads?debtor_reference=DEB-1", headers=officer)
    assert by_api.status_code == 200 and len(by_api.json()) == 4
    none = TestClient(app).get("/api/privacy/reads?debtor_reference=DEB-2", headers=officer)
    assert none.json() == []

    olga = _browser(app, make_user, "olga", "compliance_officer")
    page = olga.get("/console/privacy", params={"reference": "deb-1"})
    assert page.status_code == 200
    reads_section = page.text.split('id="reads"', 1)[1]
    assert reads_section.count("<tr>") == 1 + 4  # header and four reads
    assert "Acme Bank · DEB-1" in reads_section and "console case page" in reads_section
    # The officer's own page view read nobody's decrypted data: not logged.
    db_session.expire_all()
    after = privacy_service.list_reads(db_session=db_session, since=utcnow() - timedelta(hours=1))
    assert len(after) == 4
    only_ann = olga.get("/console/privacy", params={"user": "ann"}).text.split('id="reads"')[1]
    assert "user:ann" in only_ann and "user:nina" not in only_ann
    nobody = olga.get("/console/privacy", params={"reference": "NOPE-9"})
    assert "No debtor has the reference NOPE-9." in nobody.text


def sign_in_token(browser: TestClient) -> str:
    """The CSRF token of a signed-in browser (as the layout puts it in hx-headers)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/").text)
    assert match
    return match.group(1)


def test_requests_deadlines_dry_run_and_erasures(
    app: FastAPI, db_session: Session, make_user: Any, tmp_path: Path
) -> None:
    build(db_session, tmp_path)
    jeanne = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    paul = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-2"
    )
    late = privacy_service.open_request(
        db_session=db_session, subject=paul, kind="access", actor="user:olga",
        received_at=utcnow() - timedelta(days=40),
    )  # fmt: skip
    fresh = privacy_service.open_request(
        db_session=db_session, subject=paul, kind="erasure", actor="user:olga"
    )
    privacy_service.object_to_social(
        db_session=db_session, subject=jeanne, actor="user:olga", reason="letter of 2 Dec"
    )
    # Eve, who never read anyone before, reads 25 people today: over the alert's floor of 20.
    privacy_service.record_read(
        db_session=db_session, actor="user:eve", debtor_ids=range(1000, 1025),
        what="console case page", purpose="debt_recovery", via="page",
    )  # fmt: skip
    db_session.commit()

    olga = _browser(app, make_user, "olga", "compliance_officer")
    page = olga.get("/console/privacy")
    assert page.status_code == 200
    requests = page.text.split('id="requests-title"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(\d+)</th>(.*?)</tr>", requests, re.S)
    by_id = {int(i): body for i, body in rows}
    assert set(by_id) == {late.id, fresh.id}  # the objection is done, not open
    assert 'class="error"' in by_id[late.id] and "overdue by 10 days" in by_id[late.id]
    assert 'class="error"' not in by_id[fresh.id] and "30 days left" in by_id[fresh.id]
    erasures = page.text.split('id="erasures-title"', 1)[1].split("</section>", 1)[0]
    assert "objection" in erasures and "Acme Bank · DEB-1" in erasures
    assert "debt_recovery" in page.text  # the register's purposes
    alert = page.text.split('id="reads"', 1)[1].split('role="alert"', 1)[1].split("</div>")[0]
    assert "user:eve read 25 people (usual 0.0 a day, threshold 20.0)" in alert
    assert "Next purge would" not in page.text  # the dry run only when asked

    dry = olga.get("/console/privacy", params={"dry_run": "1"})
    retention = dry.text.split('id="retention"', 1)[1].split("</section>", 1)[0]
    assert "Next purge would" in retention and "nothing was changed" in retention
    assert "outreach_outbox: <strong>" in retention

    register = olga.get("/console/privacy/register.html")
    assert register.status_code == 200
    assert "attachment" in register.headers["content-disposition"]
    assert "Record of processing activities" in register.text


def test_roles_and_languages(app: FastAPI, make_user: Any) -> None:
    agent = _browser(app, make_user, "nina", "agent")
    refused = agent.get("/console/privacy")
    assert refused.status_code == 403
    assert "compliance officers" in refused.text
    assert agent.get("/console/privacy/register.html").status_code == 403
    assert TestClient(app).get("/console/privacy", follow_redirects=False).status_code == 303

    auditor = _browser(app, make_user, "audrey", "auditor")
    french = auditor.get("/console/privacy", headers={"Accept-Language": "fr-FR"})
    assert french.status_code == 200
    assert "Qui a consulté" in french.text and "Demandes en cours" in french.text
    spanish = auditor.get("/console/privacy", headers={"Accept-Language": "es"})
    assert "Quién consultó" in spanish.text


def test_every_word_of_the_page_is_translated() -> None:
    text = (TEMPLATE / "officer.html").read_text(encoding="utf-8")
    literal = set(re.findall(r't\("([^"]+)"', text)) | set(re.findall(r"t\('([^']+)'", text))
    # Words shown from data (kinds, purposes, channels, schedule lines).
    from concilia.privacy.models import REQUEST_KINDS
    from concilia.privacy.retention import SCHEDULE

    data = {*REQUEST_KINDS, *(r.kind for r in SCHEDULE), "debt_recovery", "oversight"}
    data |= {"data_subject_request", "page", "api", "command"}
    for lang in ("fr", "es"):
        missing = sorted((literal | data) - set(catalog(lang)))
        assert missing == [], f"untranslated in {lang}: {missing}"
