"""WhatsApp Cloud API and Twilio adapters against local fakes of their documented APIs, and
their webhooks through the application (signatures, replays, the same inbox as polling)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.outreach import optin, outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import OutgoingMessage
from concilia.outreach.channels.fakes import FakeTwilio, FakeWhatsApp
from concilia.outreach.channels.twilio import TwilioSmsChannel
from concilia.outreach.channels.whatsapp import WhatsAppCloudChannel
from concilia.outreach.models import InboundReply, OptOutEntry
from tests.certification.support import certify
from tests.outreach.test_outbox import NOON_NY, debtor_id, enqueue, verify

PHONE = "+12125550100"
WA = "whatsapp:+12125550100"
SMS = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."
BASE = "http://testserver"


@pytest.fixture
def wa() -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp() as fake:
        yield fake


@pytest.fixture
def tw() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


def wa_channel(fake: FakeWhatsApp, token: str = "wa-token") -> WhatsAppCloudChannel:
    return WhatsAppCloudChannel(phone_number_id="PN-1", token=token, base_url=fake.url)


def tw_channel(fake: FakeTwilio, token: str = "tw-token") -> TwilioSmsChannel:
    return TwilioSmsChannel(
        account_sid=fake.account_sid,
        auth_token=token,
        sender="+15550001111",
        base_url=fake.url,
        status_callback=f"{BASE}/api/outreach/webhooks/twilio/status",
    )


def out(**kw: Any) -> OutgoingMessage:
    base: dict[str, Any] = dict(channel="sms", to=PHONE, body="Hello", idempotency_key="k-1")
    base.update(kw)
    return OutgoingMessage(**base)


# WhatsApp ------------------------------------------------------------------------------------


def test_whatsapp_text_and_template_shapes(wa: FakeWhatsApp) -> None:
    ch = wa_channel(wa)
    text = ch.send(out(channel="social_dm", to=WA))
    assert text.status == "sent" and text.provider_id and text.provider_id.startswith("wamid.")
    templated = ch.send(out(channel="social_dm", to=WA, metadata={"template": "concilia_reminder"}))
    assert templated.status == "sent"
    first, second = wa.state.sent
    assert first["to"] == "12125550100" and first["type"] == "text"
    assert first["text"]["body"] == "Hello" and first["biz_opaque_callback_data"] == "k-1"
    assert second["type"] == "template" and second["template"]["name"] == "concilia_reminder"
    assert second["template"]["components"][0]["parameters"][0]["text"] == "Hello"


def test_whatsapp_errors_are_classified(wa: FakeWhatsApp) -> None:
    ch = wa_channel(wa)
    wa.state.fail_next = [(400, 131047), (429, 130429), (503, 131000)]
    window = ch.send(out(channel="social_dm", to=WA))
    assert window.status == "failed" and not window.retryable and window.code == "131047"
    assert "24 hours" in (window.error or "")
    throttled = ch.send(out(channel="social_dm", to=WA))
    assert throttled.outage and throttled.retry_after == 1.0
    down = ch.send(out(channel="social_dm", to=WA))
    assert down.outage and down.code == "131000"
    bad = wa_channel(wa, token="wrong").send(out(channel="social_dm", to=WA))
    assert bad.status == "failed" and not bad.retryable and bad.code == "190"
    assert wa.state.sent == []


def _wa_case(db_session: Session, case_id: int, *, opt_in: bool = True) -> str:
    actor = certify(db_session, "ana")
    verify(db_session, case_id, "social_dm", WA)
    if opt_in:
        optin.record_opt_in(
            db_session=db_session,
            debtor_id=debtor_id(db_session, case_id),
            channel="social_dm",
            address=WA,
            source="portal",
            actor="debtor",
        )
    return actor


def test_outside_the_window_only_a_template_goes_and_an_unknown_kind_is_refused(
    db_session: Session, case_id: int, wa: FakeWhatsApp
) -> None:
    actor = _wa_case(db_session, case_id, opt_in=False)
    body = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."
    early = enqueue(
        db_session, case_id, channel="social_dm", to=WA, body=body, actor=actor,
        idempotency_key="wa-0",
    )  # fmt: skip
    refused = outbox.run_due(
        db_session=db_session, channels={"social_dm": wa_channel(wa)}, now=NOON_NY
    )
    # WhatsApp's policy: no business-initiated template without the person's opt-in.
    assert refused.blocked == [early.id] and wa.state.sent == []
    assert "no opt-in" in early.reasons[-1]["explanation"]
    optin.record_opt_in(
        db_session=db_session,
        debtor_id=debtor_id(db_session, case_id),
        channel="social_dm",
        address=WA,
        source="portal",
        actor="debtor",
    )
    reminder = enqueue(
        db_session, case_id, channel="social_dm", to=WA, body=body, actor=actor,
        idempotency_key="wa-1",
    )  # fmt: skip
    other = enqueue(
        db_session, case_id, channel="social_dm", to=WA, body=body, actor=actor,
        idempotency_key="wa-2", kind="payment_plan",
    )  # fmt: skip
    assert reminder.status == other.status == "queued", reminder.reasons
    report = outbox.run_due(
        db_session=db_session, channels={"social_dm": wa_channel(wa)}, now=NOON_NY
    )
    assert report.sent == [reminder.id] and report.blocked == [other.id]
    [sent] = wa.state.sent
    assert sent["type"] == "template" and sent["template"]["name"] == "concilia_reminder"
    assert other.reasons[-1]["rule"] == "PLATFORM-WHATSAPP-WINDOW"
    assert "never written" in other.reasons[-1]["explanation"]


def test_whatsapp_webhook_reply_opens_the_window_and_lands_in_the_inbox(
    db_session: Session,
    case_id: int,
    wa: FakeWhatsApp,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONCILIA_OUTREACH_WHATSAPP_APP_SECRET", wa.app_secret)
    monkeypatch.setenv("CONCILIA_OUTREACH_WHATSAPP_VERIFY_TOKEN", "vt")
    actor = _wa_case(db_session, case_id)
    body = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."
    first = enqueue(db_session, case_id, channel="social_dm", to=WA, body=body, actor=actor,
                    idempotency_key="wa-1")  # fmt: skip
    outbox.run_due(db_session=db_session, channels={"social_dm": wa_channel(wa)}, now=NOON_NY)
    db_session.commit()
    hook = "/api/outreach/webhooks/whatsapp"
    ok = client.get(hook, params={"hub.mode": "subscribe", "hub.verify_token": "vt",
                                  "hub.challenge": "1158201444"})  # fmt: skip
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert client.get(hook, params={"hub.mode": "subscribe", "hub.verify_token": "no",
                                    "hub.challenge": "x"}).status_code == 401  # fmt: skip
    wrote = NOON_NY + timedelta(minutes=30)
    payload, headers = wa.webhook(wa.inbound(sender=PHONE, text="Can we talk?",
                                             context_id=first.provider_id,
                                             at=wrote.timestamp()))  # fmt: skip
    forged = client.post(
        hook, content=payload, headers={**headers, "X-Hub-Signature-256": "sha256=00"}
    )
    assert forged.status_code == 401
    assert client.post(hook, content=payload, headers=headers).json()["replies"] == 1
    assert client.post(hook, content=payload, headers=headers).json()["replies"] == 0  # replay
    db_session.expire_all()
    [reply] = outreach_service.list_replies(db_session=db_session, case_ids=None, case_id=case_id)
    assert reply.text == "Can we talk?" and reply.outbox_id == first.id
    # Delivered, then read: statuses by webhook, each once.
    status, headers = wa.webhook(wa.status(first.provider_id or "", "delivered"))
    assert client.post(hook, content=status, headers=headers).json()["status_changes"] == 1
    assert client.post(hook, content=status, headers=headers).json()["status_changes"] == 0
    db_session.expire_all()
    assert outreach_service.get(db_session=db_session, message_id=first.id).status == "delivered"
    # Inside the window opened by the reply, a free-form answer goes as text.
    answer = enqueue(db_session, case_id, channel="social_dm", to=WA, body=body, actor=actor,
                     idempotency_key="wa-3", kind="payment_plan")  # fmt: skip
    assert reply.received_at == wrote
    report = outbox.run_due(
        db_session=db_session,
        channels={"social_dm": wa_channel(wa)},
        now=wrote + timedelta(hours=1),
    )
    assert report.sent == [answer.id], answer.reasons
    assert [m["type"] for m in wa.state.sent] == ["template", "text"]


# Twilio --------------------------------------------------------------------------------------


def test_twilio_send_status_and_errors(tw: FakeTwilio) -> None:
    ch = tw_channel(tw)
    sent = ch.send(out())
    assert sent.status == "sent" and sent.provider_id and sent.provider_id.startswith("SM")
    [resource] = tw.state.sent
    assert resource["to"] == PHONE and resource["from"] == "+15550001111"
    assert resource["status_callback"].endswith("/twilio/status?key=k-1")
    tw.set_status(sent.provider_id, "delivered")
    assert ch.status(sent.provider_id) == "delivered"
    invalid = ch.send(out(to="12345"))
    assert invalid.status == "failed" and not invalid.retryable and invalid.code == "21211"
    tw.state.fail_next = [(400, 21610), (429, 20429), (500, 20500)]
    stopped = ch.send(out())
    assert not stopped.retryable and "STOP" in (stopped.error or "")
    throttled = ch.send(out())
    assert throttled.outage and throttled.retry_after == 1.0
    assert ch.send(out()).outage
    assert tw_channel(tw, token="wrong").send(out()).code == "20003"


def test_twilio_rate_limit_answers_429_with_retry_after(tw: FakeTwilio) -> None:
    tw.state.per_second = 2
    results = [tw_channel(tw).send(out(idempotency_key=f"k-{i}")) for i in range(3)]
    assert [r.status for r in results[:2]] == ["sent", "sent"]
    assert results[2].outage and results[2].retry_after == 1.0


def _signed_post(
    client: Any, fake: FakeTwilio, path: str, params: dict[str, str], **kw: Any
) -> Any:
    headers = fake.signed(BASE + path, params)
    headers.update(kw.pop("headers", {}))
    return client.post(path, content=urlencode(params), headers=headers)


def test_twilio_webhooks_status_and_inbound_stop(
    db_session: Session, case_id: int, tw: FakeTwilio, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_ACCOUNT_SID", tw.account_sid)
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_AUTH_TOKEN", tw.auth_token)
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_SENDER", "+15550001111")
    verify(db_session, case_id, "sms", PHONE)
    msg = enqueue(db_session, case_id, channel="sms", to=PHONE, body=SMS, idempotency_key="tw-1",
                  reassigned_check_on=date(2026, 11, 20))  # fmt: skip
    assert outbox.run_due(
        db_session=db_session, channels={"sms": tw_channel(tw)}, now=NOON_NY
    ).sent == [msg.id]
    db_session.commit()
    status = {"MessageSid": msg.provider_id or "", "MessageStatus": "delivered",
              "AccountSid": tw.account_sid, "To": PHONE}  # fmt: skip
    path = "/api/outreach/webhooks/twilio/status"
    forged = _signed_post(client, tw, path, status, headers={"X-Twilio-Signature": "AAAA"})
    assert forged.status_code == 401
    assert _signed_post(client, tw, path, status).json()["status_changes"] == 1
    assert _signed_post(client, tw, path, status).json()["status_changes"] == 0  # replay
    db_session.expire_all()
    assert outreach_service.get(db_session=db_session, message_id=msg.id).status == "delivered"
    stop = {"MessageSid": "SMin1", "From": PHONE, "To": "+15550001111", "Body": "STOP",
            "AccountSid": tw.account_sid}  # fmt: skip
    inbound = "/api/outreach/webhooks/twilio/inbound"
    assert _signed_post(client, tw, inbound, stop).json()["replies"] == 1
    assert _signed_post(client, tw, inbound, stop).json()["replies"] == 0
    db_session.expire_all()
    replies = db_session.scalars(select(InboundReply).where(InboundReply.case_id == case_id)).all()
    assert [r.text for r in replies] == ["STOP"]
    assert db_session.scalars(select(OptOutEntry)).one().source == "reply_stop"
    later = enqueue(db_session, case_id, channel="sms", to=PHONE, body=SMS, idempotency_key="tw-2",
                    reassigned_check_on=date(2026, 11, 20))  # fmt: skip
    assert later.status == "blocked"


def test_a_hard_bounce_by_status_callback_stops_the_address(
    db_session: Session, case_id: int, tw: FakeTwilio, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_ACCOUNT_SID", tw.account_sid)
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_AUTH_TOKEN", tw.auth_token)
    monkeypatch.setenv("CONCILIA_OUTREACH_TWILIO_SENDER", "+15550001111")
    verify(db_session, case_id, "sms", PHONE)
    msg = enqueue(db_session, case_id, channel="sms", to=PHONE, body=SMS, idempotency_key="tw-1",
                  reassigned_check_on=date(2026, 11, 20))  # fmt: skip
    outbox.run_due(db_session=db_session, channels={"sms": tw_channel(tw)}, now=NOON_NY)
    db_session.commit()
    params = {"MessageSid": msg.provider_id or "", "MessageStatus": "undelivered",
              "ErrorCode": "30005", "AccountSid": tw.account_sid}  # fmt: skip
    assert _signed_post(client, tw, "/api/outreach/webhooks/twilio/status", params).json() == {
        "replies": 0, "status_changes": 1,
    }  # fmt: skip
    db_session.expire_all()
    assert outreach_service.get(db_session=db_session, message_id=msg.id).status == "failed"
    assert db_session.scalars(select(OptOutEntry)).one().source == "hard_bounce"
