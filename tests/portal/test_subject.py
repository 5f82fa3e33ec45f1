"""A data subject's portal data: the export holds it all, decrypted; the erasure removes the
content and keeps only what a legal obligation needs, and the session stops working."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.db import utcnow
from concilia.portal import chat
from concilia.portal import service as portal_service
from tests.portal.conftest import Sink, World, sign_in

PDF = b"%PDF-1.4\n%%EOF\n"


def _data(db_session: Session, world: World) -> None:
    marie = world.marie
    portal_service.open_dispute(
        db_session=db_session, debtor_id=marie.debtor_id, case_id=marie.case_id,
        reason="already_paid", statement="Payé en mai par virement",
        uploads=[portal_service.Upload("preuve.pdf", PDF)], lang="fr", now=utcnow(),
    )  # fmt: skip
    chat.post_from_debtor(
        db_session=db_session, case_id=marie.case_id, debtor_actor="debtor:x",
        text="Bonjour, une question", at=utcnow(),
    )  # fmt: skip
    portal_service.save_preferences(
        db_session=db_session, debtor_id=marie.debtor_id, channel="email", hours_from=9,
        hours_to=18, lang="fr", stop_channels=[], now=utcnow(),
    )  # fmt: skip
    db_session.commit()


def test_export_then_erase(
    client: TestClient, world: World, smtp: Sink, db_session: Session
) -> None:
    sign_in(client, world.marie, smtp)
    _data(db_session, world)
    exported = portal_service.export_debtor(db_session=db_session, debtor_id=world.marie.debtor_id)
    [dispute] = exported["disputes"]
    assert dispute["statement"] == "Payé en mai par virement"
    assert dispute["documents"][0]["filename"] == "preuve.pdf"
    assert [m["text"] for m in exported["chat_messages"]] == ["Bonjour, une question"]
    assert exported["preferences"]["hours_from"] == 9 and exported["sessions"] == 1
    other = portal_service.export_debtor(db_session=db_session, debtor_id=world.jane.debtor_id)
    assert other["disputes"] == [] and other["chat_messages"] == []

    counts = portal_service.erase_debtor(
        db_session=db_session, debtor_id=world.marie.debtor_id, actor="privacy", now=utcnow()
    )
    db_session.commit()
    assert counts == {"sessions": 1, "flows": 1, "preferences": 1, "documents": 1,
                      "chat_messages": 1}  # fmt: skip
    after = portal_service.export_debtor(db_session=db_session, debtor_id=world.marie.debtor_id)
    assert after["disputes"][0]["statement"] is None and after["disputes"][0]["documents"] == []
    assert after["disputes"][0]["reason"] == "already_paid"  # the legal record stays
    assert after["chat_messages"] == [] and after["preferences"] is None
    assert client.get("/portal/home", follow_redirects=False).status_code == 303
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "portal.subject_erased")
    ).one()
    assert entry.detail["documents"] == 1
    # An erased chat message still reads (empty) for the agent's history.
    [msg] = chat.history(
        db_session=db_session, case_id=world.marie.case_id, after_id=0, for_agent=True
    )
    assert chat.payload(msg, for_agent=True)["text"] == ""
