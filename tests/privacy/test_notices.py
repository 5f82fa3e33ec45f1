"""Art. 14: the notice is tracked per person from the first use of their social data, written
in FR/ES/EN, and outreach blocks (with the reason) a message that neither carries nor follows
it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from concilia.errors import Conflict
from concilia.outreach import service as outreach_service
from concilia.privacy import notices
from tests.privacy.world import NOW, build

BODY = "Bonjour, votre solde est de 1 030,00 EUR. Répondez STOP pour ne plus recevoir ces messages."


def _rules(db_session: Session, case_id: int, key: str, body: str = BODY) -> set[str]:
    """The rules that held the message (other rules may hold it too: FR wants a letter first)."""
    msg = outreach_service.enqueue(
        db_session=db_session, case_id=case_id, channel="email", kind="reminder", lang="fr",
        to="someone@example.org", subject="Votre dossier", body=body, actor="agent1",
        idempotency_key=key,
    )  # fmt: skip
    return {r["rule"] for r in msg.reasons}


def test_outreach_refuses_until_the_notice_is_queued(db_session: Session, tmp_path: Path) -> None:
    world = build(db_session, tmp_path)
    assert "GDPR-ART14" in _rules(db_session, world.case_id, "k-refused")
    # Paul's social data is not in use: no notice is owed, nothing is refused.
    from concilia.portfolio import service as portfolio_service

    [paul_debt] = portfolio_service.list_debts_of_debtor(
        db_session=db_session, debtor_id=world.other_debtor_id
    )
    paul_case = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=paul_debt.id)
    assert "GDPR-ART14" not in _rules(db_session, paul_case.id, "k-paul")

    [owed] = notices.sync(db_session=db_session, now=NOW)
    assert owed.debtor_id == world.debtor_id and owed.lang == "fr"
    assert owed.due_at - owed.first_use_at == timedelta(days=30)

    message_id = notices.send(db_session=db_session, debtor_id=world.debtor_id, actor="dpo")
    notice = outreach_service.get(db_session=db_session, message_id=message_id)
    assert notice.kind == "privacy_notice" and "RGPD art. 14" in notice.body
    # Here the FR rules hold it (first letter first, the open dispute): a notice that did not
    # go does not count, and the refusal stands.
    assert notice.status == "blocked"
    assert "GDPR-ART14" in _rules(db_session, world.case_id, "k-still-refused")
    # Once it went (as the outbox records a delivery), messages may follow.
    notice.status, notice.sent_at = "sent", NOW
    db_session.flush()
    assert "GDPR-ART14" not in _rules(db_session, world.case_id, "k-after")
    assert notices.sync(db_session=db_session, now=NOW) == []
    with pytest.raises(Conflict, match="went to debtor"):
        notices.send(db_session=db_session, debtor_id=world.debtor_id, actor="dpo")


def test_a_message_carrying_the_notice_may_go_first(db_session: Session, tmp_path: Path) -> None:
    world = build(db_session, tmp_path)
    text = notices.render(db_session=db_session, debtor_id=world.debtor_id, lang="fr")
    assert "GDPR-ART14" not in _rules(db_session, world.case_id, "k-with", f"{BODY}\n\n{text}")


@pytest.mark.parametrize(
    ("lang", "heading", "objection"),
    [
        ("fr", "RGPD art. 14", "DROIT D'OPPOSITION"),
        ("es", "RGPD art. 14", "DERECHO DE OPOSICIÓN"),
        ("en", "GDPR art. 14", "RIGHT TO OBJECT"),
    ],
)
def test_notice_is_written_in_three_languages(
    db_session: Session, tmp_path: Path, lang: str, heading: str, objection: str
) -> None:
    world = build(db_session, tmp_path)
    text = notices.render(db_session=db_session, debtor_id=world.debtor_id, lang=lang)
    assert heading in text.splitlines()[0]
    assert "Acme Bank" in text and "DEB-1" in text and "social-export" in text
    # The right to object stands apart, after everything else (art. 21(4)).
    assert objection in text and text.index(objection) > text.index("art. 6(1)(f)")
