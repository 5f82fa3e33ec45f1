"""Outbox workers sharing one queue: claims, leases, provider pauses, rate limits.

These tests commit (several workers only see each other's committed claims), so they run on
their own database per test (a fresh SQLite file or PostgreSQL schema), not in the rolled-back
``db_session``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from concilia.audit import service as audit_service
from concilia.db import session_scope, utcnow
from concilia.outreach import outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels.http_provider import HttpProviderChannel
from concilia.outreach.channels.provider_stub import ProviderStub
from concilia.outreach.models import ContactLog, OutboxMessage
from tests.conftest import BACKENDS, PG_URL, drop_test_engine, make_test_engine
from tests.outreach.test_outbox import NOON_NY, debtor_id, make_case

SMS = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."
PHONE = "+12125550100"


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, str | None]]:
    """A committed database with one US case whose phone number is verified."""
    engine, schema = make_test_engine(request.param, tmp_path)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with session_scope(factory) as s:
        case_id = make_case(s)
        outreach_service.mark_identity_verified(
            db_session=s,
            debtor_id=debtor_id(s, case_id),
            channel="sms",
            address=PHONE,
            method="dob",
            actor="agent",
        )
    yield engine, schema
    drop_test_engine(engine, schema)


def factory_of(world: tuple[Engine, str | None]) -> sessionmaker[Session]:
    return sessionmaker(bind=world[0], expire_on_commit=False)


def queue(factory: sessionmaker[Session], count: int, prefix: str = "m") -> list[int]:
    with session_scope(factory) as s:
        case_id = _case(s)
        ids = [
            outreach_service.enqueue(
                db_session=s,
                case_id=case_id,
                channel="sms",
                kind="reminder",
                lang="en",
                to=PHONE,
                body=SMS,
                actor="agent",
                idempotency_key=f"{prefix}-{i}",
                address_source="consumer_used",
                reassigned_check_on=date(2026, 11, 20),
            ).id
            for i in range(count)
        ]
    return ids


def _case(s: Session) -> int:
    from concilia.portfolio import service as portfolio_service

    [debtor] = portfolio_service.find_debtors_by_contact(
        db_session=s, kind="email", value="jane@example.org"
    )
    [debt] = portfolio_service.list_debts_of_debtor(db_session=s, debtor_id=debtor.id)
    return int(portfolio_service.get_case_for_debt(db_session=s, debt_id=debt.id).id)


def statuses(factory: sessionmaker[Session]) -> dict[str, int]:
    with session_scope(factory) as s:
        rows = s.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    return {status: int(n) for status, n in rows}


def sent_audits(factory: sessionmaker[Session]) -> int:
    with session_scope(factory) as s:
        entries, _ = audit_service.list_entries(
            db_session=s, object_type="outbox_message", limit=1000
        )
        return sum(e.action == "outreach.sent" for e in entries)


@pytest.fixture
def stub() -> Iterator[ProviderStub]:
    with ProviderStub(token="tok") as provider:
        yield provider


def sms_channel(stub: ProviderStub) -> HttpProviderChannel:
    return HttpProviderChannel(name="sms", base_url=stub.url, token="tok")


def test_four_workers_send_each_message_exactly_once(
    world: tuple[Engine, str | None], stub: ProviderStub
) -> None:
    factory = factory_of(world)
    ids = queue(factory, 40)
    reports: list[outbox.RunReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(n: int) -> None:
        try:
            start.wait()
            reports.append(
                outbox.work(
                    factory=factory,
                    channels={"sms": sms_channel(stub)},
                    now=NOON_NY,
                    worker=f"w{n}",
                    batch=3,
                )
            )
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    sent = sorted(i for r in reports for i in r.sent)
    assert sent == sorted(ids)  # every message once, none twice, across the four
    assert stub.state.deliveries == 40 and sorted(stub.state.order) == sorted(
        f"m-{i}" for i in range(40)
    )
    assert statuses(factory) == {"sent": 40}
    with session_scope(factory) as s:
        assert s.scalar(select(func.count()).select_from(ContactLog)) == 40
    assert sent_audits(factory) == 40
    if world[1] is not None:  # on PostgreSQL the work was really shared
        assert sum(1 for r in reports if r.sent) >= 2


def test_a_claimed_message_is_taken_over_when_its_lease_runs_out(
    world: tuple[Engine, str | None], stub: ProviderStub
) -> None:
    factory = factory_of(world)
    [mid] = queue(factory, 1)
    wall = utcnow()
    with session_scope(factory) as s:
        [claimed] = outbox.claim(
            db_session=s, channels=["sms"], now=NOON_NY, worker="dead", lease=timedelta(seconds=30)
        )
        assert claimed.status == "sending" and claimed.lease_owner == "dead"
    with session_scope(factory) as s:  # another worker while the lease holds: nothing
        assert outbox.claim(db_session=s, channels=["sms"], now=NOON_NY, worker="alive") == []
    with session_scope(factory) as s:  # after it ran out: taken over
        [again] = outbox.claim(
            db_session=s,
            channels=["sms"],
            now=NOON_NY,
            worker="alive",
            wall=wall + timedelta(seconds=31),
        )
        assert again.id == mid and again.lease_owner == "alive"
    # The dead worker's late attempt finds the message is no longer its own and sends nothing.
    late = outbox.work(
        factory=factory, channels={"sms": sms_channel(stub)}, now=NOON_NY, worker="dead"
    )
    assert late.sent == [] and stub.state.deliveries == 0


def test_outage_pauses_the_provider_and_the_queue_drains_in_order(
    world: tuple[Engine, str | None], stub: ProviderStub
) -> None:
    factory = factory_of(world)
    ids = queue(factory, 5)
    channels = {"sms": sms_channel(stub)}
    stub.state.down = True
    first = outbox.work(factory=factory, channels=channels, now=NOON_NY, worker="w")
    # One message tried, the provider paused for every worker; the rest not even tried.
    assert first.paused == [ids[0]] and first.sent == []
    assert statuses(factory) == {"queued": 5}
    later = outbox.work(
        factory=factory, channels=channels, now=NOON_NY + timedelta(seconds=30), worker="w"
    )
    assert later.as_dict()["paused"] == 0 and later.sent == []  # still paused: nothing tried
    still = outbox.work(
        factory=factory, channels=channels, now=NOON_NY + timedelta(minutes=1), worker="w"
    )
    assert still.paused == [ids[0]]  # the probe: the oldest message, alone
    stub.state.down = False
    back = outbox.work(
        factory=factory, channels=channels, now=NOON_NY + timedelta(minutes=4), worker="w"
    )
    assert back.sent == ids
    assert stub.state.order == [f"m-{i}" for i in range(5)]  # drained in queue order
    with session_scope(factory) as s:
        assert all(m.attempts == 1 for m in s.scalars(select(OutboxMessage)))


def test_a_message_that_became_unlawful_during_the_outage_is_not_sent(
    world: tuple[Engine, str | None], stub: ProviderStub
) -> None:
    from concilia.portfolio import service as portfolio_service

    factory = factory_of(world)
    ids = queue(factory, 2)
    channels = {"sms": sms_channel(stub)}
    stub.state.down = True
    outbox.work(factory=factory, channels=channels, now=NOON_NY, worker="w")
    with session_scope(factory) as s:  # meanwhile the debtor disputes the debt
        case_id = s.get(OutboxMessage, ids[0]).case_id  # type: ignore[union-attr]
        portfolio_service.set_case_flag(
            db_session=s,
            case_id=case_id,
            flag="disputed",
            value=True,
            actor="agent",
            reason="letter",
        )
    stub.state.down = False
    back = outbox.work(
        factory=factory, channels=channels, now=NOON_NY + timedelta(minutes=2), worker="w"
    )
    assert back.blocked == ids and back.sent == [] and stub.state.deliveries == 0
    # Quiet hours also hold a message that was due before the outage.
    with session_scope(factory) as s:
        portfolio_service.set_case_flag(
            db_session=s,
            case_id=case_id,
            flag="dispute_answered",
            value=True,
            actor="agent",
            reason="verification mailed",
        )
    more = queue(factory, 1, prefix="n")
    night = NOON_NY + timedelta(hours=14)  # 02:00 in New York
    assert outbox.work(factory=factory, channels=channels, now=night, worker="w").waiting == more
    assert stub.state.deliveries == 0


def test_rate_limit_is_shared_through_the_provider_row(world: tuple[Engine, str | None]) -> None:
    factory = factory_of(world)
    queue(factory, 10)
    wall = utcnow()

    def take(worker: str, at: Any) -> int:
        with session_scope(factory) as s:
            return len(
                outbox.claim(
                    db_session=s,
                    channels=["sms"],
                    now=NOON_NY,
                    worker=worker,
                    rates={"sms": 2.0},
                    wall=at,
                )
            )

    assert take("a", wall) == 2  # a full bucket: two per second
    assert take("b", wall) == 0  # the other worker finds it empty
    assert take("b", wall + timedelta(milliseconds=500)) == 1
    assert take("a", wall + timedelta(seconds=5)) == 2  # refilled, never above the burst


def test_throttled_provider_waits_its_retry_after(
    world: tuple[Engine, str | None], stub: ProviderStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concilia.outreach.channels.base import SendResult

    factory = factory_of(world)
    [mid] = queue(factory, 1)
    channel = sms_channel(stub)
    monkeypatch.setattr(
        channel,
        "send",
        lambda m: SendResult(
            "failed", error="HTTP 429", retryable=True, outage=True, retry_after=120
        ),
    )
    assert outbox.work(
        factory=factory, channels={"sms": channel}, now=NOON_NY, worker="w"
    ).paused == [mid]
    at_90s = NOON_NY + timedelta(seconds=90)
    assert (
        outbox.work(factory=factory, channels={"sms": channel}, now=at_90s, worker="w").paused == []
    )


def _pg_only(world: tuple[Engine, str | None]) -> str:
    if world[1] is None:
        pytest.skip("a killed process against a SQLite file is covered by the lease test")
    return world[1]


@pytest.mark.slow
def test_worker_killed_mid_send_is_retried_not_lost_not_duplicated(
    world: tuple[Engine, str | None], stub: ProviderStub
) -> None:
    schema = _pg_only(world)
    factory = factory_of(world)
    [mid] = queue(factory, 1)
    stub.state.hold = threading.Event()
    env = {
        **os.environ,
        "CONCILIA_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{schema}",
        "CONCILIA_OUTREACH_SMS_PROVIDER_URL": stub.url,
        "CONCILIA_OUTREACH_SMS_PROVIDER_TOKEN": "tok",
        "CONCILIA_OUTREACH_LEASE_SECONDS": "2",
    }
    cli = [sys.executable, "-m", "concilia.cli", "outreach", "run", "--no-tone"]
    victim = subprocess.Popen(
        [*cli, "--now", NOON_NY.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while stub.state.deliveries == 0 and time.monotonic() < deadline and victim.poll() is None:
        time.sleep(0.05)
    assert stub.state.deliveries == 1, victim.communicate(timeout=5)
    victim.kill()  # SIGKILL while the provider holds the answer: the commit never happens
    victim.wait(10)
    stub.state.hold.set()
    stub.state.hold = None
    with session_scope(factory) as s:
        msg = s.get(OutboxMessage, mid)
        assert msg is not None and msg.status == "sending" and msg.sent_at is None
    time.sleep(2.2)  # the dead worker's lease runs out
    rescue = subprocess.run(
        [*cli, "--now", NOON_NY.isoformat()], env=env, capture_output=True, timeout=300
    )
    assert rescue.returncode == 0, rescue.stderr.decode()
    with session_scope(factory) as s:
        msg = s.get(OutboxMessage, mid)
        # Two attempts: the one that died with its worker (it reached the provider) and the
        # retry, which the provider answered with the first delivery.
        assert msg is not None and msg.status == "sent" and msg.attempts == 2
        assert s.scalar(select(func.count()).select_from(ContactLog)) == 1
        first_id = stub.state.by_key["m-0"]
        assert msg.provider_id == first_id  # the provider answered with the first delivery
    assert stub.state.deliveries == 1  # the idempotency key: delivered once
    assert sent_audits(factory) == 1
