"""Messenger through Meta's Send API (local fake with the platform's window): the window and
the HUMAN_AGENT tag enforced from data before sending, and the Page's signed webhooks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from concilia.outreach import outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import OutgoingMessage
from concilia.outreach.channels.fakes import FakeMessenger
from concilia.outreach.channels.messenger import MetaSendChannel
from concilia.outreach.channels.social import PlatformRouter
from tests.certification.support import certify
from tests.outreach.test_outbox import NOON_NY, enqueue, verify

PSID = "6543210987"
TO = f"messenger:{PSID}"
BODY = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."


@pytest.fixture
def fb() -> Iterator[FakeMessenger]:
    with FakeMessenger() as fake:
        yield fake


def channel(fake: FakeMessenger) -> PlatformRouter:
    return PlatformRouter({"messenger": MetaSendChannel(token=fake.token, base_url=fake.url)})


def out(**kw: Any) -> OutgoingMessage:
    base: dict[str, Any] = dict(channel="social_dm", to=TO, body="Hello", idempotency_key="k")
    base.update(kw)
    return OutgoingMessage(**base)


def test_send_api_shapes_window_and_errors(fb: FakeMessenger) -> None:
    ch = channel(fb)
    fb.wrote[PSID] = time.time() - 3600
    ok = ch.send(out())
    assert ok.status == "sent" and (ok.provider_id or "").startswith("m_")
    assert fb.state.sent[0]["recipient"] == {"id": PSID}
    assert fb.state.sent[0]["messaging_type"] == "RESPONSE"
    fb.wrote[PSID] = time.time() - 30 * 3600
    late = ch.send(out())
    assert late.status == "failed" and not late.retryable and late.code == "10/2018278"
    assert "outside the allowed messaging window" in (late.error or "")
    tagged = ch.send(out(metadata={"tag": "HUMAN_AGENT"}))
    assert tagged.status == "sent" and fb.state.sent[-1]["tag"] == "HUMAN_AGENT"
    assert ch.send(out(to="messenger:nobody")).code == "100/2018001"
    fb.state.fail_next = [(400, 613)]
    assert ch.send(out()).outage  # rate limited: the provider pauses, the message waits
    assert not ch.send(out(to="telegram:1")).retryable  # no such platform configured


def test_window_from_data_then_webhook_reply_opens_it(
    db_session: Session,
    case_id: int,
    fb: FakeMessenger,
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONCILIA_OUTREACH_META_APP_SECRET", fb.app_secret)
    actor = certify(db_session, "ana")
    verify(db_session, case_id, "social_dm", TO)
    first = enqueue(db_session, case_id, channel="social_dm", to=TO, body=BODY, actor=actor,
                    idempotency_key="fb-1")  # fmt: skip
    assert first.status == "queued", first.reasons
    report = outbox.run_due(db_session=db_session, channels={"social_dm": channel(fb)}, now=NOON_NY)
    # Refused before sending: the person never wrote, so Messenger allows nothing.
    assert report.blocked == [first.id] and fb.state.sent == []
    assert first.reasons[-1]["rule"] == "PLATFORM-MESSENGER-WINDOW"
    db_session.commit()
    wrote = NOON_NY - timedelta(minutes=30)
    body, headers = fb.webhook([fb.message(PSID, "Hello, who is this?", wrote.timestamp())])
    hook = "/api/outreach/webhooks/meta"
    forged = {**headers, "X-Hub-Signature-256": "sha256=0"}
    assert client.post(hook, content=body, headers=forged).status_code == 401
    assert client.post(hook, content=body, headers=headers).json()["replies"] == 1
    assert client.post(hook, content=body, headers=headers).json()["replies"] == 0  # replay
    db_session.expire_all()
    [reply] = outreach_service.list_replies(db_session=db_session, case_ids=None, case_id=case_id)
    assert reply.text == "Hello, who is this?" and reply.received_at == wrote
    fb.wrote[PSID] = time.time()  # the fake judges by its own (real) clock
    answer = enqueue(db_session, case_id, channel="social_dm", to=TO, body=BODY, actor=actor,
                     idempotency_key="fb-2")  # fmt: skip
    assert outbox.run_due(
        db_session=db_session, channels={"social_dm": channel(fb)}, now=NOON_NY
    ).sent == [answer.id]
    assert fb.state.sent[-1]["messaging_type"] == "RESPONSE"
    # Three days later: an agent's own answer goes with HUMAN_AGENT, automation does not.
    later = NOON_NY + timedelta(days=3)
    human = enqueue(db_session, case_id, channel="social_dm", to=TO, body=BODY, actor=actor,
                    idempotency_key="fb-3", automated=False)  # fmt: skip
    robot = enqueue(db_session, case_id, channel="social_dm", to=TO, body=BODY, actor=actor,
                    idempotency_key="fb-4")  # fmt: skip
    third = outbox.run_due(db_session=db_session, channels={"social_dm": channel(fb)}, now=later)
    assert third.sent == [human.id] and third.blocked == [robot.id]
    assert fb.state.sent[-1]["tag"] == "HUMAN_AGENT"
    assert "last 24 hours" in robot.reasons[-1]["explanation"]
    # Delivery receipts by webhook, once.
    mid = human.provider_id or ""
    delivery = {"sender": {"id": PSID}, "recipient": {"id": "PAGE-1"},
                "timestamp": int(time.time() * 1000), "delivery": {"mids": [mid]}}  # fmt: skip
    db_session.commit()
    body, headers = fb.webhook([delivery])
    assert client.post(hook, content=body, headers=headers).json()["status_changes"] == 1
    assert client.post(hook, content=body, headers=headers).json()["status_changes"] == 0


def test_fakes_command_prints_settings_that_configure_every_channel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from concilia.outreach.cli import app
    from concilia.outreach.settings import OutreachSettings

    result = CliRunner().invoke(app, ["fakes", "--seconds", "0.1"])
    assert result.exit_code == 0, result.output
    for line in result.stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        monkeypatch.setenv(key, value)
    channels = OutreachSettings().channels()
    assert isinstance(channels["social_dm"], PlatformRouter)
    assert set(channels["social_dm"].routes) == {"whatsapp", "messenger", "instagram"}
    assert type(channels["sms"]).__name__ == "TwilioSmsChannel"
