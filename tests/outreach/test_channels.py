"""Channels against real loopback servers: SMTP (aiosmtpd) and the HTTP provider stub."""

from pathlib import Path
from typing import Any

from concilia.outreach.channels import Attachment, Channel, OutgoingMessage
from concilia.outreach.channels.email import SmtpChannel
from concilia.outreach.channels.http_provider import HttpProviderChannel
from concilia.outreach.channels.letter import LetterChannel


def smtp(server: Any) -> SmtpChannel:
    return SmtpChannel(host="127.0.0.1", port=server.port, sender="agent@acme.example")


def msg(**kw: Any) -> OutgoingMessage:
    base: dict[str, Any] = dict(
        channel="email",
        to="jane@example.org",
        subject="Hello",
        body="Body text. Reply STOP to opt out.",
        idempotency_key="k-1",
    )
    base.update(kw)
    return OutgoingMessage(**base)


def test_email_is_delivered_to_the_local_smtp_server(smtp_server: Any) -> None:
    channel = smtp(smtp_server)
    assert isinstance(channel, Channel)
    result = channel.send(msg(attachments=(Attachment("letter.pdf", b"%PDF-1.4 test"),)))
    assert result.status == "sent"
    [received] = smtp_server.handler.messages
    assert received["To"] == "jane@example.org"
    assert received["Subject"] == "Hello"
    assert received["X-Concilia-Idempotency-Key"] == "k-1"
    assert received["Message-ID"] == result.provider_id
    parts = list(received.walk())
    assert any(p.get_filename() == "letter.pdf" for p in parts)
    assert "Reply STOP" in parts[1].get_payload(decode=True).decode()


def test_email_message_id_is_stable_per_idempotency_key(smtp_server: Any) -> None:
    channel = smtp(smtp_server)
    assert channel.message_id("k-1") == channel.message_id("k-1") != channel.message_id("k-2")


def test_email_refused_recipient_is_a_permanent_failure(smtp_server: Any) -> None:
    smtp_server.handler.refuse.add("nobody@example.org")
    result = smtp(smtp_server).send(msg(to="nobody@example.org"))
    assert result.status == "failed" and not result.retryable


def test_email_unreachable_server_is_retryable() -> None:
    channel = SmtpChannel(host="127.0.0.1", port=1, sender="a@b.example", timeout=1)
    result = channel.send(msg())
    assert result.status == "failed" and result.retryable


def provider_channel(
    provider: Any, name: str = "sms", token: str = "test-token"
) -> HttpProviderChannel:
    return HttpProviderChannel(name=name, base_url=provider.url, token=token)


def test_sms_through_provider_and_delivery_status(provider: Any) -> None:
    ch = provider_channel(provider)
    result = ch.send(msg(channel="sms", to="+33600000000"))
    assert result.status == "sent" and result.provider_id
    assert ch.status(result.provider_id) == "sent"
    provider.deliver(result.provider_id)
    assert ch.status(result.provider_id) == "delivered"


def test_retried_send_with_same_key_is_delivered_once(provider: Any) -> None:
    ch = provider_channel(provider, name="social_dm")
    first = ch.send(msg(channel="social_dm", to="user:123", idempotency_key="same"))
    again = ch.send(msg(channel="social_dm", to="user:123", idempotency_key="same"))
    assert first.provider_id == again.provider_id
    assert provider.state.deliveries == 1


def test_provider_errors_are_classified(provider: Any) -> None:
    provider.state.fail_next = 1
    busy = provider_channel(provider).send(msg(channel="sms"))
    assert busy.status == "failed" and busy.retryable
    refused = provider_channel(provider).send(msg(channel="sms", body=""))
    assert refused.status == "failed" and not refused.retryable
    wrong_token = provider_channel(provider, token="bad").send(msg(channel="sms"))
    assert wrong_token.status == "failed" and not wrong_token.retryable


def test_inbound_replies_are_fetched_per_channel(provider: Any) -> None:
    ch = provider_channel(provider)
    sent = ch.send(msg(channel="sms", to="+33600000000"))
    provider.state.add_inbound(
        channel="sms", sender="+33600000000", text="OK for a plan", in_reply_to=sent.provider_id
    )
    provider.state.add_inbound(channel="social_dm", sender="user:1", text="other channel")
    [reply] = ch.fetch_replies(None)
    assert reply.text == "OK for a plan" and reply.in_reply_to == sent.provider_id


def test_letter_channel_writes_one_pdf_per_key(tmp_path: Path) -> None:
    ch = LetterChannel(out_dir=tmp_path)
    pdf = Attachment("l.pdf", b"%PDF-1.4 x")
    r1 = ch.send(msg(channel="letter", attachments=(pdf,), idempotency_key="case-1/letter"))
    r2 = ch.send(msg(channel="letter", attachments=(pdf,), idempotency_key="case-1/letter"))
    assert r1.status == r2.status == "sent"
    assert [p.name for p in tmp_path.iterdir()] == ["case-1_letter.pdf"]
    assert ch.send(msg(channel="letter")).status == "failed"
