"""Worklist latency on PostgreSQL with a large synthetic portfolio (COPY-loaded).

Prints one JSON object: the case count, the load time, and p50/p95 (ms) of the worklist
query as the console runs it (team scope, priority order, keyset page of 50) for: the first
page, the next page, a status filter, a balance range, a name search (a rare name and a
common one). It measures the query through the services, not HTTP (bench/console_load.py
runs 50 agents over HTTP on pages and the live check).

The loaded schema can be kept (``--keep-schema`` prints its name on stderr and in the JSON)
and measured again later without loading (``--schema NAME``); ``--drop-schema NAME`` drops
one. bench/console_load.py shares the loader and the options.

    .venv/bin/python bench/console_worklist.py --cases 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Engine, Integer, String, Table, inspect, text
from sqlalchemy.orm import Session, sessionmaker

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEAMS = 10
# Rows per COPY write: big writes keep the Python side out of the way of the server.
_BATCH = 50_000


def _filler(table: Table, given: list[str]) -> list[tuple[str, str]]:
    """COPY text for the NOT NULL columns a row needs beyond the ones given (other domains
    add columns over time; the bench must not break on each)."""
    now = datetime.now(UTC).isoformat()
    out: list[tuple[str, str]] = []
    for col in table.columns:
        if col.name in given or col.nullable or col.primary_key:
            continue
        if isinstance(col.type, Boolean):
            out.append((col.name, "f"))
        elif isinstance(col.type, Integer) or "Int" in type(col.type).__name__:
            out.append((col.name, "0"))
        elif isinstance(col.type, String):
            out.append((col.name, ""))
        else:
            out.append((col.name, now))
    return out


def _copy(session: Session, table: Table, columns: list[str], lines: Iterator[str]) -> int:
    """COPY rows given as tab-separated text lines (no trailing newline) in ``columns``."""
    filler = _filler(table, columns)
    names = [*columns, *(name for name, _ in filler)]
    tail = "".join(f"\t{value}" for _, value in filler)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    count = 0
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as cp,
    ):
        chunk: list[str] = []
        for line in lines:
            chunk.append(f"{line}{tail}\n")
            if len(chunk) >= _BATCH:
                cp.write("".join(chunk))
                count += len(chunk)
                chunk.clear()
        if chunk:
            cp.write("".join(chunk))
            count += len(chunk)
    return count


def load(session: Session, cases: int, seed: int) -> None:
    """Teams, one creditor, a debtor, debt and case each, promises and contacts on some.

    Rows are written as COPY text directly (amounts in cents, as stored): building a dict
    and formatting each cell took most of the load's time at 1M cases.
    """
    from concilia.db import Base

    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = now.isoformat()
    today = date.today()
    tables = Base.metadata.tables
    _copy(session, tables["teams"], ["id", "name", "created_at"],
          (f"{t + 1}\tteam-{t + 1}\t{stamp}" for t in range(TEAMS)))  # fmt: skip
    _copy(session, tables["creditors"], ["id", "name", "created_at"],
          iter([f"1\tBench Bank\t{stamp}"]))  # fmt: skip
    given = ["Marie", "Jean", "Lucía", "John", "Camille", "Pablo", "Emma", "Louis"]
    family = ["Martin", "García", "Smith", "Bernard", "López", "Dubois", "Jones", "Moreau"]
    _copy(
        session,
        tables["debtors"],
        ["id", "creditor_id", "debtor_reference", "given_names", "family_names",
         "preferred_language", "time_zone", "jurisdiction", "fingerprint", "created_at",
         "updated_at"],
        (
            f"{i}\t1\tD{i:08d}\t{rng.choice(given)}\t{rng.choice(family)}{i % 997}"
            f"\tfr\tEurope/Paris\tFR\tx\t{stamp}\t{stamp}"
            for i in range(1, cases + 1)
        ),
    )  # fmt: skip
    cents = [rng.randrange(5_000, 900_000) for _ in range(1000)]
    _copy(
        session,
        tables["debts"],
        ["id", "creditor_id", "debtor_id", "account_reference", "currency", "principal",
         "interest", "fees", "principal_balance", "interest_balance", "fees_balance",
         "credit_balance", "status", "fingerprint", "created_at", "updated_at"],
        (
            f"{i}\t1\t{i}\tA{i:09d}\tEUR\t{cents[i % 1000]}\t0\t0\t{cents[i % 1000]}\t0\t0\t0"
            f"\tactive\tx\t{stamp}\t{stamp}"
            for i in range(1, cases + 1)
        ),
    )  # fmt: skip
    stages = ["new", "contacting", "negotiating", "promised", "plan"]
    due = [(today + timedelta(days=d)).isoformat() for d in range(30)]
    contact = [(now - timedelta(hours=h)).isoformat() for h in range(2000)]

    def case_line(i: int) -> str:
        # The worklist keys, as the ledger and outreach keep them: a promise on one case in
        # 20, a contact on one in 3, half the cases scored by a strategy run.
        promise = due[i % 30] if i % 20 == 1 else "\\N"
        last = contact[i % 2000] if i % 3 == 1 else "\\N"
        scored = i % 2 == 0
        priority = f"{round(rng.random(), 4)}\tbench score" if scored else "\\N\t\\N"
        return (
            f"{i}\t{i}\t{i % TEAMS + 1}\t{stages[i // TEAMS % 5]}\t{stamp}\t{stamp}"
            f"\t{cents[i % 1000]}"
            f"\t{promise}\t{last}\t{priority}"
        )

    _copy(
        session,
        tables["cases"],
        ["id", "debt_id", "team_id", "stage", "created_at", "updated_at", "balance_total",
         "next_promise_due", "last_contact_at", "priority", "priority_reason"],
        (case_line(i) for i in range(1, cases + 1)),
    )  # fmt: skip
    _copy(
        session,
        tables["promises_to_pay"],
        ["id", "debt_id", "amount", "currency", "due_on", "status", "created_at", "created_by"],
        (
            f"{n + 1}\t{i}\t5000\tEUR\t{due[i % 30]}\tpending\t{stamp}\tbench"
            for n, i in enumerate(range(1, cases + 1, 20))
        ),
    )  # fmt: skip
    _copy(
        session,
        tables["outreach_contact_log"],
        ["id", "case_id", "debt_id", "channel", "direction", "at", "outcome", "conversation",
         "counts", "actor"],
        (
            f"{n + 1}\t{i}\t{i}\tcall\tout\t{contact[i % 2000]}\tno_answer\tf\tt\tbench"
            for n, i in enumerate(range(1, cases + 1, 3))
        ),
    )  # fmt: skip


LOADED = ("debtors", "debts", "cases", "promises_to_pay", "outreach_contact_log")


def load_fast(engine: Engine, cases: int, seed: int) -> None:
    """``load`` into empty tables, fast: the loaded tables' secondary indexes are dropped
    during the COPY and built after it (one sorted build each instead of a million random
    inserts), foreign-key triggers are off during the COPY (the generated rows are
    consistent by construction), then ANALYZE."""
    from concilia.db import Base

    tables = [Base.metadata.tables[name] for name in LOADED]
    indexes = [ix for table in tables for ix in table.indexes]
    with engine.begin() as conn:
        for ix in indexes:
            conn.execute(text(f'DROP INDEX IF EXISTS "{ix.name}"'))
    with Session(engine) as s:
        # Skips the per-row foreign-key checks (needs a superuser, which the bench's
        # PostgreSQL user is); local to this transaction.
        s.execute(text("SET LOCAL session_replication_role = replica"))
        load(s, cases, seed)
        s.commit()
    with engine.begin() as conn:
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        for ix in indexes:
            ix.create(conn)
    # Outside a transaction block: VACUUM sets the visibility map (index-only scans), and
    # ANALYZE gives the planner the row counts.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in ("teams", "creditors", *LOADED):
            conn.execute(text(f"VACUUM ANALYZE {name}"))


def schema_url(pg_url: str, schema: str) -> str:
    """The URL whose connections search ``schema`` first."""
    return f"{pg_url}?options=-csearch_path%3D{schema}"


def create_schema(pg_url: str) -> str:
    """A new, empty schema with every table of the models; returns its name."""
    from concilia.db import Base, make_engine

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    engine = make_engine(schema_url(pg_url, schema))
    Base.metadata.create_all(engine)
    engine.dispose()
    return schema


def check_schema(pg_url: str, schema: str) -> int:
    """The number of cases in a kept schema; SystemExit with the reason when it cannot be
    reused (absent, empty, or older than the models: a column the models have is missing)."""
    from concilia.db import Base, make_engine

    engine = make_engine(schema_url(pg_url, schema))
    try:
        found = set(inspect(engine).get_table_names(schema=schema))
        if "cases" not in found:
            raise SystemExit(f"schema {schema!r} has no loaded portfolio (no such schema?)")
        insp = inspect(engine)
        for name, table in Base.metadata.tables.items():
            if name not in found:
                raise SystemExit(f"schema {schema!r} predates table {name}: load a new one")
            have = {c["name"] for c in insp.get_columns(name, schema=schema)}
            missing = sorted(c.name for c in table.columns if c.name not in have)
            if missing:
                raise SystemExit(
                    f"schema {schema!r} predates {name}.{', '.join(missing)}: load a new one"
                )
        # An index the models gained since the load is built now (the bench measures the
        # code as it is, not as it was when the schema was kept).
        have_ix = {ix["name"] for name in found for ix in insp.get_indexes(name, schema=schema)}
        with engine.begin() as conn:
            for table in Base.metadata.tables.values():
                for ix in table.indexes:
                    if ix.name not in have_ix:
                        print(f"[bench] building index {ix.name}", file=sys.stderr, flush=True)
                        ix.create(conn)
        with engine.connect() as conn:
            count = int(conn.execute(text("SELECT count(*) FROM cases")).scalar_one())
        if count == 0:
            raise SystemExit(f"schema {schema!r} has no case (emptied?): load a new one")
        return count
    finally:
        engine.dispose()


def drop_schema(pg_url: str, schema: str) -> None:
    """Drop a bench schema and everything in it."""
    from concilia.db import make_engine

    if not schema.startswith("bench_"):
        raise SystemExit(f"{schema!r} is not a bench schema")
    admin = make_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def add_schema_options(parser: argparse.ArgumentParser) -> None:
    """The options both console benches share to keep and reuse a loaded schema."""
    parser.add_argument(
        "--keep-schema",
        action="store_true",
        help="keep the loaded schema after the run (its name is printed) for --schema",
    )
    parser.add_argument(
        "--schema",
        metavar="NAME",
        help="measure a schema kept by an earlier --keep-schema run; skips the load (--cases "
        "is then the kept count) and keeps it",
    )
    parser.add_argument("--drop-schema", metavar="NAME", help="drop a kept schema and exit")


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
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default=PG_URL)
    add_schema_options(parser)
    args = parser.parse_args()

    from concilia.auth.roles import Role
    from concilia.auth.schemas import Principal
    from concilia.console import service as console_service
    from concilia.console.schemas import WorklistFilters
    from concilia.db import make_engine
    from concilia.domains import load_all_models

    load_all_models()
    if args.drop_schema:
        drop_schema(args.pg_url, args.drop_schema)
        return
    load_seconds: float | None = None
    if args.schema:
        schema, keep = args.schema, True
        cases = check_schema(args.pg_url, schema)
    else:
        schema, keep, cases = create_schema(args.pg_url), args.keep_schema, args.cases
    engine = make_engine(schema_url(args.pg_url, schema))
    try:
        if not args.schema:
            started = time.perf_counter()
            load_fast(engine, cases, args.seed)
            load_seconds = round(time.perf_counter() - started, 1)
        if keep:
            print(f"[console_worklist] schema kept: {schema}", file=sys.stderr, flush=True)
        factory = sessionmaker(bind=engine)
        agent = Principal(
            user_id=0, username="bench", role=Role.agent, team_ids=frozenset({1}), via="token"
        )
        out: dict[str, Any] = {"cases": cases, "load_seconds": load_seconds}
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
            # One family name in 8 is Martin; "martin5" is one of those in 9, "jean martin5"
            # narrows it to one given name in 8, "martin" alone matches one debtor in 8.
            for label, q in (
                ("name_search", "martin5"),
                ("name_search_full", "jean martin5"),
                ("name_search_common", "martin"),
                ("name_search_accent", "lopez12"),
                ("reference_search", f"d{cases // 2:08d}"),
            ):
                out[label] = _timed(lambda q=q: page(WorklistFilters(q=q)), args.repeat)  # type: ignore[misc]
                out[label]["rows"] = len(page(WorklistFilters(q=q)))
            out["team_cases"] = cases // TEAMS
            out["schema"] = schema if keep else None
            # The machine may be shared: the figures mean little at a high load average.
            out["loadavg"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(out))
    finally:
        engine.dispose()
        if not keep:
            drop_schema(args.pg_url, schema)


if __name__ == "__main__":
    main()
