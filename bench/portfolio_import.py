"""Benchmark: import N generated portfolio rows into a fresh SQLite database.

Prints one JSON object: rows, debtors, seconds (import only, parse + write + commit),
rows_per_second, cpu_seconds, the 1-minute load average (other processes on the 2 cores
stretch the wall time, not the CPU time), peak_rss_mb, the re-import time of the same file
(nothing changes), and the target (100,000 rows in under 60 s).

    .venv/bin/python bench/portfolio_import.py [--rows 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="debt rows (default 100000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", default=None, help="default: a new SQLite file in a temporary folder"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-portfolio-"))
    os.environ.setdefault("CONCILIA_VAR_DIR", str(tmp))
    os.environ["CONCILIA_DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.db'}"

    import concilia.portfolio.sample as sample
    import concilia.portfolio.service as portfolio_service
    from concilia.db import Base, get_engine, session_scope
    from concilia.domains import load_all_models

    load_all_models()
    Base.metadata.create_all(get_engine())
    # About 1.25 debts per debtor: generate enough people, then cut to exactly N rows.
    # Streamed into the CSV so the generator's memory does not count in the peak RSS.
    data = sample.to_csv(
        itertools.islice(sample.generate(int(args.rows / 1.2) + 10, seed=args.seed), args.rows)
    )

    start, cpu_start = time.perf_counter(), time.process_time()
    with session_scope() as session:
        result = portfolio_service.import_portfolio(
            db_session=session, data=data, file="bench.csv", creditor_name="Bench", actor="bench"
        )
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start

    start = time.perf_counter()
    with session_scope() as session:
        again = portfolio_service.import_portfolio(
            db_session=session, data=data, file="bench.csv", creditor_name="Bench", actor="bench"
        )
    reimport_seconds = time.perf_counter() - start

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    backend = get_engine().dialect.name
    print(
        json.dumps(
            {
                "benchmark": "portfolio_import",
                "backend": backend,
                "rows": result.rows,
                "debts_created": result.created,
                "debtors_created": result.debtors_created,
                "file_mb": round(len(data) / 1e6, 1),
                "seconds": round(seconds, 2),
                "rows_per_second": round(result.rows / seconds),
                # CPU time of this process: what the import costs when the machine is shared.
                "cpu_seconds": round(cpu_seconds, 2),
                "load_average_1m": round(os.getloadavg()[0], 1),
                "reimport_seconds": round(reimport_seconds, 2),
                "reimport_unchanged": again.unchanged,
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "target": "100,000 rows in under 60 s on SQLite",
                "target_met": backend == "sqlite" and result.rows >= 100_000 and seconds < 60,
            }
        )
    )


if __name__ == "__main__":
    main()
