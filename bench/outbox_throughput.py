"""Outbox throughput on PostgreSQL: messages per second with 1, 2 and 4 worker processes.

Each worker is a separate process running ``outbox.work`` (claims of --batch messages with
FOR UPDATE SKIP LOCKED, each batch's sends recorded in one transaction) against a fresh
schema, sending SMS through a local fake in this process, on loopback: the generic provider
stub (channels/provider_stub.py) or, with --provider twilio, the Twilio fake. Every message
is judged again by the rules engine at send time, as in production (the tone checker is off
unless --tone). Each worker counts the SQL statements it sends; the result gives them per
message sent, and the CPU per message sent of the workers, of the PostgreSQL server
processes serving them and of the fake (this process). Each worker first sends two batches
of its own on another schema (start-up is not throughput; --no-warm-up measures it too).
Prints one JSON object; the issue's
target is >= 200 messages/s with 4 workers on PostgreSQL.

    .venv/bin/python bench/outbox_throughput.py --messages 1200
    .venv/bin/python bench/outbox_throughput.py --messages 200 --provider twilio --batch 50
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

PG_URL = os.environ.get("CONCILIA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOON_NY = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # a Tuesday, 12:00 in New York
CASES = 100
SMS = "Acme Recovery, a debt collector: your balance is $120. Reply STOP to opt out."
TWILIO_SID = "AC" + "0" * 32


def _csv(cases: int) -> bytes:
    head = (
        "account_reference,debtor_reference,given_names,family_names,emails,phones,"
        "jurisdiction,time_zone,preferred_language,principal,currency\n"
    )
    rows = [
        f"A-{i},P-{i},Jane,Roe{i},jane{i}@example.org,+1212555{100 + i:04d},US,"
        f"America/New_York,en,120.00,USD\n"
        for i in range(cases)
    ]
    return (head + "".join(rows)).encode()


def _setup(url: str, schema: str, messages: int) -> None:
    """A fresh schema with CASES verified US debtors and ``messages`` queued SMS."""
    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker

    from concilia.db import Base, make_engine, session_scope
    from concilia.domains import load_all_models
    from concilia.outreach import service as outreach_service
    from concilia.portfolio import service as portfolio_service

    load_all_models()
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    Base.metadata.create_all(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with session_scope(factory) as s:
        portfolio_service.import_portfolio(
            db_session=s, data=_csv(CASES), file="bench.csv", creditor_name="Bank", actor="bench"
        )
    targets: list[tuple[int, str]] = []
    with session_scope(factory) as s:
        for i in range(CASES):
            [debtor] = portfolio_service.find_debtors_by_contact(
                db_session=s, kind="email", value=f"jane{i}@example.org"
            )
            [debt] = portfolio_service.list_debts_of_debtor(db_session=s, debtor_id=debtor.id)
            case = portfolio_service.get_case_for_debt(db_session=s, debt_id=debt.id)
            portfolio_service.record_validation_notice(
                db_session=s, case=case, sent_on=date(2026, 11, 2), actor="bench"
            )
            phone = f"+1212555{100 + i:04d}"
            outreach_service.mark_identity_verified(
                db_session=s,
                debtor_id=debtor.id,
                channel="sms",
                address=phone,
                method="dob",
                actor="bench",
            )
            targets.append((int(case.id), phone))
    with session_scope(factory) as s:
        for n in range(messages):
            case_id, phone = targets[n % CASES]
            msg = outreach_service.enqueue(
                db_session=s,
                case_id=case_id,
                channel="sms",
                kind="reminder",
                lang="en",
                to=phone,
                body=SMS,
                actor="bench",
                idempotency_key=f"bench-{schema}-{n}",
                address_source="consumer_used",
                reassigned_check_on=date(2026, 11, 20),
            )
            if msg.status != "queued":
                raise SystemExit(f"bench setup: message {n} is {msg.status}: {msg.reasons}")
    engine.dispose()


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process on this machine has used so far (0 if gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _worker(
    url: str,
    schema: str,
    warm: tuple[str, str] | None,
    provider: tuple[str, str],
    tone: bool,
    batch: int,
    start: Any,
    out: Any,
) -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import sessionmaker

    from concilia.db import make_engine
    from concilia.outreach import outbox
    from concilia.outreach.channels import Channel
    from concilia.outreach.channels.http_provider import HttpProviderChannel
    from concilia.outreach.channels.twilio import TwilioSmsChannel
    from concilia.outreach.check import default_tone_checker
    from concilia.outreach.worker import worker_id

    # One engine for the warm-up and the measured run, so what it compiled and cached while
    # warming up serves the run: each new connection takes the schema of the moment.
    path = [warm[0] if warm else schema]
    engine = make_engine(url)
    statements = [0]

    backends: dict[int, float] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*args: Any) -> None:
        statements[0] += 1

    @event.listens_for(engine, "connect")
    def _backend(dbapi_connection: Any, record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{path[0]}"')
        dbapi_connection.commit()
        # The server process serving this connection (PostgreSQL on this machine): its CPU
        # is the database's share of each message.
        pid = int(dbapi_connection.info.backend_pid)
        backends[pid] = _proc_cpu(pid)

    factory = sessionmaker(bind=engine, expire_on_commit=False)
    kind, provider_url = provider

    def sms(base_url: str) -> Channel:
        if kind == "twilio":
            return TwilioSmsChannel(
                account_sid=TWILIO_SID, auth_token="bench", sender="+15550001111",
                base_url=base_url,
            )  # fmt: skip
        return HttpProviderChannel(name="sms", base_url=base_url, token="bench")

    channel = sms(provider_url)
    checker = default_tone_checker() if tone else None
    name = worker_id()
    if warm:
        # A worker runs for hours: what its first batches cost once (SQL compiled and
        # cached, statements prepared, lazily built rules and indexes, pages copied after
        # the fork) is start-up, not throughput. It is paid here, on a schema of its own
        # and through a fake of its own, before the clock starts.
        warm_channel = sms(warm[1])
        for _ in range(2):
            outbox.work(
                factory=factory, channels={"sms": warm_channel}, now=NOON_NY, worker=name,
                tone=checker, batch=batch, limit=batch,
            )  # fmt: skip
        path[0] = schema
        engine.dispose()
        backends.clear()
        statements[0] = 0
    with engine.connect():
        pass  # the pooled connection (and its server process) exists before the clock starts
    backends.update({pid: _proc_cpu(pid) for pid in backends})
    start.wait()
    cpu0 = time.process_time()
    sys0 = os.times().system
    sent = other = 0
    while True:
        report = outbox.work(
            factory=factory,
            channels={"sms": channel},
            now=NOON_NY,
            worker=name,
            tone=checker,
            batch=batch,
        )
        counts = report.as_dict()
        if not any(counts.values()):
            break
        sent += counts["sent"]
        other += sum(counts.values()) - counts["sent"]
    cpu = time.process_time() - cpu0
    system = os.times().system - sys0
    db_cpu = sum(_proc_cpu(pid) - before for pid, before in backends.items())
    out.put((sent, other, statements[0], cpu, db_cpu, system))
    engine.dispose()


def _run(
    url: str, messages: int, workers: int, tone: bool, provider: str, batch: int, warm_up: bool
) -> dict[str, Any]:
    from contextlib import ExitStack

    from sqlalchemy import text

    from concilia.db import make_engine
    from concilia.outreach.channels.fakes import FakeTwilio
    from concilia.outreach.channels.provider_stub import ProviderStub

    schema = f"bench_outbox_{uuid.uuid4().hex[:10]}"
    warm_schema = f"{schema}_warm"
    _setup(url, schema, messages)
    if warm_up:
        # Two batches for each worker, through a fake of their own (its deliveries are not
        # counted).
        _setup(url, warm_schema, 2 * batch * workers)
    ctx = mp.get_context("fork")
    try:
        with ExitStack() as stack:
            if provider == "twilio":
                twilio = stack.enter_context(FakeTwilio(account_sid=TWILIO_SID, auth_token="bench"))
                target = twilio.url
                warm_fake: Any = FakeTwilio(account_sid=TWILIO_SID, auth_token="bench")
            else:
                stub = stack.enter_context(ProviderStub(token="bench"))
                target = stub.url
                warm_fake = ProviderStub(token="bench")
            warm = (warm_schema, stack.enter_context(warm_fake).url) if warm_up else None
            start = ctx.Barrier(workers + 1)
            out = ctx.Queue()
            procs = [
                ctx.Process(
                    target=_worker,
                    args=(url, schema, warm, (provider, target), tone, batch, start, out),
                )
                for _ in range(workers)
            ]
            for p in procs:
                p.start()
            start.wait()
            t0 = time.perf_counter()
            fake_cpu0 = time.process_time()
            results = [out.get(timeout=600) for _ in procs]
            elapsed = time.perf_counter() - t0
            # This process does nothing else meanwhile: its CPU is the fake provider's.
            fake_cpu = time.process_time() - fake_cpu0
            for p in procs:
                p.join(30)
            if provider == "twilio":
                delivered = len(twilio.state.sent)
                # A repeated token answers the first message without a new one: anything
                # beyond one message per token would be a second delivery.
                duplicates = delivered - len(twilio.by_token)
            else:
                delivered = stub.state.deliveries
                duplicates = len(stub.state.order) - len(set(stub.state.order))
    finally:
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{warm_schema}" CASCADE'))
        admin.dispose()
    sent = sum(r[0] for r in results)
    statements = sum(r[2] for r in results)
    return {
        "workers": workers,
        "messages": messages,
        "sent": sent,
        "not_sent": sum(r[1] for r in results),
        "provider_deliveries": delivered,
        "duplicates": duplicates,
        "seconds": round(elapsed, 2),
        "messages_per_s": round(sent / elapsed, 1) if elapsed else None,
        # Every statement the workers sent (claims, look-ups, writes, audit), per message sent.
        "sql_statements_per_send": round(statements / sent, 1) if sent else None,
        # CPU milliseconds per message sent, by component: the worker processes, the
        # PostgreSQL server processes serving them, the fake provider (this process).
        "cpu_ms_per_send": {
            "workers": round(1000 * sum(r[3] for r in results) / sent, 2),
            # of which in the kernel (sockets, and pages a forked worker copies on write)
            "workers_system": round(1000 * sum(r[5] for r in results) / sent, 2),
            "postgresql": round(1000 * sum(r[4] for r in results) / sent, 2),
            "fake_provider": round(1000 * fake_cpu / sent, 2),
        }
        if sent
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1200, help="messages per run")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--tone", action="store_true", help="run the tone checker too")
    parser.add_argument(
        "--provider", choices=("stub", "twilio"), default="stub",
        help="the provider fake sent through (stub: generic HTTP protocol; twilio: Twilio's)",
    )  # fmt: skip
    parser.add_argument(
        "--batch", type=int, default=20, help="messages a worker claims (and records) at once"
    )
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--no-warm-up", dest="warm_up", action="store_false",
        help="start the clock with cold workers (by default each first sends two batches of "
        "its own on another schema: start-up is not throughput)",
    )  # fmt: skip
    args = parser.parse_args()
    # Keys for the encrypted addresses go to a throw-away var/ (never a real deployment's).
    os.environ.setdefault("CONCILIA_VAR_DIR", tempfile.mkdtemp(prefix="bench-outbox-"))
    # Imported before the workers fork: they share the parent's modules (start-up is not
    # measured, and a source file edited during a run cannot reach one worker and not another).
    import concilia.outreach.channels.http_provider
    import concilia.outreach.outbox
    import concilia.outreach.worker  # noqa: F401

    # Everything imported so far stays put in the workers' memory: without this, each
    # forked worker's first full garbage collection touches every inherited object and
    # copies its page (seconds of system CPU per worker, charged to its first messages,
    # which a long-running worker pays once).
    gc.freeze()

    load_before = os.getloadavg()[0]
    runs = [
        _run(
            args.pg_url,
            args.messages,
            int(n),
            args.tone,
            args.provider,
            args.batch,
            args.warm_up,
        )
        for n in args.workers.split(",")
    ]
    four = next((r for r in runs if r["workers"] == 4), None)
    result = {
        "bench": "outbox_throughput",
        "backend": "postgresql",
        "channel": f"sms through the local {args.provider} fake (loopback HTTP)",
        "claim_batch": args.batch,
        "compliance_check_at_send": True,
        "workers_warmed_up": args.warm_up,
        "tone_check": args.tone,
        "cpu_count": os.cpu_count(),
        # Other work on the machine (and any transaction holding the audit chain's lock, which
        # is database-wide) slows every run: the load says how quiet the machine was.
        "load_average_1m": {"before": round(load_before, 1), "after": round(os.getloadavg()[0], 1)},
        "runs": runs,
        "target_messages_per_s_4_workers": 200,
        "target_met": bool(four and four["messages_per_s"] and four["messages_per_s"] >= 200),
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
