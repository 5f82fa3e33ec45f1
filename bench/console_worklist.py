"""Worklist latency on PostgreSQL with a large synthetic portfolio (COPY-loaded).

Prints one JSON object: the case count, the load time, and p50/p95 (ms) of the worklist
query as the console runs it (team scope, priority order with the last-contact join, keyset
page of 50) for: the first page, the next page, a status filter, a balance range, a name
search. It measures the query through the services, not HTTP (bench/console_load.py runs
50 agents over HTTP on pages and the live check).

    .venv/bin/python bench/console_worklist.py --cases 100000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Engine, Integer, String, Table, text
from sqlalchemy.orm import Session, sessionmaker

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEAMS = 10


def _filler(table: Table, given: dict[str, Any]) -> dict[str, Any]:
    """Values for the NOT NULL columns a row needs beyond the ones given (other domains add
    columns over time; the bench must not break on each)."""
    now = datetime.now(UTC)
    out = dict(given)
    for col in table.columns:
        if col.name in out or col.nullable or col.primary_key:
            continue
        if isinstance(col.type, Boolean):
            out[col.name] = False
        elif isinstance(col.type, Integer) or "Int" in type(col.type).__name__:
            out[col.name] = 0
        elif isinstance(col.type, String):
            out[col.name] = ""
        else:
            out[col.name] = now
    return out


def _copy(session: Session, table: Table, rows: Iterator[dict[str, Any]]) -> int:
    first = next(rows, None)
    if first is None:
        return 0
    # The filler is worked out once: every row of a table has the same given columns.
    defaults = {k: v for k, v in _filler(table, first).items() if k not in first}
    columns = [*first, *defaults]

    def cell(value: Any) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, Decimal):
            return str(int(value.scaleb(2)))  # amounts are stored as cents
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value).replace("\t", " ").replace("\n", " ")

    tail = "\t".join(cell(v) for v in defaults.values())
    raw = session.connection().connection.driver_connection
    assert raw is not None
    count = 0
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as cp,
    ):
        chunk: list[str] = []
        for row in _chain(first, rows):
            line = "\t".join(cell(v) for v in row.values())
            chunk.append(f"{line}\t{tail}\n" if defaults else f"{line}\n")
            count += 1
            if len(chunk) >= 20_000:
                cp.write("".join(chunk))
                chunk.clear()
        if chunk:
            cp.write("".join(chunk))
    return count


def _chain(first: dict[str, Any], rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rows


def load(session: Session, cases: int, seed: int) -> None:
    """Teams, one creditor, a debtor, debt and case each, promises and contacts on some."""
    from concilia.db import Base

    rng = random.Random(seed)
    now = datetime.now(UTC)
    tables = Base.metadata.tables
    _copy(session, tables["teams"], iter({"id": t + 1, "name": f"team-{t + 1}", "created_at": now}
                                        for t in range(TEAMS)))  # fmt: skip
    _copy(session, tables["creditors"], iter([{"id": 1, "name": "Bench Bank", "created_at": now}]))
    given = ["Marie", "Jean", "Lucía", "John", "Camille", "Pablo", "Emma", "Louis"]
    family = ["Martin", "García", "Smith", "Bernard", "López", "Dubois", "Jones", "Moreau"]
    _copy(
        session,
        tables["debtors"],
        (
            {
                "id": i,
                "creditor_id": 1,
                "debtor_reference": f"D{i:08d}",
                "given_names": rng.choice(given),
                "family_names": f"{rng.choice(family)}{i % 997}",
                "preferred_language": "fr",
                "time_zone": "Europe/Paris",
                "jurisdiction": "FR",
                "fingerprint": "x",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(1, cases + 1)
        ),
    )
    amounts = [Decimal(rng.randrange(5_000, 900_000)) / 100 for _ in range(1000)]
    _copy(
        session,
        tables["debts"],
        (
            {
                "id": i,
                "creditor_id": 1,
                "debtor_id": i,
                "account_reference": f"A{i:09d}",
                "currency": "EUR",
                "principal": amounts[i % 1000],
                "interest": Decimal(0),
                "fees": Decimal(0),
                "principal_balance": amounts[i % 1000],
                "interest_balance": Decimal(0),
                "fees_balance": Decimal(0),
                "credit_balance": Decimal(0),
                "status": "active",
                "fingerprint": "x",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(1, cases + 1)
        ),
    )
    stages = ["new", "contacting", "negotiating", "promised", "plan"]
    _copy(
        session,
        tables["cases"],
        (
            {
                "id": i,
                "debt_id": i,
                "team_id": i % TEAMS + 1,
                "stage": stages[i % 5],
                "created_at": now,
                "updated_at": now,
                # The worklist keys, as the ledger and outreach keep them (see below).
                "balance_total": amounts[i % 1000],
                "next_promise_due": date.today() + timedelta(days=i % 30) if i % 20 == 1 else None,
                "last_contact_at": now - timedelta(hours=i % 2000) if i % 3 == 1 else None,
                # Half the cases scored by a strategy run, half not yet.
                "priority": round(rng.random(), 4) if i % 2 == 0 else None,
                "priority_reason": "bench score" if i % 2 == 0 else None,
            }
            for i in range(1, cases + 1)
        ),
    )
    _copy(
        session,
        tables["promises_to_pay"],
        (
            {
                "id": n + 1,
                "debt_id": i,
                "amount": Decimal(50),
                "currency": "EUR",
                "due_on": date.today() + timedelta(days=i % 30),
                "status": "pending",
                "created_at": now,
                "created_by": "bench",
            }
            for n, i in enumerate(range(1, cases + 1, 20))
        ),
    )
    _copy(
        session,
        tables["outreach_contact_log"],
        (
            {
                "id": n + 1,
                "case_id": i,
                "debt_id": i,
                "channel": "call",
                "direction": "out",
                "at": now - timedelta(hours=i % 2000),
                "outcome": "no_answer",
                "conversation": False,
                "counts": True,
                "actor": "bench",
            }
            for n, i in enumerate(range(1, cases + 1, 3))
        ),
    )
    session.execute(text("ANALYZE"))


def load_fast(engine: Engine, cases: int, seed: int) -> None:
    """``load`` with the loaded tables' secondary indexes dropped during the COPY and built
    after it (one sorted build each instead of a million random inserts)."""
    from concilia.db import Base

    tables = [
        Base.metadata.tables[name]
        for name in ("debtors", "debts", "cases", "promises_to_pay", "outreach_contact_log")
    ]
    indexes = [ix for table in tables for ix in table.indexes]
    with engine.begin() as conn:
        for ix in indexes:
            conn.execute(text(f'DROP INDEX IF EXISTS "{ix.name}"'))
    with Session(engine) as s:
        load(s, cases, seed)
        s.commit()
    with engine.begin() as conn:
        conn.execute(text("SET maintenance_work_mem = '256MB'"))
        for ix in indexes:
            ix.create(conn)
        conn.execute(text("ANALYZE"))


def _timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args()

    from concilia.auth.roles import Role
    from concilia.auth.schemas import Principal
    from concilia.console import service as console_service
    from concilia.console.schemas import WorklistFilters
    from concilia.db import Base, make_engine
    from concilia.domains import load_all_models

    load_all_models()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(args.pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(args.pg_url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        Base.metadata.create_all(engine)
        factory = sessionmaker(bind=engine)
        started = time.perf_counter()
        load_fast(engine, args.cases, args.seed)
        load_seconds = time.perf_counter() - started
        agent = Principal(
            user_id=0, username="bench", role=Role.agent, team_ids=frozenset({1}), via="token"
        )
        out: dict[str, Any] = {"cases": args.cases, "load_seconds": round(load_seconds, 1)}
        with factory() as s:

            def page(filters: WorklistFilters, after: int | None = None) -> list[Any]:
                return list(
                    console_service.worklist(
                        db_session=s, principal=agent, filters=filters, after=after
                    )
                )

            first = page(WorklistFilters())
            out["first_page"] = _timed(lambda: page(WorklistFilters()), args.repeat)
            out["next_page"] = _timed(
                lambda: page(WorklistFilters(), after=first[-1].case_id), args.repeat
            )
            out["status_filter"] = _timed(
                lambda: page(WorklistFilters(status="negotiating")), args.repeat
            )
            out["balance_range"] = _timed(
                lambda: page(WorklistFilters(min_balance=Decimal(1000), max_balance=Decimal(2000))),
                args.repeat,
            )
            out["name_search"] = _timed(lambda: page(WorklistFilters(q="martin5")), args.repeat)
            out["team_cases"] = args.cases // TEAMS
        print(json.dumps(out))
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
