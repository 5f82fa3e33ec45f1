"""E-mail: DKIM signing, one-click List-Unsubscribe, and mail that comes back (replies threaded
by In-Reply-To, DSN bounces, ARF complaints) through the signed inbound webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import dkim  # type: ignore[import-untyped]
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.outreach import outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import InboundMessage, OutgoingMessage, StatusEvent
from concilia.outreach.channels.email import DkimKey, SmtpChannel
from concilia.outreach.channels.mailparse import parse_mail
from concilia.outreach.models import OptOutEntry
from tests.outreach.test_outbox import NOON_NY, enqueue, verify

SECRET = "inbound-secret"


def _key() -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, base64.b64encode(public).decode()


def test_dkim_signature_verifies_and_covers_list_unsubscribe(smtp_server: Any) -> None:
    pem, public = _key()
    channel = SmtpChannel(
        host="127.0.0.1",
        port=smtp_server.port,
        sender="agent@acme.example",
        dkim=DkimKey("acme.example", "s1", pem),
    )
    message = OutgoingMessage(
        channel="email",
        to="jane@example.org",
        subject="Your account",
        body="Hello",
        idempotency_key="k-1",
        metadata={"unsubscribe_url": "https://acme.example/u/1/t"},
    )
    raw = channel.signed_bytes(channel.build(message))

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"s1._domainkey.acme.example."
        return f"v=DKIM1; k=rsa; p={public}".encode()

    assert dkim.verify(raw, dnsfunc=dns)
    assert not dkim.verify(raw.replace(b"Hello", b"Hullo"), dnsfunc=dns)  # body tampered
    signature = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert "list-unsubscribe-post" in signature.lower().replace("\r\n", "").replace(" ", "")
    assert channel.send(message).status == "sent"
    [received] = smtp_server.handler.messages
    assert received["DKIM-Signature"] is not None
    assert received["List-Unsubscribe"] == "<https://acme.example/u/1/t>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def _dsn(original_id: str, status: str = "5.1.1", action: str = "failed") -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example.org\r\nTo: agent@acme.example\r\n"
        f"Subject: Undelivered Mail\r\nMessage-ID: {make_msgid(domain='mx.example.org')}\r\n"
        f"Date: {formatdate()}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; jane@example.org\r\nAction: {action}\r\nStatus: {status}\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nFrom: agent@acme.example\r\n\r\n--B--\r\n"
    ).encode()


def _arf(original_id: str) -> bytes:
    return (
        "From: fbl@isp.example\r\nTo: agent@acme.example\r\nSubject: complaint\r\n"
        f"Message-ID: {make_msgid(domain='isp.example')}\r\nDate: {formatdate()}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n'
        "--F\r\nContent-Type: text/plain\r\n\r\nA complaint.\r\n"
        "--F\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nVersion: 1\r\n\r\n"
        "--F\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\n\r\n--F--\r\n"
    ).encode()  # fmt: skip


def _reply(original_id: str, text: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Jane Roe <jane@example.org>"
    mail["To"] = "agent@acme.example"
    mail["Subject"] = "Re: Your account"
    mail["Date"] = formatdate()
    mail["Message-ID"] = make_msgid(domain="example.org")
    mail["In-Reply-To"] = original_id
    mail.set_content(text)
    return mail.as_bytes()


def test_mail_is_told_apart() -> None:
    bounce = parse_mail(_dsn("<a@acme.example>"))
    assert isinstance(bounce, StatusEvent) and bounce.status == "bounced" and bounce.permanent
    assert bounce.provider_id == "<a@acme.example>" and bounce.detail == "5.1.1"
    soft = parse_mail(_dsn("<a@acme.example>", status="4.2.2"))
    assert isinstance(soft, StatusEvent) and not soft.permanent
    assert parse_mail(_dsn("<a@acme.example>", action="delayed")) is None
    complaint = parse_mail(_arf("<a@acme.example>"))
    assert isinstance(complaint, StatusEvent) and complaint.status == "complained"
    reply = parse_mail(_reply("<a@acme.example>", "I will pay on Friday."))
    assert isinstance(reply, InboundMessage) and reply.in_reply_to == "<a@acme.example>"
    assert reply.sender == "jane@example.org" and reply.text == "I will pay on Friday."
    with pytest.raises(ValueError, match="Message-ID"):
        parse_mail(b"From: x@y\r\n\r\nno id")


def _post_mail(client: Any, raw: bytes, secret: str = SECRET) -> Any:
    sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/api/outreach/webhooks/email", content=raw, headers={"X-Concilia-Signature": sig}
    )


def test_inbound_mail_webhook_reply_bounce_and_one_click_unsubscribe(
    db_session: Session,
    case_id: int,
    smtp_server: Any,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONCILIA_OUTREACH_INBOUND_MAIL_SECRET", SECRET)
    monkeypatch.setenv("CONCILIA_OUTREACH_PUBLIC_BASE_URL", "https://acme.example")
    verify(db_session, case_id, "email", "jane@example.org")
    msg = enqueue(db_session, case_id)
    channel = SmtpChannel(host="127.0.0.1", port=smtp_server.port, sender="agent@acme.example")
    assert outbox.run_due(db_session=db_session, channels={"email": channel}, now=NOON_NY).sent == [
        msg.id
    ]
    db_session.commit()
    [mail] = smtp_server.handler.messages
    link = str(mail["List-Unsubscribe"]).strip("<>")
    assert link.startswith(f"https://acme.example/api/outreach/webhooks/unsubscribe/{msg.id}/")
    # A reply, threaded by In-Reply-To to the message and its case; a replay stores nothing.
    reply = _reply(msg.provider_id or "", "Can I pay in three times?")
    assert _post_mail(client, reply, secret="wrong").status_code == 401
    assert _post_mail(client, reply).json()["replies"] == 1
    assert _post_mail(client, reply).json()["replies"] == 0
    db_session.expire_all()
    [stored] = outreach_service.list_replies(db_session=db_session, case_ids=None, case_id=case_id)
    assert stored.outbox_id == msg.id and stored.text == "Can I pay in three times?"
    # One click from the mailbox provider: the address is opted out, once.
    path = link.removeprefix("https://acme.example")
    assert client.post(path[:-4] + "0000", content=b"List-Unsubscribe=One-Click").status_code == 404
    # A token with characters a signature never has is a wrong link, not a server error.
    assert client.post(path[:-4] + "é000", content=b"List-Unsubscribe=One-Click").status_code == 404
    assert client.post(path, content=b"List-Unsubscribe=One-Click").json() == {"unsubscribed": True}
    assert client.post(path, content=b"List-Unsubscribe=One-Click").status_code == 200
    db_session.expire_all()
    [entry] = db_session.scalars(select(OptOutEntry)).all()
    assert entry.source == "list_unsubscribe" and entry.channel == "email"
    # A hard bounce fails the message (a replayed DSN changes nothing).
    assert _post_mail(client, _dsn(msg.provider_id or "")).json()["status_changes"] == 1
    assert _post_mail(client, _dsn(msg.provider_id or "")).json()["status_changes"] == 0
    db_session.expire_all()
    assert outreach_service.get(db_session=db_session, message_id=msg.id).status == "failed"
    # The address was already opted out by the click: the bounce adds no second entry.
    assert len(db_session.scalars(select(OptOutEntry)).all()) == 1


def test_complaint_opts_the_address_out(
    db_session: Session,
    case_id: int,
    smtp_server: Any,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONCILIA_OUTREACH_INBOUND_MAIL_SECRET", SECRET)
    verify(db_session, case_id, "email", "jane@example.org")
    msg = enqueue(db_session, case_id)
    channel = SmtpChannel(host="127.0.0.1", port=smtp_server.port, sender="agent@acme.example")
    outbox.run_due(db_session=db_session, channels={"email": channel}, now=NOON_NY)
    db_session.commit()
    complaint = _arf(msg.provider_id or "")
    assert _post_mail(client, complaint).json()["status_changes"] == 1
    assert _post_mail(client, complaint).json()["status_changes"] == 0  # replay
    db_session.expire_all()
    assert [e.source for e in db_session.scalars(select(OptOutEntry))] == ["complaint"]
    later = enqueue(db_session, case_id, idempotency_key="after-complaint")
    assert later.status == "blocked"
    assert (
        outbox.run_due(
            db_session=db_session, channels={"email": channel}, now=NOON_NY + timedelta(hours=1)
        ).sent
        == []
    )
