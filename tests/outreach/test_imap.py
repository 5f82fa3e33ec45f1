"""Inbound e-mail by IMAP against an in-process IMAP server: replies threaded by
In-Reply-To, bounces, unreadable mail; mail marked seen only after its pass committed."""

from __future__ import annotations

import imaplib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from concilia.db import session_scope
from concilia.outreach import inbound, outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import InboundMessage, StatusEvent
from concilia.outreach.channels.email import SmtpChannel
from concilia.outreach.channels.fake_imap import FakeImap
from concilia.outreach.channels.imap import ImapMailbox
from concilia.outreach.models import InboundReply
from tests.outreach.test_email_channel import _dsn, _reply
from tests.outreach.test_outbox import NOON_NY, enqueue, verify
from tests.outreach.test_workers import factory_of, world  # noqa: F401

GARBAGE = b"From: someone@example.org\r\nSubject: no id\r\n\r\nhello\r\n"


@pytest.fixture
def imap() -> Iterator[FakeImap]:
    with FakeImap() as server:
        yield server


def mailbox(server: FakeImap, password: str = "imap-pw") -> ImapMailbox:
    return ImapMailbox(
        host="127.0.0.1", port=server.port, username=server.username, password=password,
        ssl=False, timeout=5,
    )  # fmt: skip


def test_unseen_mail_is_read_without_being_marked_then_marked_seen(imap: FakeImap) -> None:
    imap.state.deliver(_reply("<m-1@acme.example>", "Can I pay later?"))
    imap.state.deliver(_dsn("<m-2@acme.example>"))
    imap.state.deliver(GARBAGE)
    box = mailbox(imap)
    reply, bounce, garbage = box.fetch_unseen()
    assert isinstance(reply.parsed, InboundMessage) and reply.parsed.text == "Can I pay later?"
    assert reply.parsed.in_reply_to == "<m-1@acme.example>"
    assert isinstance(bounce.parsed, StatusEvent) and bounce.parsed.status == "bounced"
    assert bounce.parsed.provider_id == "<m-2@acme.example>" and bounce.parsed.permanent
    assert garbage.parsed is None and "Message-ID" in (garbage.problem or "")
    assert imap.state.unseen() == [1, 2, 3]  # fetching marked nothing
    box.mark_seen([reply.uid, bounce.uid, garbage.uid])
    assert imap.state.unseen() == [] and box.fetch_unseen() == []


def test_a_wrong_password_is_an_error(imap: FakeImap) -> None:
    with pytest.raises(imaplib.IMAP4.error):
        mailbox(imap, password="nope").fetch_unseen()


def test_a_reply_by_imap_is_threaded_to_its_case_and_a_bounce_fails_the_message(
    db_session: Session, case_id: int, smtp_server: Any, imap: FakeImap
) -> None:
    verify(db_session, case_id, "email", "jane@example.org")
    msg = enqueue(db_session, case_id)
    channel = SmtpChannel(host="127.0.0.1", port=smtp_server.port, sender="agent@acme.example")
    outbox.run_due(db_session=db_session, channels={"email": channel}, now=NOON_NY)
    assert msg.status == "sent" and msg.provider_id
    imap.state.deliver(_reply(msg.provider_id, "I will pay on Friday."))
    imap.state.deliver(_dsn(msg.provider_id))
    replies, changed, uids = inbound.poll_mailbox(
        db_session=db_session, mailbox=mailbox(imap), now=NOON_NY
    )
    assert (replies, changed, uids) == (1, 1, ["1", "2"])
    [stored] = outreach_service.list_replies(db_session=db_session, case_ids=None, case_id=case_id)
    assert stored.outbox_id == msg.id and stored.text == "I will pay on Friday."
    assert msg.status == "failed"
    # Fetched again (say the mark was lost): stored once.
    assert inbound.poll_mailbox(db_session=db_session, mailbox=mailbox(imap), now=NOON_NY)[:2] == (
        0, 0,
    )  # fmt: skip


def test_a_worker_pass_marks_mail_seen_only_after_its_commit(
    world: tuple[Engine, str | None],  # noqa: F811
    imap: FakeImap,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factory = factory_of(world)
    imap.state.deliver(_reply("<unknown@acme.example>", "Who are you?"))
    box = mailbox(imap)

    def fail(**kw: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(inbound, "store_reply", fail)
    with pytest.raises(RuntimeError):
        outbox.run_pass(factory=factory, channels={}, now=NOON_NY, worker="w", mailbox=box)
    assert imap.state.unseen() == [1]  # nothing committed: left for the next pass
    monkeypatch.undo()
    report = outbox.run_pass(factory=factory, channels={}, now=NOON_NY, worker="w", mailbox=box)
    assert report["replies"] == 1 and imap.state.unseen() == []
    with session_scope(factory) as s:
        [reply] = s.scalars(select(InboundReply)).all()
        assert reply.case_id is None and reply.text == "Who are you?"
