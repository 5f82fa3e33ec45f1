"""Portal fixtures: two debtors with one case each, a local SMTP server wired as outreach's
e-mail channel, and a browser-like client that walks the door."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia.portal.settings import get_portal_settings
from concilia.portfolio import service as portfolio_service

CSV = (
    b"account_reference,debtor_reference,given_names,family_names,date_of_birth,address_line,"
    b"postal_code,city,country,emails,phones,jurisdiction,time_zone,preferred_language,"
    b"principal,interest,fees,currency,charge_off_date\n"
    b"ACC-7781,D-1,Marie,Martin,1980-05-17,3 rue Exemple,69003,Lyon,FR,marie@example.org,"
    b"+33611223344,FR,Europe/Paris,fr,1000.00,50.00,30.00,EUR,2025-01-15\n"
    b"US-5550,D-2,Jane,Roe,1975-02-01,1 Main St,10001,New York,US,jane@example.org,"
    b"+12125550100,US,America/New_York,en,600.00,0.00,0.00,USD,2025-03-01\n"
)
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
CODE_RE = re.compile(r"\b(\d{6})\b")


@dataclass
class Person:
    case_id: int
    debtor_id: int
    reference: str
    dob: str
    postal_code: str
    email: str


@dataclass
class World:
    marie: Person
    jane: Person


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture(autouse=True)
def _portal_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts from the default limits (some tests lower them)."""
    get_portal_settings.cache_clear()
    yield
    get_portal_settings.cache_clear()


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    """A local SMTP server, configured as outreach's e-mail channel through its settings."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_PORT", str(port))
    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_SENDER", "portal@agency.example")
    try:
        yield sink
    finally:
        controller.stop()


def _person(db_session: Session, email: str, dob: str, postal: str) -> Person:
    [debtor] = portfolio_service.find_debtors_by_contact(
        db_session=db_session, kind="email", value=email
    )
    [debt] = portfolio_service.list_debts_of_debtor(db_session=db_session, debtor_id=debtor.id)
    case = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id)
    return Person(case.id, debtor.id, debt.account_reference, dob, postal, email)


@pytest.fixture
def world(db_session: Session) -> World:
    portfolio_service.import_portfolio(
        db_session=db_session, data=CSV, file="p.csv", creditor_name="Banque Exemple",
        actor="test",
    )  # fmt: skip
    db_session.commit()
    return World(
        marie=_person(db_session, "marie@example.org", "17/05/1980", "69003"),
        jane=_person(db_session, "jane@example.org", "01/02/1975", "10001"),
    )


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def last_code(sink: Sink) -> str:
    body = sink.messages[-1].get_payload(decode=True)
    assert isinstance(body, bytes)
    found = CODE_RE.search(body.decode())
    assert found, body
    return found.group(1)


def start_typed(client: TestClient, reference: str) -> Any:
    page = client.get("/portal")
    return client.post(
        "/portal/start",
        data={"reference": reference, "csrf": csrf_of(page.text)},
        follow_redirects=True,
    )


def answer(client: TestClient, page_html: str, **fields: str) -> Any:
    data = {"csrf": csrf_of(page_html), "method": "dob", **fields}
    return client.post("/portal/check", data=data, follow_redirects=True)


def sign_in(client: TestClient, person: Person, sink: Sink) -> None:
    """The whole door for one person: typed reference, knowledge, code by e-mail."""
    page = start_typed(client, person.reference)
    page = answer(client, page.text, dob=person.dob, postal_code=person.postal_code)
    assert page.status_code == 200, page.text
    sent = client.post(
        "/portal/code/send",
        data={"csrf": csrf_of(page.text), "contact": email_contact(page.text)},
    )
    assert sent.status_code == 200, sent.text
    done = client.post(
        "/portal/code/verify",
        data={"csrf": csrf_of(sent.text), "code": last_code(sink)},
        follow_redirects=True,
    )
    assert done.status_code == 200, done.text
    assert done.url.path == "/portal/home"


def email_contact(html: str) -> str:
    """The id of the e-mail contact point offered on the code page."""
    found = re.search(r'name="contact" value="(\d+)"[^>]*>\s*By e-mail', html)
    assert found, html
    return found.group(1)


def session_csrf(client: TestClient) -> str:
    return csrf_of(client.get("/portal/home").text)
