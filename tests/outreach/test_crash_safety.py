"""A send interrupted by a crash, per provider; an SMS STOP reaching us or only Twilio;
poison messages that fail with their reason instead of being retried forever."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import session_scope
from concilia.outreach import outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import InboundMessage, OutgoingMessage, SendResult
from concilia.outreach.channels.fakes import FakeMessenger, FakeTwilio, FakeWhatsApp
from concilia.outreach.channels.http_provider import HttpProviderChannel
from concilia.outreach.channels.messenger import MetaSendChannel, parse_webhook
from concilia.outreach.models import ContactLog, OptOutEntry, OutboxMessage
from concilia.outreach.sent import INTERRUPTED, UNCONFIRMED
from tests.outreach.test_outbox import NOON_NY, enqueue, verify
from tests.outreach.test_providers import (
    PHONE,
    SMS,
    WA,
    _signed_post,
    _wa_case,
    tw_channel,
    wa_channel,
)
from tests.outreach.test_workers import factory_of, queue, statuses, world  # noqa: F401

WA_BODY = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."


@pytest.fixture
def wa() -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp() as fake:
        yield fake


@pytest.fixture
def tw() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


def _sms(db_session: Session, case_id: int, key: str = "tw-1") -> OutboxMessage:
    verify(db_session, case_id, "sms", PHONE)
    msg: OutboxMessage = enqueue(
        db_session, case_id, channel="sms", to=PHONE, body=SMS, idempotency_key=key,
        reassigned_check_on=date(2026, 11, 20),
    )  # fmt: skip
    assert msg.status == "queued", msg.reasons
    return msg


def _died_after_sending(
    db_session: Session, channel: Any, msg: OutboxMessage, **metadata: str
) -> SendResult:
    """A worker claimed the message, its send reached the provider, and it died before its
    commit; its lease has run out."""
    [claimed] = outbox.claim(
        db_session=db_session, channels=[msg.channel], now=NOON_NY, worker="dead",
        lease=timedelta(seconds=-1),
    )  # fmt: skip
    assert claimed.id == msg.id and claimed.status == "sending"
    result: SendResult = channel.send(
        OutgoingMessage(
            channel=msg.channel,
            to=outreach_service.message_recipient(msg),
            body=msg.body,
            idempotency_key=msg.idempotency_key,
            metadata=dict(metadata),
        )
    )
    assert result.status == "sent"
    return result


# Twilio: the idempotency token ------------------------------------------------------------


def test_the_twilio_fake_answers_a_repeated_token_with_the_first_message(tw: FakeTwilio) -> None:
    ch = tw_channel(tw)
    first = ch.send(OutgoingMessage(channel="sms", to=PHONE, body="Hi", idempotency_key="k-1"))
    again = ch.send(OutgoingMessage(channel="sms", to=PHONE, body="Hi", idempotency_key="k-1"))
    other = ch.send(OutgoingMessage(channel="sms", to=PHONE, body="Hi", idempotency_key="k-2"))
    assert first.provider_id == again.provider_id != other.provider_id
    assert len(tw.state.sent) == 2


def test_an_sms_whose_worker_died_mid_send_is_sent_again_with_its_key_and_delivered_once(
    db_session: Session, case_id: int, tw: FakeTwilio
) -> None:
    msg = _sms(db_session, case_id)
    first = _died_after_sending(db_session, tw_channel(tw), msg)
    report = outbox.run_due(db_session=db_session, channels={"sms": tw_channel(tw)}, now=NOON_NY)
    assert report.sent == [msg.id]
    assert msg.provider_id == first.provider_id and len(tw.state.sent) == 1
    assert msg.attempts == 2 and msg.last_error is None


# Meta: no idempotency key -------------------------------------------------------------------


def _wa_message(db_session: Session, case_id: int) -> OutboxMessage:
    actor = _wa_case(db_session, case_id)
    msg: OutboxMessage = enqueue(
        db_session, case_id, channel="social_dm", to=WA, body=WA_BODY, actor=actor,
        idempotency_key="wa-1",
    )  # fmt: skip
    assert msg.status == "queued", msg.reasons
    return msg


def test_an_interrupted_whatsapp_send_waits_and_its_status_webhook_records_it_as_sent(
    db_session: Session,
    case_id: int,
    wa: FakeWhatsApp,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONCILIA_OUTREACH_WHATSAPP_APP_SECRET", wa.app_secret)
    msg = _wa_message(db_session, case_id)
    first = _died_after_sending(db_session, wa_channel(wa), msg, template="concilia_reminder")
    channels = {"social_dm": wa_channel(wa)}
    # WhatsApp would take a second request as a second message: nothing goes yet.
    report = outbox.run_due(db_session=db_session, channels=channels, now=NOON_NY)
    assert report.waiting == [msg.id] and len(wa.state.sent) == 1
    assert msg.status == "queued" and (msg.last_error or "").startswith(UNCONFIRMED)
    assert msg.next_attempt_at == NOON_NY + outbox.SETTLE
    db_session.commit()
    # Meta's status webhook echoes our key (biz_opaque_callback_data): the send is recorded.
    body, headers = wa.webhook(wa.status(first.provider_id or "", "delivered"))
    answer = client.post("/api/outreach/webhooks/whatsapp", content=body, headers=headers)
    assert answer.json() == {"replies": 0, "status_changes": 1}
    db_session.expire_all()
    msg = outreach_service.get(db_session=db_session, message_id=msg.id)
    assert msg.status == "delivered" and msg.provider_id == first.provider_id
    assert msg.lease_owner is None and msg.sent_at is not None
    assert db_session.scalar(select(func.count()).select_from(ContactLog)) == 1
    entries, _ = audit_service.list_entries(
        db_session=db_session, object_type="outbox_message", object_id=str(msg.id), limit=50
    )
    assert [e.action for e in entries].count("outreach.sent") == 1
    later = outbox.run_due(
        db_session=db_session, channels=channels, now=NOON_NY + 2 * outbox.SETTLE
    )
    assert later.sent == [] and len(wa.state.sent) == 1


def test_without_proof_the_interrupted_whatsapp_send_goes_again_after_the_settle_time(
    db_session: Session, case_id: int, wa: FakeWhatsApp
) -> None:
    # The limitation, stated: no webhook came (the first request never reached Meta, or
    # its webhook is late), so after SETTLE the message goes again; were it late, the
    # person would get it twice.
    msg = _wa_message(db_session, case_id)
    _died_after_sending(db_session, wa_channel(wa), msg, template="concilia_reminder")
    channels = {"social_dm": wa_channel(wa)}
    assert outbox.run_due(db_session=db_session, channels=channels, now=NOON_NY).waiting
    early = NOON_NY + outbox.SETTLE - timedelta(seconds=1)
    assert outbox.run_due(db_session=db_session, channels=channels, now=early).as_dict() == {
        **outbox.RunReport().as_dict()
    }
    again = outbox.run_due(db_session=db_session, channels=channels, now=NOON_NY + outbox.SETTLE)
    assert again.sent == [msg.id] and len(wa.state.sent) == 2


def test_messenger_sends_the_key_as_metadata_and_its_echo_names_the_message() -> None:
    with FakeMessenger() as fb:
        fb.message("PSID-1", "hello", at=datetime.now().timestamp())
        ch = MetaSendChannel(token=fb.token, base_url=fb.url)
        sent = ch.send(
            OutgoingMessage(channel="social_dm", to="messenger:PSID-1", body="Hi",
                            idempotency_key="fb-1")
        )  # fmt: skip
        assert sent.status == "sent"
        body, _ = fb.webhook([fb.echo(sent.provider_id or "")])
    messages, [event] = parse_webhook(body)
    assert messages == []  # our own message is not a reply
    assert (event.status, event.provider_id, event.idempotency_key) == (
        "sent", sent.provider_id, "fb-1",
    )  # fmt: skip


# SMS STOP: at Twilio, or to us --------------------------------------------------------------


def test_twilio_21610_opts_the_number_out_and_the_message_is_not_retried(
    db_session: Session, case_id: int, tw: FakeTwilio
) -> None:
    msg = _sms(db_session, case_id)
    tw.stopped.add(PHONE)  # the person replied STOP to Twilio; its webhook never reached us
    channels = {"sms": tw_channel(tw)}
    assert outbox.run_due(db_session=db_session, channels=channels, now=NOON_NY).failed == [msg.id]
    assert msg.next_attempt_at is None and tw.state.sent == []
    assert msg.reasons[-1]["rule"] == "RECIPIENT-UNSUBSCRIBED"
    assert "21610" in msg.reasons[-1]["explanation"]
    assert db_session.scalars(select(OptOutEntry)).one().source == "provider_stop"
    later = NOON_NY + timedelta(hours=2)
    assert outbox.run_due(db_session=db_session, channels=channels, now=later).as_dict() == (
        outbox.RunReport().as_dict()
    )
    nxt = enqueue(db_session, case_id, channel="sms", to=PHONE, body=SMS, idempotency_key="tw-2",
                  reassigned_check_on=date(2026, 11, 20))  # fmt: skip
    assert nxt.status == "blocked"


def test_a_stop_by_webhook_blocks_a_message_queued_before_it(
    db_session: Session, case_id: int, tw: FakeTwilio, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_ACCOUNT_SID", tw.account_sid)
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_AUTH_TOKEN", tw.auth_token)
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_SENDER", "+15550001111")
    msg = _sms(db_session, case_id)
    db_session.commit()
    stop = tw.inbound(sender=PHONE, body="STOP")
    assert _signed_post(client, tw, "/api/outreach/webhooks/twilio/inbound", stop).json() == {
        "replies": 1, "status_changes": 0,
    }  # fmt: skip
    db_session.expire_all()
    report = outbox.run_due(db_session=db_session, channels={"sms": tw_channel(tw)}, now=NOON_NY)
    assert report.blocked == [msg.id] and tw.state.sent == []
    assert db_session.scalars(select(OptOutEntry)).one().source == "reply_stop"


# Poison messages ----------------------------------------------------------------------------


class _Exploding:
    """A channel whose send raises (a bug, a corrupt message): never a provider refusal."""

    name = "sms"
    idempotent = True  # else each retry first waits for proof (the WhatsApp tests above)

    def send(self, message: OutgoingMessage) -> SendResult:
        raise RuntimeError("boom: cannot encode this message")

    def status(self, provider_id: str) -> None:
        return None

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        return []


def test_a_message_whose_send_keeps_raising_fails_with_its_reason_after_the_limit(
    world: tuple[Engine, str | None],  # noqa: F811
) -> None:
    factory = factory_of(world)
    [mid] = queue(factory, 1)
    outcomes = []
    at = NOON_NY
    for _ in range(outbox.MAX_ATTEMPTS + 1):
        report = outbox.work(factory=factory, channels={"sms": _Exploding()}, now=at, worker="w")
        outcomes.append({k: v for k, v in report.as_dict().items() if v})
        at += timedelta(minutes=61)  # past any back-off, still within New York's day
    retry = {"retrying": 1}
    assert outcomes == [retry] * (outbox.MAX_ATTEMPTS - 1) + [{"failed": 1}, {}]
    assert statuses(factory) == {"failed": 1}
    with session_scope(factory) as s:
        [msg] = outreach_service.list_case_messages(
            db_session=s,
            case_id=s.get(OutboxMessage, mid).case_id,  # type: ignore[union-attr]
        )
        assert msg.attempts == outbox.MAX_ATTEMPTS and msg.lease_owner is None
        assert msg.reasons[-1]["rule"] == "SEND-ATTEMPTS"
        assert "boom" in msg.reasons[-1]["explanation"]


def test_a_message_its_workers_keep_dying_on_is_failed_not_retried_forever(
    db_session: Session, case_id: int, provider: Any
) -> None:
    msg = _sms(db_session, case_id)
    for n in range(outbox.MAX_ATTEMPTS):
        outbox.claim(
            db_session=db_session, channels=["sms"], now=NOON_NY, worker=f"dead-{n}",
            lease=timedelta(seconds=-1),
        )  # fmt: skip
    assert (msg.last_error or "").startswith(INTERRUPTED)
    channel = HttpProviderChannel(name="sms", base_url=provider.url, token="test-token")
    report = outbox.run_due(db_session=db_session, channels={"sms": channel}, now=NOON_NY)
    assert report.failed == [msg.id] and provider.state.deliveries == 0
    assert msg.status == "failed" and msg.attempts == outbox.MAX_ATTEMPTS
    assert msg.reasons[-1]["rule"] == "SEND-ATTEMPTS"
    assert "interrupted" in msg.reasons[-1]["explanation"]


def test_a_failing_batch_look_ahead_falls_back_to_one_message_at_a_time(
    world: tuple[Engine, str | None],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concilia.outreach import context
    from concilia.outreach.channels.provider_stub import ProviderStub

    factory = factory_of(world)
    ids = queue(factory, 3)

    def broken(**kw: Any) -> context.Known:
        raise RuntimeError("look-ahead broke")

    monkeypatch.setattr(context, "prefetch", broken)
    with ProviderStub(token="tok") as stub:
        channel = HttpProviderChannel(name="sms", base_url=stub.url, token="tok")
        report = outbox.work(factory=factory, channels={"sms": channel}, now=NOON_NY, worker="w")
    assert report.sent == ids and stub.state.deliveries == 3
