"""A worker's batch looks up identity checks, opt-outs, replies, contacts and first letters
once (context.prefetch); what the engine is given must be what it would have been given
message by message."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from concilia.outreach import context, outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import InboundMessage, OutgoingMessage, SendResult
from concilia.outreach.channels.base import SendStatus
from concilia.outreach.models import OutboxMessage
from concilia.portfolio import service as portfolio_service
from tests.outreach.test_outbox import NOON_NY, debtor_id, enqueue, verify
from tests.outreach.test_providers import PHONE, SMS


def _sms(db_session: Session, case_id: int, key: str) -> OutboxMessage:
    msg: OutboxMessage = enqueue(
        db_session, case_id, channel="sms", to=PHONE, body=SMS, idempotency_key=key,
        reassigned_check_on=date(2026, 11, 20),
    )  # fmt: skip
    return msg


def _build(db_session: Session, msg: OutboxMessage, known: context.Known | None) -> object:
    return context.build(
        db_session=db_session, case_id=msg.case_id, channel=msg.channel,
        to=outreach_service.message_recipient(msg), text=msg.body, kind=msg.kind, at=NOON_NY,
        automated=msg.automated, address_source=msg.address_source,
        reassigned_check_on=msg.reassigned_check_on, known=known,
    )  # fmt: skip


def test_prefetched_lookups_give_the_engine_what_single_lookups_give(
    db_session: Session, case_id: int
) -> None:
    verify(db_session, case_id, "sms", PHONE)
    sent = _sms(db_session, case_id, "k-0")
    assert outbox.run_due(
        db_session=db_session, channels={"sms": _Ok()}, now=NOON_NY - timedelta(days=1)
    ).sent == [sent.id]
    outreach_service.record_opt_out(
        db_session=db_session, debtor_id=debtor_id(db_session, case_id), channel="email",
        address="jane@example.org", source="reply_stop", actor="agent",
    )  # fmt: skip
    msg = _sms(db_session, case_id, "k-1")
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    known = context.prefetch(
        db_session=db_session,
        messages=[(case_id, case.debt_id, case.debt.debtor_id, PHONE)],
        at=NOON_NY,
    )
    assert known.debts == {case.debt_id}
    with_known, alone = _build(db_session, msg, known), _build(db_session, msg, None)
    assert with_known == alone
    assert alone.identity_verified and len(alone.history) == 1 and alone.opt_outs  # type: ignore[attr-defined]


def test_a_debtor_twice_in_a_batch_is_looked_up_message_by_message(
    db_session: Session, case_id: int
) -> None:
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    row = (case_id, case.debt_id, case.debt.debtor_id, PHONE)
    known = context.prefetch(db_session=db_session, messages=[row, row], at=NOON_NY)
    assert known.debts == set()  # the second must see the first one's contact


class _Ok:
    name = "sms"
    idempotent = True

    def send(self, message: OutgoingMessage) -> SendResult:
        return SendResult("sent", provider_id="P-1")

    def status(self, provider_id: str) -> SendStatus | None:
        return None

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        return []


_STATED = (
    "account_reference,debtor_reference,given_names,family_names,emails,phones,"
    "emails_provenance,phones_provenance,creditor_notice_date,jurisdiction,time_zone,"
    "preferred_language,principal,currency\n"
    "A-P,P-P,Jane,Roe,jane@example.org,+12125550100,consumer_used,creditor_notice,2026-10-01,"
    "US,America/New_York,en,120.00,USD\n"
)


def test_a_batch_reads_the_stated_provenance_from_the_loaded_debtor(
    db_session: Session,
) -> None:
    """The creditor's stated provenance (and notice day) of the address comes from the
    contacts loaded with the debtor, as the one-query look-up would give it."""
    portfolio_service.import_portfolio(
        db_session=db_session, data=_STATED.encode(), file="p.csv", creditor_name="Bank",
        actor="test",
    )  # fmt: skip
    [debt] = portfolio_service.find_debts_by_account_reference(
        db_session=db_session, reference="A-P"
    )
    case = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id)
    msg = enqueue(
        db_session, int(case.id), channel="sms", to=PHONE, body=SMS, idempotency_key="k-p",
        address_source=None,
    )  # fmt: skip
    known = context.prefetch(
        db_session=db_session, messages=[(case.id, debt.id, debt.debtor_id, PHONE)], at=NOON_NY
    )
    with_known, alone = _build(db_session, msg, known), _build(db_session, msg, None)
    assert with_known == alone
    assert alone.address_source == "creditor_notice"  # type: ignore[attr-defined]
    assert alone.creditor_notice_at == date(2026, 10, 1)  # type: ignore[attr-defined]
