"""Console under load: N concurrent agents (Locust, headless) on a large PostgreSQL portfolio.

Loads ``--cases`` cases into a fresh PostgreSQL schema by COPY (bench/console_worklist.py's
loader: secondary indexes dropped during the COPY and built after), creates ``--agents``
agents spread over the 10 teams, each with a signed-in browser session, starts uvicorn on
127.0.0.1, then runs Locust headless for ``--seconds`` against it. Each agent loops over:
the worklist (first page, and the next page by its keyset cursor), a case page picked from
its worklist, and the live compliance check of a draft (the HTMX post the compose box sends
while the agent types), with ``--think`` seconds (uniform range) between requests.

Targets: p95 < 150 ms for pages, < 80 ms for the live check. Prints one JSON object: the
scale, the load time, per request kind the count, failures, p50/p95/p99 (ms, Locust's
buckets), whether the target is met, and the load conditions (CPUs, load average before and
after; the machine may be shared).

The 1M load takes a while: ``--keep-schema`` keeps the loaded schema (and the keys its
contacts are encrypted with, under var/bench/<schema>) and prints its name; ``--schema NAME``
measures it again without loading. ``--profile N`` measures the per-request cost instead of
the load: N of each request in-process, with the SQL statements each one runs and its CPU
time (for finding N+1 queries and per-request waste at small scale).

    .venv/bin/python bench/console_load.py --cases 1000000 --agents 50 --seconds 60
    .venv/bin/python bench/console_load.py --cases 1000000 --keep-schema   # prints the schema
    .venv/bin/python bench/console_load.py --schema bench_0123456789       # measures again
    .venv/bin/python bench/console_load.py --cases 10000 --profile 20
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from console_worklist import (
    PG_URL,
    TEAMS,
    add_schema_options,
    check_schema,
    create_schema,
    drop_schema,
    load_fast,
    schema_url,
)

TARGETS_MS = {"worklist": 150, "worklist next page": 150, "case page": 150, "live check": 80}
# Drafts as an agent types them: some clean, some that break a rule or the tone checker.
DRAFTS = [
    "Bonjour, nous vous contactons au sujet de votre dossier. Un échéancier vous conviendrait-il ?",
    "Payez immédiatement ou nous saisirons vos biens et préviendrons votre employeur.",
    "Hello, could we agree on a plan that suits your budget? Reply here or call us.",
    "Hola, le escribimos sobre su expediente; podemos acordar un plan de pagos.",
]

LOCUSTFILE = """
import itertools, json, os, random, re

from locust import FastHttpUser, between, task

AGENTS = json.loads(open(os.environ["CONSOLE_LOAD_AGENTS"]).read())
DRAFTS = json.loads(os.environ["CONSOLE_LOAD_DRAFTS"])
THINK = [float(x) for x in os.environ["CONSOLE_LOAD_THINK"].split(",")]
CASE = re.compile(r'href="/console/cases/(\\d+)"')
_seat = itertools.count()


class Agent(FastHttpUser):
    wait_time = between(*THINK)

    def on_start(self):
        me = AGENTS[next(_seat) % len(AGENTS)]
        self.cookie = {"Cookie": me["cookie"]}
        self.post_headers = {**self.cookie, "X-CSRF-Token": me["csrf"], "HX-Request": "true"}
        self.email = me["email"]
        self.cases = []
        self.worklist()

    @task(3)
    def worklist(self):
        with self.client.get("/console/cases", headers=self.cookie, name="worklist",
                             catch_response=True) as r:
            found = CASE.findall(r.text or "")
            if r.status_code == 200 and not found:
                r.failure("no case on the worklist")
            self.cases = found or self.cases

    @task(1)
    def next_page(self):
        if self.cases:
            self.client.get(f"/console/cases?after={self.cases[-1]}", headers=self.cookie,
                            name="worklist next page")

    @task(3)
    def case_page(self):
        if self.cases:
            self.client.get(f"/console/cases/{random.choice(self.cases)}", headers=self.cookie,
                            name="case page")

    @task(5)
    def live_check(self):
        if self.cases:
            self.client.post(
                f"/console/cases/{random.choice(self.cases[:10])}/check",
                data={"channel": "email", "to": self.email, "kind": "free_text",
                      "body": random.choice(DRAFTS)},
                headers=self.post_headers, name="live check",
            )
"""


def _tail(path: Path) -> str:
    return path.read_text()[-3000:] if path.exists() else "(no server log)"


def _phase(name: str, since: float) -> float:
    """Progress on stderr (stdout carries the one JSON object)."""
    now = time.perf_counter()
    print(f"[console_load] {name}: {now - since:.1f} s", file=sys.stderr, flush=True)
    return now


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _agents(url: str, agents: int, shown: int) -> list[dict[str, str]]:
    """Agents over the teams, each signed in, and an e-mail contact on the cases each team's
    worklist shows first (the ones the agents open and write to). Usernames carry a run tag,
    so a kept schema gets new agents on each run; a debtor keeps its one bench contact."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from concilia import crypto
    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role
    from concilia.config import get_settings
    from concilia.db import make_engine
    from concilia.portfolio import service as portfolio_service
    from concilia.portfolio.models import DebtorContact

    run = uuid.uuid4().hex[:6]
    engine = make_engine(url)
    out = []
    with Session(engine) as s:
        for team in range(1, TEAMS + 1):
            team_agents = range(team - 1, agents, TEAMS)
            if not team_agents:
                continue
            principal = None
            for n in team_agents:
                user, _ = auth_service.create_user(
                    db_session=s,
                    username=f"agent{n:03d}-{run}",
                    role=Role.agent,
                    password=f"bench-{uuid.uuid4().hex}",
                    teams=[f"team-{team}"],
                    actor="bench",
                )
                web, clear = auth_service.create_web_session(db_session=s, user=user)
                name = get_settings().session_cookie_name
                out.append({"cookie": f"{name}={clear}", "csrf": web.csrf_token, "email": ""})
                principal = principal or auth_service.principal_for(user, "bench")
            assert principal is not None
            rows = portfolio_service.worklist(db_session=s, principal=principal, limit=shown)
            debtor_ids = {
                portfolio_service.get_case(db_session=s, case_id=row.case_id).debt.debtor_id
                for row in rows
            }
            has_one = set(
                s.scalars(
                    select(DebtorContact.debtor_id).where(
                        DebtorContact.debtor_id.in_(debtor_ids), DebtorContact.source == "bench"
                    )
                )
            )
            for debtor_id in sorted(debtor_ids - has_one):
                email = f"d{debtor_id}@example.org"
                s.add(
                    DebtorContact(
                        debtor_id=debtor_id,
                        kind="email",
                        value_encrypted=crypto.encrypt(email, context="portfolio.contact.email"),
                        value_index=crypto.blind_index(email, context="portfolio.contact.email"),
                        source="bench",
                    )
                )
            first = portfolio_service.get_case(db_session=s, case_id=rows[0].case_id)
            for agent in out[-len(team_agents) :]:
                agent["email"] = f"d{first.debt.debtor_id}@example.org"
        s.commit()
    engine.dispose()
    return out


def _warm(base: str, agent: dict[str, str]) -> None:
    """One of each request per worker before measuring: the first live check loads the tone
    checker's model and the first page compiles the templates (start-up, not load)."""
    import re

    cookie = {"Cookie": agent["cookie"]}
    post = {**cookie, "X-CSRF-Token": agent["csrf"], "HX-Request": "true"}
    with httpx.Client(base_url=base, timeout=300) as client:
        for _ in range(4):
            page = client.get("/console/cases", headers=cookie)
            case = re.findall(r'href="/console/cases/(\d+)"', page.text)[0]
            client.get(f"/console/cases/{case}", headers=cookie)
            client.post(
                f"/console/cases/{case}/check",
                data={"channel": "email", "to": agent["email"], "body": DRAFTS[1]},
                headers=post,
            ).raise_for_status()


def _stats(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            name = row["Name"]
            if name == "Aggregated":
                continue
            p95 = float(row["95%"])
            out[name] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": p95,
                "p99_ms": float(row["99%"]),
                "target_p95_ms": TARGETS_MS.get(name),
                "met": name in TARGETS_MS and p95 < TARGETS_MS[name],
                "rps": round(float(row["Requests/s"]), 1),
            }
    return out


def _profile(agent: dict[str, str], repeat: int) -> dict[str, Any]:
    """Per request kind: SQL statements per request and CPU ms per request (median and max),
    in-process (TestClient, no network, no Locust), after one warm-up of each."""
    import re
    import statistics

    from fastapi.testclient import TestClient
    from sqlalchemy import Engine, event

    from concilia.app import create_app

    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(Engine, "before_cursor_execute", count)
    cookie = {"Cookie": agent["cookie"]}
    post = {**cookie, "X-CSRF-Token": agent["csrf"], "HX-Request": "true"}
    client = TestClient(create_app())
    page = client.get("/console/cases", headers=cookie)
    cases = re.findall(r'href="/console/cases/(\d+)"', page.text)
    requests: dict[str, Any] = {
        "worklist": lambda: client.get("/console/cases", headers=cookie),
        "worklist next page": lambda: client.get(
            f"/console/cases?after={cases[-1]}", headers=cookie
        ),
        "name search": lambda: client.post(
            "/console/cases/rows", data={"q": "martin5"}, headers=post
        ),
        "case page": lambda: client.get(f"/console/cases/{cases[0]}", headers=cookie),
        "live check": lambda: client.post(
            f"/console/cases/{cases[0]}/check",
            data={"channel": "email", "to": agent["email"], "kind": "free_text", "body": DRAFTS[1]},
            headers=post,
        ),
    }  # fmt: skip
    out: dict[str, Any] = {}
    for name, call in requests.items():
        call().raise_for_status()  # warm: templates compiled, models loaded
        counts, cpu, wall = [], [], []
        example: list[str] = []
        for _ in range(repeat):
            statements.clear()
            c0, w0 = time.process_time(), time.perf_counter()
            call().raise_for_status()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
            counts.append(len(statements))
            example = list(statements)
        out[name] = {
            "sql_statements": max(counts),
            "cpu_ms_p50": round(statistics.median(cpu), 1),
            "cpu_ms_max": round(max(cpu), 1),
            "wall_ms_p50": round(statistics.median(wall), 1),
            "statements": [" ".join(q.split())[:140] for q in example],
        }
    event.remove(Engine, "before_cursor_execute", count)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="of load, after the ramp")
    parser.add_argument("--think", default="1,3", help="seconds between an agent's requests")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        help="instead of the load: N of each request in-process, SQL statements and CPU each",
    )
    add_schema_options(parser)
    args = parser.parse_args()

    from concilia.domains import load_all_models

    load_all_models()
    if args.drop_schema:
        drop_schema(args.pg_url, args.drop_schema)
        shutil.rmtree(Path("var", "bench", args.drop_schema), ignore_errors=True)
        return
    cpus = os.cpu_count()
    load_seconds: float | None = None
    if args.schema:
        schema, keep = args.schema, True
        cases = check_schema(args.pg_url, schema)
    else:
        schema, keep, cases = create_schema(args.pg_url), args.keep_schema, args.cases
    url = schema_url(args.pg_url, schema)
    server: subprocess.Popen[str] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        # The seeding and the server share the keys: contacts are decrypted there. A kept
        # schema keeps its keys beside it (var/ is never committed).
        var_dir = Path("var", "bench", schema).resolve() if keep else Path(tmp)
        var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ["CONCILIA_VAR_DIR"] = str(var_dir)
        os.environ["CONCILIA_DATABASE_URL"] = url
        try:
            mark = time.perf_counter()
            if not args.schema:
                from concilia.db import make_engine

                engine = make_engine(url)
                load_fast(engine, cases, args.seed)
                engine.dispose()
                load_seconds = round(time.perf_counter() - mark, 1)
                mark = _phase(f"loaded {cases} cases", mark)
            if keep:
                print(f"[console_load] schema kept: {schema} (reuse: --schema {schema})",
                      file=sys.stderr, flush=True)  # fmt: skip
            agents = _agents(url, args.agents, shown=50)
            mark = _phase(f"{args.agents} agents signed in", mark)
            if args.profile:
                profile = _profile(agents[0], args.profile)
                print(json.dumps({"scale": {"cases": cases}, "schema": schema if keep else None,
                                  "profile": profile, "loadavg": os.getloadavg()}))  # fmt: skip
                return
            agents_file = Path(tmp, "agents.json")
            agents_file.write_text(json.dumps(agents))
            locustfile = Path(tmp, "locustfile.py")
            locustfile.write_text(LOCUSTFILE)
            port = _free_port()
            env = {**os.environ, "CONCILIA_DATABASE_URL": url, "CONCILIA_VAR_DIR": str(var_dir)}
            # As in production: no reload, no debug, no access log, warnings only.
            # Its stderr goes to a file: an unread pipe that fills up would stall the server.
            # A worker loading the tone model holds the GIL for seconds: uvicorn's 5 s health
            # check would kill and restart it (the request answered "disconnected").
            with Path(tmp, "server.log").open("w") as server_log:
                server = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "concilia.app:create_app", "--factory",
                     "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
                     "--log-level", "warning", "--no-access-log",
                     "--timeout-worker-healthcheck", "120"],
                    env=env, stderr=server_log, text=True,
                )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            for _ in range(600):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None:
                    raise RuntimeError(f"server exited: {_tail(Path(tmp, 'server.log'))}")
                time.sleep(0.1)
            mark = _phase("server up", mark)
            try:
                _warm(base, agents[0])
            except httpx.HTTPError as exc:
                log = _tail(Path(tmp, "server.log"))
                raise RuntimeError(f"warm-up failed ({exc}): {log}") from exc
            mark = _phase("warmed", mark)
            load_before = os.getloadavg()
            prefix = Path(tmp, "locust")
            ramp = max(1, args.agents // 5)
            run = subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
                 "-u", str(args.agents), "-r", str(ramp), "-t", f"{args.seconds + 5}s",
                 "--host", base, "--csv", str(prefix), "--only-summary", "--reset-stats",
                 "--loglevel", "ERROR", "--stop-timeout", "5"],
                env={**env, "CONSOLE_LOAD_AGENTS": str(agents_file),
                     "CONSOLE_LOAD_DRAFTS": json.dumps(DRAFTS), "CONSOLE_LOAD_THINK": args.think},
                capture_output=True, text=True, timeout=args.seconds + 120,
            )  # fmt: skip
            load_after = os.getloadavg()
            mark = _phase("locust", mark)
            stats_file = Path(f"{prefix}_stats.csv")
            if not stats_file.exists():
                raise RuntimeError(f"locust wrote no stats: {run.stderr[-2000:]}")
            requests = _stats(stats_file)
            print(
                json.dumps(
                    {
                        "scale": {"cases": cases, "teams": TEAMS, "agents": args.agents},
                        "load_seconds": load_seconds,
                        "schema": schema if keep else None,
                        "seconds": args.seconds,
                        "think_seconds": args.think,
                        "server": f"uvicorn, {args.workers} workers, no access log, 127.0.0.1, "
                        "PostgreSQL",
                        "requests": requests,
                        "all_met": all(r["met"] for r in requests.values()),
                        "conditions": {
                            "cpus": cpus,
                            "loadavg_before": [round(x, 2) for x in load_before],
                            "loadavg_after": [round(x, 2) for x in load_after],
                            "note": "load generator and server share the machine",
                        },
                    }
                )
            )
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
            if not keep:
                drop_schema(args.pg_url, schema)


if __name__ == "__main__":
    main()
