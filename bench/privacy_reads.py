"""What logging "who looked" costs a page view, and why it is not an audit entry.

Each page view of a person's data writes one row in its own transaction (as the console's
request unit of work does). This bench times that write (``privacy_service.record_read``,
one INSERT) against writing the same fact as an audit entry (``audit_service.record``, which
takes the audit chain's lock and reads the chain's head), one writer and several writers
at once, on SQLite (a file) and PostgreSQL (a fresh schema, dropped after). A search page
logs its results in one statement: the 50-people write is timed too.

Prints one JSON object: per backend, p50/p95 in ms per write and writes/s with N threads,
plus the machine's 1-minute load average before and after (figures on a loaded machine
measure the machine).

    .venv/bin/python bench/privacy_reads.py [--writes 200] [--threads 4] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _engine(backend: str, folder: Path) -> tuple[Engine, str | None]:
    from concilia.db import Base
    from concilia.domains import load_all_models

    load_all_models()
    schema = None
    if backend == "sqlite":
        engine = create_engine(f"sqlite:///{folder / 'reads.db'}")

        @event.listens_for(engine, "connect")
        def _wal(conn: Any, _record: Any) -> None:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
    else:
        schema = f"bench_reads_{uuid.uuid4().hex[:8]}"
        with create_engine(PG_URL).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = create_engine(
            PG_URL, connect_args={"options": f"-csearch_path={schema}"}, pool_size=16
        )
    Base.metadata.create_all(engine)
    return engine, schema


def _drop(engine: Engine, schema: str | None) -> None:
    engine.dispose()
    if schema:
        with create_engine(PG_URL).begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _read_row(s: Session, i: int, people: int) -> None:
    from concilia.privacy import service as privacy_service

    privacy_service.record_read(
        db_session=s, actor=f"user:bench{i % 7}", debtor_ids=range(i, i + people),
        what="console case page", purpose="debt_recovery", via="page",
    )  # fmt: skip


def _audit_row(s: Session, i: int, people: int) -> None:
    from concilia.audit import service as audit_service

    audit_service.record(
        db_session=s, actor=f"user:bench{i % 7}", action="privacy.read", object_type="debtor",
        object_id=i, change={"what": "console case page"}, detail={"via": "page"},
    )  # fmt: skip


def _timed(
    factory: sessionmaker[Session],
    write: Callable[[Session, int, int], None],
    writes: int,
    threads: int,
    people: int = 1,
) -> dict[str, float]:
    durations: list[float] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        mine = []
        for n in range(writes):
            started = time.perf_counter()
            with factory() as s:
                write(s, offset * writes + n + 1, people)
                s.commit()
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            durations.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(durations)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "per_second": round(len(ordered) / elapsed, 1),
    }


def _backend(backend: str, writes: int, threads: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        engine, schema = _engine(backend, Path(folder))
        try:
            factory = sessionmaker(bind=engine, expire_on_commit=False)
            # Imports and first connections out of the timings.
            _timed(factory, _read_row, 1, 1)
            _timed(factory, _audit_row, 1, 1)
            out = {
                "read_log_1_writer": _timed(factory, _read_row, writes, 1),
                f"read_log_{threads}_writers": _timed(factory, _read_row, writes, threads),
                "read_log_50_people_1_writer": _timed(factory, _read_row, writes, 1, 50),
                "audit_entry_1_writer": _timed(factory, _audit_row, writes, 1),
            }
            # SQLite has no advisory lock: concurrent audit writers collide on the chain's
            # sequence there (the app's SQLite is a single-writer setup), so only PostgreSQL
            # measures them.
            if backend == "postgresql":
                out[f"audit_entry_{threads}_writers"] = _timed(factory, _audit_row, writes, threads)
            return out
        finally:
            _drop(engine, schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=200, help="writes per writer")
    parser.add_argument("--threads", type=int, default=4, help="concurrent writers")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    result: dict[str, Any] = {"writes_per_writer": args.writes, "threads": args.threads}
    result["sqlite"] = _backend("sqlite", args.writes, args.threads)
    if not args.no_postgres:
        result["postgresql"] = _backend("postgresql", args.writes, args.threads)
    result["load_average_before"] = round(load_before, 2)
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
