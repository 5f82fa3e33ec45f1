"""The agent's walk in a real browser (Debian's chromium through Playwright), with axe-core.

Sign in → worklist (keyboard) → case → read a candidate's explanation and accept it →
compose a French message that breaks a rule → see the block reason → fix it (verify the
identity, take the threat out) → queue → the outbox delivers to a local SMTP sink → the
debtor's answer comes back and shows in the inbox and on the timeline. Every page is
checked by axe-core (vendored, injected from file): no serious or critical violation.
Screenshots are kept in tests/browser/artifacts/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.support import ARTIFACTS, MARKS, axe_check, free_port, serving
from tests.certification.support import certify
from tests.conftest import drop_test_engine, make_test_engine
from tests.portfolio.conftest import csv_of, row

PASSWORD = "walk-correct-horse-battery"

pytest.importorskip("playwright.sync_api")
pytestmark = MARKS


@dataclass
class Server:
    url: str
    factory: sessionmaker[Session]
    case_id: int
    candidate_id: int


def _seed(factory: sessionmaker[Session]) -> tuple[int, int]:
    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role
    from concilia.db import utcnow
    from concilia.portfolio import service as portfolio_service
    from concilia.portfolio.models import Case, Debt
    from concilia.tracing.models import MatchCandidate, TraceRun

    with factory() as s:
        portfolio_service.import_portfolio(
            db_session=s,
            data=csv_of(
                row(),
                row(
                    account_reference="ACC-2",
                    debtor_reference="DEB-2",
                    given_names="Camille",
                    family_names="Martin",
                    national_id="",
                    phones="06 55 44 33 22",
                    emails="camille.martin@example.org",
                    principal="400.00",
                ),
            ),
            file="walk.csv",
            creditor_name="Walk Bank",
            team_name="walk",
            actor="test",
        )
        auth_service.create_user(
            db_session=s,
            username="supervisor",
            role=Role.supervisor,
            password=PASSWORD,
            teams=["walk"],
            actor="test",
        )
        auth_service.create_user(
            db_session=s,
            username="agent",
            role=Role.agent,
            password=PASSWORD,
            teams=["walk"],
            actor="test",
        )
        certify(s, "agent")  # accepting social evidence needs certified staff
        debt = s.scalar(select(Debt).where(Debt.account_reference == "ACC-1"))
        assert debt is not None
        case = s.scalar(select(Case).where(Case.debt_id == debt.id))
        assert case is not None
        run = TraceRun(
            portfolio="Walk Bank", engine="duckdb", inputs_fingerprint="x", chunk_size=1,
            chunk_count=1, started_by="test", started_at=utcnow(),
        )  # fmt: skip
        s.add(run)
        s.flush()
        lines = [
            {"field": "prior", "text": "before any comparison (1 chance in 2,000)", "weight": -11},
            {"field": "given_name", "text": "given name Jean-Pierre exact: ×120", "weight": 6.9},
            {"field": "family_name", "text": "surname de La Fontaine exact: ×300", "weight": 8.2},
            {"field": "city", "text": "city Lyon the same: ×9", "weight": 3.2},
            {"field": "birthday", "text": "birthday missing on the profile: ×1.0", "weight": 0.0},
        ]
        cand = MatchCandidate(
            portfolio="Walk Bank", debtor_key=str(debt.debtor_id), profile_key="ext-42",
            network="social", run_id=run.id, match_weight=7.3, final_weight=7.3,
            probability=0.994, explanation_data=lines,
            profile_snapshot={"city": "Lyon", "source": "walk", "url": "https://social.example/jp"},
            status="proposed", debtor_fingerprint="d", profile_fingerprint="p",
            created_at=utcnow(), updated_at=utcnow(),
        )  # fmt: skip
        s.add(cand)
        s.commit()
        return case.id, cand.id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from concilia.app import create_app

    engine, schema = make_test_engine("sqlite", tmp_path_factory.mktemp("walk"))
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    case_id, candidate_id = _seed(factory)
    # The tone checker loads its lexicons and model on first use (seconds): not in the walk.
    from concilia.outreach.check import default_tone_checker

    tone = default_tone_checker()
    if tone is not None:
        tone("Bonjour.", "fr")
    with serving(create_app(session_factory=factory), free_port()) as url:
        yield Server(url, factory, case_id, candidate_id)
    drop_test_engine(engine, schema)


def _office_hours_utc() -> datetime:
    local = datetime.now(ZoneInfo("Europe/Paris")).replace(
        hour=10, minute=0, second=0, microsecond=0
    ) + timedelta(days=1)
    while local.weekday() >= 5:
        local += timedelta(days=1)
    return local.astimezone(ZoneInfo("UTC"))


def test_agent_walk(server: Server, browser: Any, tmp_path: Path) -> None:
    from concilia.console.demo import MailSink, SinkReplies, answer_as_debtors
    from concilia.console.mailbox import AGENCY_ADDRESS
    from concilia.outreach.channels.email import SmtpChannel
    from concilia.outreach.outbox import ingest_replies, run_due

    errors: list[str] = []
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # Sign in.
    page.goto(f"{server.url}/login")
    axe_check(page, "01-login")
    page.get_by_label("Identifiant").fill("agent")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{server.url}/console/cases")
    assert page.get_by_role("heading", name="Liste de travail", level=1).is_visible()
    axe_check(page, "02-worklist")

    # Keyboard: the biggest balance first; j moves, Enter opens.
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/cases/{server.case_id}")
    assert page.get_by_text("Jean-Pierre").first.is_visible()
    assert page.locator("svg.waterfall").count() == 1
    axe_check(page, "03-case")

    # Read the explanation in words, accept with a reason.
    page.get_by_text("Explication en mots").click()
    assert page.get_by_role("listitem").filter(has_text="surname de La Fontaine exact").is_visible()
    page.get_by_label("Motif de votre décision").fill("Nom, prénom et ville concordent")
    page.get_by_role("button", name="Accepter").click()
    page.get_by_text("Décision enregistrée.").wait_for()
    assert page.locator("#timeline").get_by_text("tracing · accepted").count() == 1

    # Compose a French message that threatens: the verdict blocks while typing.
    page.get_by_label("Canal").first.select_option("email")
    page.locator("#compose-body").press_sequentially(
        "Payez votre dette immédiatement ou vous irez en prison.", delay=5
    )
    verdict = page.locator("#verdict .verdict")
    verdict.wait_for(timeout=20_000)
    page.wait_for_function(
        "() => document.querySelector('#verdict .verdict.block') !== null", timeout=10_000
    )
    blocked_text = verdict.inner_text()
    assert "Bloqué" in blocked_text
    axe_check(page, "04-blocked")

    # Fix it: verify the identity on this address, and say it without a threat.
    page.locator("#id-address").select_option("jp.delafontaine@example.org")
    page.get_by_role("button", name="Enregistrer la vérification").click()
    page.get_by_text("Vérification d'identité enregistrée.").wait_for()
    body = page.locator("#compose-body")
    body.fill("")
    body.press_sequentially(
        "Bonjour, vous pouvez consulter votre dossier et proposer un échéancier sur notre "
        "portail, à votre rythme. Pour ne plus recevoir nos courriels, répondez STOP. "
        "Cordialement.",
        delay=2,
    )
    page.wait_for_timeout(1200)
    fixed = page.locator("#verdict").inner_text()
    assert "prison" not in fixed
    identity_rules = [line for line in fixed.splitlines() if "identit" in line.lower()]
    assert identity_rules == [], fixed
    page.get_by_label("Objet").fill("Votre dossier")
    page.get_by_role("button", name="Mettre le message en file").click()
    page.get_by_text("Message mis en file").wait_for()
    axe_check(page, "05-queued")

    # The outbox delivers to a local SMTP sink (at office hours), the debtor answers.
    sink = MailSink(tmp_path / "mail").start()
    try:
        channel = SmtpChannel(host="127.0.0.1", port=sink.port, sender=AGENCY_ADDRESS)
        with server.factory() as s:
            run_due(db_session=s, channels={"email": channel}, now=_office_hours_utc())
            s.commit()
        delivered = [m for m in sink.messages() if str(m["From"]) == AGENCY_ADDRESS]
        assert len(delivered) == 1 and "portail" in delivered[0].get_content()
        assert answer_as_debtors(sink) == 1
        with server.factory() as s:
            stored = ingest_replies(
                db_session=s, channel=SinkReplies(sink), since=None, now=_office_hours_utc()
            )
            s.commit()
        assert len(stored) == 1
    finally:
        sink.stop()

    page.goto(f"{server.url}/console/replies")
    assert page.get_by_text("je vous propose un échéancier").is_visible()
    axe_check(page, "06-replies")
    page.get_by_role("link", name=f"Dossier {server.case_id}").click()
    timeline = page.locator("#timeline")
    assert timeline.get_by_text("je vous propose un échéancier").is_visible()
    assert errors == [], errors
    context.close()


def test_supervisor_walk(server: Server, browser: Any) -> None:
    """The supervisor signs in (English browser), opens the team page, reads its charts."""
    errors: list[str] = []
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.url}/login")
    page.get_by_label("Username").fill("supervisor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server.url}/console/cases")
    page.get_by_role("link", name="Team").click()
    page.wait_for_url("**/console/team")
    assert page.get_by_role("heading", name="Team", level=1).is_visible()
    assert page.get_by_text("Right-party contact rate").is_visible()
    axe_check(page, "07-team")
    # Every other staff page the navigation offers answers and passes axe-core.
    for number, path in enumerate(
        [
            "/console/training",
            "/console/reputation",
            "/console/reputation/replies",
            "/console/chat",
            "/console/mail",
            "/console/profile",
        ],
        start=8,
    ):
        response = page.goto(f"{server.url}{path}")
        assert response is not None and response.status == 200, path
        assert page.locator("main h1").first.is_visible(), path
        axe_check(page, f"{number:02d}-{path.strip('/').replace('/', '-')}")
    assert errors == [], errors
    context.close()


def teardown_module() -> None:
    # Artifacts stay for people and CI to look at; nothing else to clean.
    shutil.rmtree(ARTIFACTS / "tmp", ignore_errors=True)
