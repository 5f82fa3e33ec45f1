"""The outbox against the database, a local SMTP server and the provider stub."""
# ruff: noqa: E501

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.errors import InvalidInput
from concilia.outreach import outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels.email import SmtpChannel
from concilia.outreach.channels.http_provider import HttpProviderChannel
from concilia.outreach.rules.model import SOCIAL_CHANNELS
from concilia.portfolio import service as portfolio_service
from tests.certification.support import certify

CSV = (
    b"account_reference,debtor_reference,given_names,family_names,emails,phones,jurisdiction,"
    b"time_zone,preferred_language,principal,currency\n"
    b"A-1,P-1,Jane,Roe,jane@example.org,+12125550100,US,America/New_York,en,120.00,USD\n"
)
NOON_NY = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday, 12:00 in New York
EMAIL = "Hello Jane, this is Acme Recovery, a debt collector. Your balance is $120. Reply STOP to opt out."


def make_case(db_session: Session) -> int:
    portfolio_service.import_portfolio(
        db_session=db_session, data=CSV, file="t.csv", creditor_name="Bank", actor="test"
    )
    [debtor] = portfolio_service.find_debtors_by_contact(
        db_session=db_session, kind="email", value="jane@example.org"
    )
    [debt] = portfolio_service.list_debts_of_debtor(db_session=db_session, debtor_id=debtor.id)
    case = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id)
    # The validation notice (12 CFR 1006.34) went out before these collection messages.
    portfolio_service.record_validation_notice(
        db_session=db_session, case=case, sent_on=date(2026, 11, 2), actor="test"
    )
    return int(case.id)


def debtor_id(db_session: Session, case_id: int) -> int:
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    return int(portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id).debtor_id)


def verify(db_session: Session, case_id: int, channel: str, address: str) -> None:
    outreach_service.mark_identity_verified(
        db_session=db_session,
        debtor_id=debtor_id(db_session, case_id),
        channel=channel,
        address=address,
        method="dob",
        actor="agent",
    )


def enqueue(db_session: Session, case_id: int, **kw: Any) -> Any:
    base: dict[str, Any] = dict(
        channel="email",
        kind="reminder",
        lang="en",
        to="jane@example.org",
        subject="Your account",
        body=EMAIL,
        actor="agent",
        idempotency_key="case-1/reminder/1",
        address_source="consumer_used",
    )
    base.update(kw)
    if base["channel"] in SOCIAL_CHANNELS:
        # Social channels need certified staff (issue 20): the default agent is certified.
        base["actor"] = certify(db_session, "agent")
    return outreach_service.enqueue(db_session=db_session, case_id=case_id, **base)


def smtp(server: Any) -> SmtpChannel:
    return SmtpChannel(host="127.0.0.1", port=server.port, sender="agent@acme.example")


def actions(db_session: Session, message_id: int) -> list[str]:
    rows, _ = audit_service.list_entries(
        db_session=db_session, object_type="outbox_message", object_id=str(message_id)
    )
    return [r.action for r in reversed(rows)]


def test_email_is_sent_once_to_the_local_smtp_server_and_audited(
    db_session: Session, case_id: int, smtp_server: Any
) -> None:
    verify(db_session, case_id, "email", "jane@example.org")
    msg = enqueue(db_session, case_id)
    again = enqueue(db_session, case_id)
    assert again.id == msg.id and msg.status == "queued"
    report = outbox.run_due(
        db_session=db_session, channels={"email": smtp(smtp_server)}, now=NOON_NY
    )
    assert report.sent == [msg.id]
    second = outbox.run_due(
        db_session=db_session,
        channels={"email": smtp(smtp_server)},
        now=NOON_NY + timedelta(minutes=5),
    )
    assert second.sent == []
    assert len(smtp_server.handler.messages) == 1
    assert smtp_server.handler.messages[0]["X-Concilia-Idempotency-Key"] == "case-1/reminder/1"
    assert msg.status == "sent" and msg.sent_at == NOON_NY
    assert actions(db_session, msg.id) == ["outreach.queued", "outreach.sent"]
    assert audit_service.verify(db_session=db_session).ok


def test_debt_message_before_identity_is_blocked_at_enqueue(
    db_session: Session, case_id: int
) -> None:
    msg = enqueue(
        db_session, case_id, channel="social_dm", to="fb:jane.roe", idempotency_key="dm-1"
    )
    assert msg.status == "blocked"
    assert "US-IDENTITY-FIRST" in {r["rule"] for r in msg.reasons}
    assert actions(db_session, msg.id) == ["outreach.blocked"]


def test_quiet_hours_make_the_message_wait_not_fail(
    db_session: Session, case_id: int, smtp_server: Any
) -> None:
    verify(db_session, case_id, "email", "jane@example.org")
    msg = enqueue(db_session, case_id)
    night = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 02:00 in New York
    report = outbox.run_due(db_session=db_session, channels={"email": smtp(smtp_server)}, now=night)
    assert report.waiting == [msg.id] and msg.status == "queued"
    assert msg.next_attempt_at == night + outbox.WAIT_STEP
    assert smtp_server.handler.messages == []
    assert outbox.run_due(
        db_session=db_session, channels={"email": smtp(smtp_server)}, now=NOON_NY
    ).sent == [msg.id]


def test_retry_with_backoff_and_single_delivery(
    db_session: Session, case_id: int, provider: Any
) -> None:
    verify(db_session, case_id, "sms", "+12125550100")
    sms = HttpProviderChannel(name="sms", base_url=provider.url, token="test-token")
    msg = enqueue(
        db_session,
        case_id,
        channel="sms",
        to="+12125550100",
        idempotency_key="sms-1",
        body="Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out.",
        reassigned_check_on=date(2026, 11, 20),
    )
    provider.state.fail_next = 1
    first = outbox.run_due(db_session=db_session, channels={"sms": sms}, now=NOON_NY)
    # A 503 is the provider's trouble, not the message's: the provider pauses for a minute.
    assert first.paused == [msg.id], msg.reasons
    assert msg.status == "queued" and msg.attempts == 0
    assert (
        outbox.run_due(
            db_session=db_session, channels={"sms": sms}, now=NOON_NY + timedelta(seconds=30)
        ).sent
        == []
    )
    assert outbox.run_due(
        db_session=db_session, channels={"sms": sms}, now=NOON_NY + timedelta(minutes=1)
    ).sent == [msg.id]
    assert provider.state.deliveries == 1 and msg.attempts == 1
    assert actions(db_session, msg.id) == [
        "outreach.queued",
        "outreach.send_retry",
        "outreach.sent",
    ]
    provider.deliver(msg.provider_id)
    assert outbox.refresh_statuses(db_session=db_session, channels={"sms": sms}, now=NOON_NY) == 1
    assert msg.status == "delivered"


def test_backoff_grows_and_is_capped() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert outbox.backoff(20) == outbox.BACKOFF_MAX


def test_case_change_after_queueing_blocks_at_send_time(
    db_session: Session, case_id: int, smtp_server: Any
) -> None:
    verify(db_session, case_id, "email", "jane@example.org")
    msg = enqueue(db_session, case_id)
    portfolio_service.set_case_flag(
        db_session=db_session,
        case_id=case_id,
        flag="disputed",
        value=True,
        actor="agent",
        reason="letter",
    )
    report = outbox.run_due(
        db_session=db_session, channels={"email": smtp(smtp_server)}, now=NOON_NY
    )
    assert report.blocked == [msg.id] and msg.status == "blocked"
    assert "US-DISPUTE" in {r["rule"] for r in msg.reasons}
    assert smtp_server.handler.messages == []


def test_collection_resumes_only_once_the_dispute_is_answered(
    db_session: Session, case_id: int
) -> None:
    verify(db_session, case_id, "email", "jane@example.org")

    def flag(name: str, value: bool) -> None:
        portfolio_service.set_case_flag(
            db_session=db_session,
            case_id=case_id,
            flag=name,
            value=value,
            actor="agent",
            reason="verification mailed",
        )

    with pytest.raises(InvalidInput):  # nothing to answer on an undisputed case
        flag("dispute_answered", True)
    flag("disputed", True)
    held = enqueue(db_session, case_id, idempotency_key="d-1")
    assert "US-DISPUTE" in {r["rule"] for r in held.reasons}
    flag("dispute_answered", True)
    resumed = enqueue(db_session, case_id, idempotency_key="d-2")
    assert "US-DISPUTE" not in {r["rule"] for r in resumed.reasons}
    # A new dispute needs its own answer.
    flag("disputed", False)
    flag("disputed", True)
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    assert case.disputed and not case.dispute_answered
    again = enqueue(db_session, case_id, idempotency_key="d-3")
    assert "US-DISPUTE" in {r["rule"] for r in again.reasons}


def test_reply_is_attached_to_the_case_and_stop_opts_out(
    db_session: Session, case_id: int, provider: Any
) -> None:
    verify(db_session, case_id, "sms", "+12125550100")
    sms = HttpProviderChannel(name="sms", base_url=provider.url, token="test-token")
    body = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."
    msg = enqueue(
        db_session,
        case_id,
        channel="sms",
        to="+12125550100",
        idempotency_key="sms-2",
        body=body,
        reassigned_check_on=date(2026, 11, 20),
    )
    assert outbox.run_due(db_session=db_session, channels={"sms": sms}, now=NOON_NY).sent == [
        msg.id
    ]
    provider.state.add_inbound(
        channel="sms",
        sender="+12125550100",
        text="Can I pay in 3 times?",
        in_reply_to=msg.provider_id,
    )
    provider.state.add_inbound(channel="sms", sender="+12125550100", text="STOP")
    replies = outbox.ingest_replies(db_session=db_session, channel=sms, since=None, now=NOON_NY)
    assert [r.case_id for r in replies] == [case_id, case_id]
    assert outbox.ingest_replies(db_session=db_session, channel=sms, since=None, now=NOON_NY) == []
    later = enqueue(
        db_session,
        case_id,
        channel="sms",
        to="+12125550100",
        idempotency_key="sms-3",
        body=body,
        reassigned_check_on=date(2026, 11, 20),
    )
    assert later.status == "blocked"
    assert "US-CHANNEL-OPT-OUT" in {r["rule"] for r in later.reasons}


def test_calls_logged_by_agents_count_towards_the_limits(db_session: Session, case_id: int) -> None:
    start = NOON_NY - timedelta(days=6)
    for i in range(6):
        outreach_service.log_call(
            db_session=db_session,
            case_id=case_id,
            at=start + timedelta(days=i),
            outcome="no_answer",
            actor="agent",
        )
    ok = outreach_service.check_call(
        db_session=db_session, case_id=case_id, phone="+12125550100", at=NOON_NY
    )
    assert ok.verdict == "allow", ok.reasons
    outreach_service.log_call(
        db_session=db_session,
        case_id=case_id,
        at=NOON_NY - timedelta(hours=1),
        outcome="conversation",
        actor="agent",
    )
    blocked = outreach_service.check_call(
        db_session=db_session, case_id=case_id, phone="+12125550100", at=NOON_NY + timedelta(days=2)
    )
    assert blocked.verdict == "block"
    assert {r.rule for r in blocked.reasons} == {"US-CALL-FREQUENCY"}


def test_review_then_approval(db_session: Session, case_id: int, smtp_server: Any) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Flag:
        category: str = "false_urgency"
        start: int = 0
        end: int = 1
        text: str = "today"
        severity: str = "review"

    verify(db_session, case_id, "email", "jane@example.org")

    def tone(text: str, lang: str | None) -> list[Flag]:
        return [Flag()]

    msg = enqueue(db_session, case_id, tone=tone)
    assert msg.status == "review"
    with pytest.raises(Exception, match="not waiting for review"):
        outreach_service.approve(
            db_session=db_session,
            message_id=enqueue(db_session, case_id, idempotency_key="other", body="x").id,
            actor="officer",
        )
    outreach_service.approve(db_session=db_session, message_id=msg.id, actor="officer")
    report = outbox.run_due(
        db_session=db_session, channels={"email": smtp(smtp_server)}, now=NOON_NY, tone=tone
    )
    assert report.sent == [msg.id]


def test_a_sent_validation_notice_is_recorded_on_the_case_and_frees_collection(
    db_session: Session, case_id: int, smtp_server: Any
) -> None:
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    case.validation_notice_at = None  # this case has had no notice yet
    verify(db_session, case_id, "email", "jane@example.org")
    blocked = enqueue(db_session, case_id, idempotency_key="before-notice")
    assert blocked.status == "blocked"
    assert "US-VALIDATION-NOTICE" in {r["rule"] for r in blocked.reasons}
    notice = enqueue(db_session, case_id, kind="validation_notice", idempotency_key="notice")
    assert notice.status == "queued"
    report = outbox.run_due(
        db_session=db_session, channels={"email": smtp(smtp_server)}, now=NOON_NY
    )
    assert report.sent == [notice.id]
    assert case.validation_notice_at == NOON_NY.date()
    after = enqueue(db_session, case_id, idempotency_key="after-notice")
    assert after.status == "queued"


def test_a_reply_revealing_health_is_stored_redacted_and_the_case_flagged(
    db_session: Session, case_id: int, provider: Any
) -> None:
    verify(db_session, case_id, "sms", "+12125550100")
    sms = HttpProviderChannel(name="sms", base_url=provider.url, token="test-token")
    body = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."
    msg = enqueue(
        db_session,
        case_id,
        channel="sms",
        to="+12125550100",
        idempotency_key="sms-health",
        body=body,
        reassigned_check_on=date(2026, 11, 20),
    )
    outbox.run_due(db_session=db_session, channels={"sms": sms}, now=NOON_NY)
    provider.state.add_inbound(
        channel="sms",
        sender="+12125550100",
        text="I am on chemotherapy for my cancer and cannot work until spring.",
        in_reply_to=msg.provider_id,
    )
    provider.state.add_inbound(
        channel="sms", sender="+12125550100", text="Can I pay 40 dollars a month?"
    )
    replies = outbox.ingest_replies(db_session=db_session, channel=sms, since=None, now=NOON_NY)
    texts = sorted(r.text for r in replies)
    assert texts == sorted(["[…]", "Can I pay 40 dollars a month?"])
    assert "chemotherapy" not in " ".join(texts)
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    assert case.vulnerability_possible
