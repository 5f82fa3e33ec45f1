"""`concilia outreach run` end to end: a database file, the local SMTP server, the audit log."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from concilia.outreach.cli import app
from tests.outreach.test_outbox import CSV, EMAIL


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from concilia.config import get_settings
    from concilia.db import Base, get_engine, reset_engine
    from concilia.domains import load_all_models

    monkeypatch.setenv("CONCILIA_DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    get_settings.cache_clear()
    reset_engine()
    load_all_models()
    Base.metadata.create_all(get_engine())
    yield
    reset_engine()
    get_settings.cache_clear()


def test_run_sends_due_email_and_audits(
    database: None, smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concilia.audit import service as audit_service
    from concilia.db import session_scope
    from concilia.outreach import service as outreach_service
    from concilia.portfolio import service as portfolio_service

    with session_scope() as s:
        portfolio_service.import_portfolio(
            db_session=s, data=CSV, file="t.csv", creditor_name="Bank", actor="test"
        )
        [debtor] = portfolio_service.find_debtors_by_contact(
            db_session=s, kind="email", value="jane@example.org"
        )
        [debt] = portfolio_service.list_debts_of_debtor(db_session=s, debtor_id=debtor.id)
        case = portfolio_service.get_case_for_debt(db_session=s, debt_id=debt.id)
        portfolio_service.record_validation_notice(
            db_session=s, case=case, sent_on=date(2026, 11, 2), actor="test"
        )
        outreach_service.mark_identity_verified(
            db_session=s,
            debtor_id=debtor.id,
            channel="email",
            address="jane@example.org",
            method="dob",
            actor="agent",
        )
        outreach_service.enqueue(
            db_session=s,
            case_id=case.id,
            channel="email",
            kind="reminder",
            lang="en",
            to="jane@example.org",
            body=EMAIL,
            subject="Your account",
            actor="agent",
            idempotency_key="run-1",
            address_source="consumer_used",
        )
    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_SENDER", "agent@acme.example")
    runner = CliRunner()
    night = runner.invoke(app, ["run", "--now", "2026-11-24T07:00:00+00:00", "--no-tone"])
    assert night.exit_code == 0, night.output
    assert orjson.loads(night.stdout)["waiting"] == 1
    noon = runner.invoke(app, ["run", "--now", "2026-11-24T17:00:00+00:00", "--no-tone"])
    assert orjson.loads(noon.stdout)["sent"] == 1
    assert len(smtp_server.handler.messages) == 1
    with session_scope() as s:
        entries, _ = audit_service.list_entries(db_session=s, object_type="outbox_message")
        assert [e.action for e in reversed(entries)] == ["outreach.queued", "outreach.sent"]


def test_run_without_channels_is_an_error(database: None) -> None:
    result = CliRunner().invoke(app, ["run", "--no-tone"])
    assert result.exit_code == 2 and "no channel configured" in result.output


def test_every_repeats_passes_until_stopped(
    database: None, smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("CONCILIA_OUTREACH_SMTP_SENDER", "agent@acme.example")
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", nap)
    runner = CliRunner()
    result = runner.invoke(app, ["run", "--every", "30", "--no-tone"])
    assert naps == [30, 30]
    reports = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert len(reports) == 2 and all(r["sent"] == 0 for r in reports)
    both = runner.invoke(app, ["run", "--every", "30", "--now", "2026-11-24T07:00:00+00:00"])
    assert both.exit_code == 2 and "exclude each other" in both.output


def test_run_with_fakes_sends_sms_through_the_local_twilio_fake(database: None) -> None:
    import os

    from concilia.db import session_scope
    from concilia.outreach import service as outreach_service
    from concilia.portfolio import service as portfolio_service
    from tests.outreach.test_providers import PHONE, SMS

    with session_scope() as s:
        portfolio_service.import_portfolio(
            db_session=s, data=CSV, file="t.csv", creditor_name="Bank", actor="test"
        )
        [debtor] = portfolio_service.find_debtors_by_contact(
            db_session=s, kind="email", value="jane@example.org"
        )
        [debt] = portfolio_service.list_debts_of_debtor(db_session=s, debtor_id=debtor.id)
        case = portfolio_service.get_case_for_debt(db_session=s, debt_id=debt.id)
        portfolio_service.record_validation_notice(
            db_session=s, case=case, sent_on=date(2026, 11, 2), actor="test"
        )
        outreach_service.mark_identity_verified(
            db_session=s, debtor_id=debtor.id, channel="sms", address=PHONE, method="dob",
            actor="agent",
        )  # fmt: skip
        msg = outreach_service.enqueue(
            db_session=s, case_id=case.id, channel="sms", kind="reminder", lang="en", to=PHONE,
            body=SMS, actor="agent", idempotency_key="fake-1", address_source="consumer_used",
            reassigned_check_on=date(2026, 11, 20),
        )  # fmt: skip
        message_id = msg.id
    result = CliRunner().invoke(
        app, ["run", "--fakes", "--now", "2026-11-24T17:00:00+00:00", "--no-tone"]
    )
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["sent"] == 1
    with session_scope() as s:
        sent = outreach_service.get(db_session=s, message_id=message_id)
        assert sent.status == "sent" and (sent.provider_id or "").startswith("SM")
    # The fakes and their settings lasted for the run only.
    assert "CONCILIA_OUTREACH_TWILIO_ACCOUNT_SID" not in os.environ
