"""The out-of-hours assistant: FAQ answers only, figures from the ledger, a hand-off that
lands in the agents' inbox, and the agents' chat pages.

Retrieval is tested with a small bag-of-words encoder standing in for the embedding model
(fast, deterministic); one slow test runs the real multilingual model."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from concilia.db import utcnow
from concilia.portal import assistant, chat_router
from concilia.portal.models import ChatHandoff, ChatMessage
from concilia.portal.settings import get_portal_settings
from concilia.privacy import service as privacy_service
from tests.portal.conftest import Sink, sign_in
from tests.portal.test_chat import Chat, _agent_url, _url, chat  # noqa: F401 (fixture)

SATURDAY_NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


class Words:
    """Bag of words over the FAQ's vocabulary (learnt on the first call, the index's):
    identical wordings score 1, a question with no FAQ word scores 0."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}

    def __call__(self, texts: Sequence[str]) -> Any:
        learning = not self.vocabulary
        tokens = [re.findall(r"\w+", text.lower()) for text in texts]
        if learning:
            for word in sorted({w for ws in tokens for w in ws}):
                self.vocabulary[word] = len(self.vocabulary) + 1
        out = np.zeros((len(texts), len(self.vocabulary) + 1), dtype=np.float32)
        for row, ws in enumerate(tokens):
            for word in ws:
                out[row, self.vocabulary.get(word, 0)] += 1.0  # 0: a word the FAQ never uses
        return out


@pytest.fixture
def index(monkeypatch: pytest.MonkeyPatch) -> assistant.Index:
    built = assistant.Index(assistant.load_faq(), Words())
    monkeypatch.setattr(assistant, "get_index", lambda: built)
    return built


def facts(lang: str) -> dict[str, str]:
    return {"balance": f"1080 ({lang})", "creditor": "Banque Exemple", "paid": "0",
            "next_due": "", "next_amount": "", "hours_from": "8", "hours_to": "19"}  # fmt: skip


def test_the_faq_has_every_entry_in_three_languages() -> None:
    entries = assistant.load_faq()
    assert len(entries) >= 12
    for e in entries:
        assert set(e.questions) == set(e.answer) == {"fr", "es", "en"}


def test_a_malformed_faq_is_refused_naming_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "faq.yaml"
    bad.write_text("- id: balance\n  questions: {fr: [a], en: [b]}\n  answer: {fr: x}\n")
    with pytest.raises(assistant.FaqError, match=r"entry #1 \(balance\): questions"):
        assistant.load_faq(bad)


def test_answers_come_from_the_faq_with_ledger_figures(index: assistant.Index) -> None:
    fr = assistant.reply(question="Quel est mon solde restant ?", lang="en", facts=facts)
    assert fr.intent == "balance" and fr.lang == "fr"
    assert fr.text == index.entries["balance"].answer["fr"].format(**facts("fr"))
    assert "1080 (fr)" in fr.text
    es = assistant.reply(question="¿Quién es mi acreedor?", lang="fr", facts=facts)
    assert es.intent == "creditor" and "Banque Exemple" in es.text and es.lang == "es"


def test_a_missing_figure_uses_the_entrys_other_text(index: assistant.Index) -> None:
    got = assistant.reply(question="When is my next instalment due?", lang="en", facts=facts)
    assert got.intent == "next_instalment"
    assert got.text == index.entries["next_instalment"].missing["en"]  # type: ignore[index]


def test_an_unrelated_question_gets_no_made_up_answer(index: assistant.Index) -> None:
    got = assistant.reply(question="zzz qqq", lang="es", facts=facts)
    assert got.intent is None and got.text == assistant.UNSURE["es"]


def test_the_labelled_questions_have_a_blind_part_and_known_intents() -> None:
    rows = assistant.labelled_questions()
    known = {e.id for e in assistant.load_faq()} | {"none"}
    assert {r.part for r in rows} == {"tune", "blind"}
    assert {r.intent for r in rows} <= known and {r.lang for r in rows} == {"fr", "es", "en"}
    blind = [r for r in rows if r.part == "blind"]
    assert len(blind) >= 60
    faq_wordings = {q for e in assistant.load_faq() for qs in e.questions.values() for q in qs}
    assert not faq_wordings & {r.question for r in rows}  # no question is an FAQ wording


@pytest.mark.slow
def test_the_real_model_finds_paraphrases() -> None:
    found = assistant.get_index().match("how much money do I still owe you")
    assert found.intent == "balance"


def test_assistant_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    from concilia.portal import chat as portal_chat

    assert portal_chat.assistant_due(SATURDAY_NIGHT)
    assert not portal_chat.assistant_due(TUESDAY_MORNING)
    monkeypatch.setenv("CONCILIA_PORTAL_ASSISTANT", "always")
    get_portal_settings.cache_clear()
    assert portal_chat.assistant_due(TUESDAY_MORNING)


def test_out_of_hours_the_assistant_answers_and_hands_off_to_the_agents_inbox(
    chat: Chat,  # noqa: F811
    smtp: Sink,
    index: assistant.Index,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(chat_router, "clock", lambda: SATURDAY_NIGHT)
    sign_in(chat.client, chat.world.marie, smtp)
    case_id = chat.world.marie.case_id
    with chat.client.websocket_connect(_url(case_id)) as debtor:
        debtor.send_json({"text": "Quel est mon solde restant ?"})
        assert debtor.receive_json()["sender"] == "debtor"
        answer = debtor.receive_json()
        assert answer["sender"] == "assistant" and answer["handoff_offer"] is True
        # The figure is the ledger's (1,000 + 50 + 30 EUR), written the French way.
        assert "1 080,00" in answer["text"].replace("\u202f", " ").replace("\xa0", " ")
        debtor.send_json({"handoff": True})
        done = debtor.receive_json()
        assert done["sender"] == "assistant" and done["handoff_offer"] is False
    with chat.factory() as db_session:
        [handoff] = db_session.scalars(select(ChatHandoff)).all()
        assert handoff.status == "open" and handoff.case_id == case_id
    # The agents' inbox lists it first; an agent of another team does not see it.
    staff = _signed_in_staff(chat, "agent1", ["default"])
    inbox = staff.get("/console/chat")
    assert inbox.status_code == 200 and f"/console/chat/{case_id}" in inbox.text
    assert "Asks for an adviser" in inbox.text
    conv = staff.get(f"/console/chat/{case_id}")
    assert conv.status_code == 200 and f"/api/portal/cases/{case_id}/chat/ws" in conv.text
    with chat.factory() as db_session:
        logged = privacy_service.list_reads(
            db_session=db_session, since=utcnow() - timedelta(hours=1)
        )
        assert [(r.actor, r.what, r.via) for r in logged] == [("user:agent1", "chat", "page")]
    outsider = _signed_in_staff(chat, "outsider", ["south"])
    assert f"/console/chat/{case_id}" not in outsider.get("/console/chat").text
    assert outsider.get(f"/console/chat/{case_id}").status_code == 404
    # An agent's delivered reply takes the hand-off.
    monkeypatch.setattr(chat_router, "clock", lambda: TUESDAY_MORNING)
    chat.client.app.state.chat_tone = lambda text, lang: []  # type: ignore[attr-defined]
    headers = chat.headers("agent2", ["default"])
    with staff.websocket_connect(_agent_url(case_id, after=10**6), headers=headers) as ws:
        ws.send_json({"text": "Bonjour Marie, je suis là."})
        assert ws.receive_json()["sender"] == "agent"
    with chat.factory() as db_session:
        assert db_session.scalars(select(ChatHandoff.status)).all() == ["taken"]
        senders = db_session.scalars(select(ChatMessage.sender).order_by(ChatMessage.id)).all()
        assert senders == ["debtor", "assistant", "assistant", "agent"]


def _signed_in_staff(chat: Chat, username: str, teams: list[str]) -> TestClient:  # noqa: F811
    """A browser with a staff session cookie for a new agent of these teams."""
    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role
    from concilia.config import get_settings

    with chat.factory() as db_session:
        user, _ = auth_service.create_user(
            db_session=db_session, username=username, role=Role.agent, actor="test",
            password=f"pw-{username}-correct-horse", teams=teams,
        )  # fmt: skip
        _, clear = auth_service.create_web_session(db_session=db_session, user=user)
        db_session.commit()
    browser = TestClient(chat.client.app)
    browser.cookies.set(get_settings().session_cookie_name, clear)
    return browser


def test_console_chat_pages_need_a_staff_session(chat: Chat) -> None:  # noqa: F811
    anonymous = TestClient(chat.client.app)
    assert anonymous.get("/console/chat", follow_redirects=False).status_code == 303
    assert anonymous.get("/console/chat/1", follow_redirects=False).status_code == 303
