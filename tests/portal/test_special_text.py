"""Text the debtor types (chat, dispute statements) that reveals a special category (art. 9
GDPR) is not kept: it is redacted and the case is flagged as possibly vulnerable."""

from __future__ import annotations

from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.portal import chat
from concilia.portal import service as portal_service
from concilia.portfolio import service as portfolio_service
from concilia.signals import service as signals_service
from tests.portal.conftest import World

HEALTH_FR = "Je suis en chimiothérapie pour un cancer, je ne peux plus travailler."


def test_a_chat_message_revealing_health_is_redacted_and_the_case_flagged(
    db_session: Session, world: World
) -> None:
    marie = world.marie
    plain = chat.post_from_debtor(
        db_session=db_session, case_id=marie.case_id, debtor_actor="debtor:x",
        text="Puis-je payer en trois fois ?", at=utcnow(),
    )  # fmt: skip
    assert not portfolio_service.get_case(
        db_session=db_session, case_id=marie.case_id
    ).vulnerability_possible
    special = chat.post_from_debtor(
        db_session=db_session, case_id=marie.case_id, debtor_actor="debtor:x",
        text=HEALTH_FR, at=utcnow(),
    )  # fmt: skip
    exported = portal_service.export_debtor(db_session=db_session, debtor_id=marie.debtor_id)
    texts = [m["text"] for m in exported["chat_messages"]]
    assert texts == ["Puis-je payer en trois fois ?", signals_service.REDACTED]
    assert plain.id < special.id
    case = portfolio_service.get_case(db_session=db_session, case_id=marie.case_id)
    assert case.vulnerability_possible


def test_a_dispute_statement_revealing_health_is_not_kept(
    db_session: Session, world: World
) -> None:
    marie = world.marie
    portal_service.open_dispute(
        db_session=db_session, debtor_id=marie.debtor_id, case_id=marie.case_id,
        reason="wrong_amount", statement=HEALTH_FR, uploads=[], lang="fr", now=utcnow(),
    )  # fmt: skip
    [dispute] = portal_service.export_debtor(db_session=db_session, debtor_id=marie.debtor_id)[
        "disputes"
    ]
    assert dispute["statement"] is None and dispute["reason"] == "wrong_amount"
    case = portfolio_service.get_case(db_session=db_session, case_id=marie.case_id)
    assert case.vulnerability_possible and case.disputed
