"""Concurrent clients against a real server: no request may answer a server error.

For each database (a temporary SQLite file, then a fresh PostgreSQL schema) the script seeds
a small portfolio and one bearer token per client, starts uvicorn on a free loopback port,
and runs N async clients for a fixed time. Each client mostly lists cases
(``GET /api/portfolio/cases``), sometimes opens one, and sometimes records a promise to pay
(a write that is audited). It prints one JSON object: per database, requests by kind and
status, the count of 5xx answers and transport errors, and latency percentiles.

    .venv/bin/python bench/concurrency.py [--clients 50] [--seconds 20] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "portfolio.csv"
PG_URL = os.environ.get(
    "CONCILIA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sample_rows(count: int) -> bytes:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return ("\n".join(lines[: count + 1]) + "\n").encode()


def _seed(url: str, clients: int, cases: int) -> tuple[list[str], list[tuple[int, str]]]:
    """Tables, a portfolio and one admin token per client (each token is touched on use)."""
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role
    from concilia.db import Base, make_engine
    from concilia.domains import load_all_models
    from concilia.portfolio import service as portfolio_service
    from concilia.portfolio.models import Case, Debt

    load_all_models()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    tokens = []
    with factory() as session:
        portfolio_service.import_portfolio(
            db_session=session,
            data=_sample_rows(cases),
            file=SAMPLE.name,
            creditor_name="Bench Bank",
            team_name="bench",
            actor="bench",
        )
        for i in range(clients):
            user, _ = auth_service.create_user(
                db_session=session,
                username=f"bench{i}",
                role=Role.admin,
                password=secrets.token_urlsafe(16),
                actor="bench",
            )
            tokens.append(
                auth_service.create_token(db_session=session, user_id=user.id, name="bench")[1]
            )
        session.commit()
        case_ids = [
            (row[0], row[1])
            for row in session.execute(select(Case.id, Debt.currency).join(Debt, Case.debt))
        ]
    engine.dispose()
    return tokens, case_ids


async def _client(
    base: str, token: str, case_ids: list[tuple[int, str]], deadline: float, seed: int
) -> list[tuple[str, int, float]]:
    rng = random.Random(seed)
    results: list[tuple[str, int, float]] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        while time.monotonic() < deadline:
            roll = rng.random()
            case_id, currency = rng.choice(case_ids)
            if roll < 0.70:
                kind, request = "list_cases", client.get("/api/portfolio/cases?limit=20")
            elif roll < 0.85:
                kind, request = "get_case", client.get(f"/api/portfolio/cases/{case_id}")
            else:
                due = (date.today() + timedelta(days=rng.randint(1, 60))).isoformat()
                body = {"amount": "25.00", "currency": currency, "due_on": due}
                kind = "create_promise"
                request = client.post(f"/api/portfolio/cases/{case_id}/promises", json=body)
            started = time.perf_counter()
            try:
                status = (await request).status_code
            except httpx.HTTPError:
                status = 0  # transport error: the server dropped or never answered
            results.append((kind, status, (time.perf_counter() - started) * 1000))
    return results


async def _load(
    base: str, tokens: list[str], case_ids: list[tuple[int, str]], seconds: float
) -> list[Any]:
    deadline = time.monotonic() + seconds
    runs = [_client(base, tokens[i], case_ids, deadline, i) for i in range(len(tokens))]
    batches = await asyncio.gather(*runs)
    return [item for batch in batches for item in batch]


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def _run_one(
    url: str, var_dir: Path, clients: int, seconds: float, cases: int, log_to: Path | None
) -> dict[str, Any]:
    tokens, case_ids = _seed(url, clients, cases)
    port = _free_port()
    env = {**os.environ, "CONCILIA_DATABASE_URL": url, "CONCILIA_VAR_DIR": str(var_dir)}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "concilia.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise RuntimeError(
                    f"server exited: {server.stderr.read() if server.stderr else ''}"
                )
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not answer /health within 30 s")
        started = time.monotonic()
        results = asyncio.run(_load(base, tokens, case_ids, seconds))
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        try:
            _, stderr = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            _, stderr = server.communicate()
    if log_to is not None:
        log_to.write_text(stderr)
    latencies = [ms for _, _, ms in results]
    by_kind: dict[str, Counter[int]] = {}
    for kind, status, _ in results:
        by_kind.setdefault(kind, Counter())[status] += 1
    statuses = Counter(status for _, status, _ in results)
    return {
        "requests": len(results),
        "requests_per_s": round(len(results) / elapsed, 1),
        "server_errors": sum(n for s, n in statuses.items() if s >= 500),
        "transport_errors": statuses.get(0, 0),
        "by_status": {str(s): n for s, n in sorted(statuses.items())},
        "by_kind": {k: {str(s): n for s, n in sorted(c.items())} for k, c in by_kind.items()},
        "p50_ms": _percentile(latencies, 0.50),
        "p95_ms": _percentile(latencies, 0.95),
        "p99_ms": round(max(latencies), 1)
        if len(latencies) < 100
        else _percentile(latencies, 0.99),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "server_log_lines": len([line for line in stderr.splitlines() if line.strip()]),
    }


def _pg_schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--seconds", type=float, default=20, help="load time per database (20)")
    parser.add_argument("--cases", type=int, default=200, help="cases in the portfolio (200)")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--server-log", type=Path, help="save the servers' stderr (PATH.<db>)")
    args = parser.parse_args()

    # One set of keys for the seeding process and the server it starts.
    for name in ("CONCILIA_SECRET_KEY", "CONCILIA_DATA_KEY"):
        os.environ.setdefault(name, base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    out: dict[str, Any] = {"clients": args.clients, "seconds": args.seconds, "cases": args.cases}
    with tempfile.TemporaryDirectory(prefix="concilia-bench-") as tmp:
        var_dir = Path(tmp)
        os.environ["CONCILIA_VAR_DIR"] = str(var_dir)
        sqlite_url = f"sqlite:///{var_dir / 'bench.db'}"
        log = args.server_log
        out["sqlite"] = _run_one(
            sqlite_url,
            var_dir,
            args.clients,
            args.seconds,
            args.cases,
            log.with_suffix(".sqlite") if log else None,
        )
        if not args.skip_postgres:
            from sqlalchemy import text

            from concilia.db import make_engine

            schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                out["postgresql"] = _run_one(
                    _pg_schema_url(schema),
                    var_dir,
                    args.clients,
                    args.seconds,
                    args.cases,
                    log.with_suffix(".postgresql") if log else None,
                )
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
