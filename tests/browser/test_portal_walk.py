"""The debtor's walks in a real browser (Debian's chromium through Playwright), axe-core on
every page (no serious or critical violation), a phone-sized screen.

1. The link from an e-mail (queued and sent by outreach's outbox, which stamps its /verify
   code) in a local SMTP server → knowledge check → one-time code (read
   from the same server) → the balance → a plan → pays with the fake provider → the
   receipt; then /verify confirms the e-mail's code.
2. A "not my debt" dispute stops collection (outreach's rules block a call).
3. Chat in two browser contexts: the debtor on a phone, the agent in the console's chat
   page; the agent's threat is blocked (the agent is told why) and never shows in the
   debtor's page, the polite reply does.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.support import MARKS, axe_check, free_port, serving
from tests.conftest import drop_test_engine, make_test_engine

CSV = (
    b"account_reference,debtor_reference,given_names,family_names,date_of_birth,address_line,"
    b"postal_code,city,country,emails,phones,jurisdiction,time_zone,preferred_language,"
    b"principal,interest,fees,currency,charge_off_date\n"
    b"ACC-7781,D-1,Marie,Martin,1980-05-17,3 rue Exemple,69003,Lyon,FR,marie@example.org,"
    b"+33611223344,FR,Europe/Paris,fr,1000.00,50.00,30.00,EUR,2025-01-15\n"
)

TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

pytest.importorskip("playwright.sync_api")
pytestmark = MARKS


class _Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def body(self, index: int = -1) -> str:
        payload = self.messages[index].get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()


@dataclass
class Server:
    url: str
    factory: sessionmaker[Session]
    case_id: int
    sink: _Sink
    smtp_port: int
    token: str


def _seed(factory: sessionmaker[Session]) -> tuple[int, str]:
    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role
    from concilia.portfolio import service as portfolio_service

    with factory() as s:
        portfolio_service.import_portfolio(
            db_session=s, data=CSV, file="walk.csv", creditor_name="Banque Exemple",
            team_name="walk", actor="test",
        )  # fmt: skip
        [debtor] = portfolio_service.find_debtors_by_contact(
            db_session=s, kind="email", value="marie@example.org"
        )
        [debt] = portfolio_service.list_debts_of_debtor(db_session=s, debtor_id=debtor.id)
        case = portfolio_service.get_case_for_debt(db_session=s, debt_id=debt.id)
        user, _ = auth_service.create_user(
            db_session=s, username="agent", role=Role.agent, password="walk-correct-horse",
            teams=["walk"], actor="test",
        )  # fmt: skip
        _, token = auth_service.create_token(db_session=s, user_id=user.id, name="walk")
        s.commit()
        return int(case.id), token


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from aiosmtpd.controller import Controller

    from concilia.app import create_app
    from concilia.outreach.check import default_tone_checker
    from concilia.portal.settings import get_portal_settings

    sink = _Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = free_port()
    env = {
        "CONCILIA_OUTREACH_SMTP_HOST": "127.0.0.1",
        "CONCILIA_OUTREACH_SMTP_PORT": str(smtp_port),
        "CONCILIA_OUTREACH_SMTP_SENDER": "portal@agency.example",
        "CONCILIA_PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_portal_settings.cache_clear()
    engine, schema = make_test_engine("sqlite", tmp_path_factory.mktemp("portal-walk"))
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    case_id, token = _seed(factory)
    tone = default_tone_checker()  # loads its model now, not during the walk
    if tone is not None:
        tone("Bonjour.", "fr")
    with serving(create_app(session_factory=factory), port) as url:
        yield Server(url, factory, case_id, sink, smtp_port, token)
    controller.stop()
    drop_test_engine(engine, schema)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_portal_settings.cache_clear()


def _phone(browser: Any) -> Any:
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    return context


def _email_with_link(server: Server) -> tuple[str, str]:
    """An e-mail from the agency (outreach's identity_request template, carrying the portal
    link) queued and sent by outreach's outbox to the local SMTP server; outreach stamps
    its /verify code. Returns (link, code), both read from the e-mail as received."""
    from concilia.outreach import outbox
    from concilia.outreach import service as outreach_service
    from concilia.outreach.channels.email import SmtpChannel
    from concilia.outreach.compose import Agency, TemplateContext, render
    from concilia.portal import service as portal_service

    key = f"walk/{server.case_id}/identity_request/{len(server.sink.messages)}"
    with server.factory() as s:
        link = portal_service.link_for(case_id=server.case_id, now=datetime.now(UTC))
        agency = Agency(name="Agence Exemple", short_name="Agence Exemple",
                        address="1 place Exemple, 69001 Lyon", phone="+33400000000",
                        portal_url=link)  # fmt: skip
        ctx = TemplateContext(jurisdiction="FR", agency=agency, debtor_name="Marie Martin",
                              agent_name="Paul Durand")  # fmt: skip
        mail = render("identity_request", "fr", channel="email", ctx=ctx)
        msg = outreach_service.enqueue(
            db_session=s, case_id=server.case_id, channel="email", kind="identity_request",
            lang="fr", to="marie@example.org", subject=mail.subject, body=mail.body,
            actor="walk", idempotency_key=key, address_source="consumer_used",
        )  # fmt: skip
        channel = SmtpChannel(host="127.0.0.1", port=server.smtp_port, sender="a@agency.example")
        # Sent as of a weekday morning: inside every pack's hours, whenever the walk runs.
        report = outbox.run_due(db_session=s, channels={"email": channel}, now=TUESDAY_MORNING)
        assert msg.id in report.sent, (report, msg.reasons)
        s.commit()
    received = server.sink.body()
    found = re.search(r"(http://127\.0\.0\.1:\d+/portal/l/[a-z2-7]+)", received)
    code = re.search(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b", received)
    assert found and code, received
    assert "/verify" in received
    return found.group(1), code.group(1)


def _sign_in(page: Any, server: Server, link: str) -> None:
    page.goto(link)
    assert page.url.endswith("/portal/check")
    axe_check(page, "portal-01-check")
    page.get_by_role("textbox", name=re.compile("^Date de naissance")).fill("17/05/1980")
    page.get_by_role("textbox", name="Code postal").fill("69003")
    before = len(server.sink.messages)
    page.get_by_role("button", name="Continuer").click()
    axe_check(page, "portal-02-code")
    page.get_by_label(re.compile("Par e-mail")).check()
    page.get_by_role("button", name="Envoyer le code").click()
    deadline = time.monotonic() + 10
    while len(server.sink.messages) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    code = re.search(r"\b(\d{6})\b", server.sink.body())
    assert code
    page.get_by_label("Code reçu").fill(code.group(1))
    page.get_by_role("button", name="Valider").click()
    assert page.url.endswith("/portal/home")


def test_link_verify_balance_plan_pay_receipt(server: Server, browser: Any) -> None:
    link, code = _email_with_link(server)
    context = _phone(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, server, link)
    axe_check(page, "portal-03-home")
    page.get_by_role("link", name=re.compile("Voir")).first.click()
    axe_check(page, "portal-04-case")
    assert "1 080,00" in page.inner_text("main").replace("\u202f", " ").replace("\xa0", " ")
    page.get_by_role("link", name="Convenir d'un échéancier").click()
    axe_check(page, "portal-05-plan")
    page.get_by_role("radio", name=re.compile("6 mensualités")).check()
    page.get_by_role("button", name="Accepter cet échéancier").click()
    assert "Échéancier convenu" in page.inner_text("main")
    page.get_by_role("link", name="Payer").click()
    axe_check(page, "portal-06-pay")
    page.get_by_label(re.compile("Montant à payer")).fill("180,00")
    page.get_by_role("button", name="Continuer vers le paiement").click()
    axe_check(page, "portal-07-provider")
    page.get_by_role("button", name=re.compile("^Payer")).click()
    axe_check(page, "portal-08-paid")
    assert "paiement de 180,00" in page.inner_text("main").replace("\u202f", " ").replace(
        "\xa0", " "
    )
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("reçu")).click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    verify = context.new_page()
    verify.goto(server.url + "/verify")
    verify.get_by_label("Code de vérification").fill(code)
    verify.get_by_role("button", name="Vérifier").click()
    assert "nous avons envoyé ce message" in verify.inner_text("main")
    axe_check(verify, "portal-09-verify")
    assert errors == []
    context.close()


def _fresh_link(server: Server) -> str:
    """Another link to the case (the e-mail walk is the first test's; outreach's frequency
    rules would rightly hold a second e-mail the same day)."""
    from concilia.portal import service as portal_service

    return portal_service.link_for(case_id=server.case_id, now=datetime.now(UTC))


def test_chat_blocked_agent_message_never_arrives(server: Server, browser: Any) -> None:
    """Two browser contexts: the debtor on a phone, the agent in the console's chat page."""
    from concilia.portal import chat_router

    # Inside every pack's hours, whatever the time the walk runs (no assistant either).
    chat_router.clock = lambda: TUESDAY_MORNING
    debtor_context = _phone(browser)
    page = debtor_context.new_page()
    _sign_in(page, server, _fresh_link(server))
    page.goto(f"{server.url}/portal/cases/{server.case_id}/chat")
    axe_check(page, "portal-11-chat")
    page.get_by_label("Votre message").fill("Bonjour, puis-je payer en plusieurs fois ?")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_selector("li.chat-debtor")

    agent_context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    agent = agent_context.new_page()
    errors: list[str] = []
    agent.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    agent.goto(f"{server.url}/login")
    agent.get_by_label("Identifiant").fill("agent")
    agent.get_by_label("Mot de passe").fill("walk-correct-horse")
    agent.get_by_role("button", name="Se connecter").click()
    agent.goto(f"{server.url}/console/chat")
    axe_check(agent, "portal-12-agent-inbox")
    agent.get_by_role("link", name=f"Dossier {server.case_id}").click()
    agent.wait_for_selector("#agent-chat-log li.chat-debtor")
    axe_check(agent, "portal-13-agent-chat")
    threat = "Payez maintenant ou nous préviendrons votre employeur et vos voisins de votre dette."
    polite = "Bonjour Marie, oui, nous pouvons en parler ensemble."
    agent.get_by_label("Votre réponse").fill(threat)
    agent.get_by_role("button", name="Envoyer").click()
    # The agent is told why; the message is marked blocked in the agent's log only.
    alert = agent.get_by_role("alert")
    alert.wait_for()
    assert "Bloqué" in alert.inner_text()
    agent.wait_for_selector("#agent-chat-log li.chat-blocked")
    agent.get_by_label("Votre réponse").fill(polite)
    agent.get_by_role("button", name="Envoyer").click()
    page.wait_for_selector("li.chat-agent")
    text = page.inner_text("#chat-log")
    assert polite in text and "employeur" not in text
    # After a reload (a reconnect from nothing), the debtor's history still lacks it.
    page.reload()
    page.wait_for_selector("li.chat-agent")
    assert "employeur" not in page.inner_text("#chat-log")
    assert errors == []
    agent_context.close()
    debtor_context.close()


def test_not_my_debt_dispute_stops_collection(server: Server, browser: Any) -> None:
    from concilia.outreach import service as outreach_service
    from concilia.portfolio import service as portfolio_service

    link = _fresh_link(server)
    context = _phone(browser)
    page = context.new_page()
    _sign_in(page, server, link)
    page.goto(f"{server.url}/portal/cases/{server.case_id}/dispute")
    axe_check(page, "portal-10-dispute")
    page.get_by_label("Ce n'est pas ma dette").check()
    page.get_by_label("Expliquez (facultatif)").fill("Je n'ai jamais eu de compte chez eux.")
    page.get_by_role("button", name="Envoyer la contestation").click()
    assert "le recouvrement est suspendu" in page.inner_text("main")
    with server.factory() as s:
        case = portfolio_service.get_case(db_session=s, case_id=server.case_id)
        assert case.disputed
        decision = outreach_service.check_call(
            db_session=s, case_id=server.case_id, phone="+33611223344",
            at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        )  # fmt: skip
        assert decision.verdict == "block"
    context.close()
