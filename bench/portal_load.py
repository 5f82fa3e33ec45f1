"""Portal load on this machine: page latency for N signed-in debtors and message delivery
latency over M concurrent chat connections, against a real server (uvicorn, loopback).

Seeds a fresh database (temporary SQLite file, or a fresh PostgreSQL schema with
``--database postgresql``) with one debtor per user, signs each in directly (a portal
session, not the one-time-code walk, which is tested elsewhere), starts uvicorn, then:

* pages (Locust, headless, its own process): every user loops over ``/portal/home`` and its
  own case page for ``--seconds``, arriving during the first ``--think`` seconds and waiting
  0.5-1.5 times ``--think`` between pages (``--lockstep``: together, exactly ``--think``; 0: a
  closed loop, the server's ceiling);
* chat: ``--connections`` debtor sockets spread over the users' cases; on each case the first
  socket sends ``--messages`` messages ``--interval`` seconds apart (starting at a random
  moment of the first interval; ``--lockstep``: all cases at once), and the latency is
  measured from the send to the arrival at every other socket of the case (fan-out through
  the broker; with ``--workers 2`` the sockets land on both processes and Redis carries the
  messages).

Prints one JSON object (p50/p95/max in milliseconds, counts, errors).

    .venv/bin/python bench/portal_load.py [--users 100] [--connections 500] [--messages 5]
        [--seconds 20] [--think 1] [--workers 1] [--database sqlite|postgresql]
        [--texts plain|debtor] [--assistant never]

The load generator runs on the same machine as the server (loopback): on a shared machine
the load average before and after is printed with the figures, since the other processes'
CPU use decides the latencies as much as the portal does.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

PG_URL = os.environ.get(
    "CONCILIA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
HEADER = (
    "account_reference,debtor_reference,given_names,family_names,date_of_birth,address_line,"
    "postal_code,city,country,emails,phones,jurisdiction,time_zone,preferred_language,"
    "principal,interest,fees,currency,charge_off_date"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _csv(users: int) -> bytes:
    rows = [HEADER]
    for i in range(users):
        rows.append(
            f"B-{i:05d},D-{i:05d},Person{i},Bench,1980-01-{(i % 28) + 1:02d},1 rue X,69003,"
            f"Lyon,FR,p{i}@bench.example,+336{i:08d},FR,Europe/Paris,fr,{500 + i}.00,0.00,"
            "0.00,EUR,2025-01-15"
        )
    return ("\n".join(rows) + "\n").encode()


def _seed(url: str, users: int) -> list[tuple[int, str]]:
    """Tables, one debtor per user and a portal session each: (case id, cookie value)."""
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from concilia.db import Base, make_engine, utcnow
    from concilia.domains import load_all_models
    from concilia.portal import service as portal_service
    from concilia.portfolio import service as portfolio_service
    from concilia.portfolio.models import Case, Debt

    load_all_models()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    out = []
    with factory() as session:
        portfolio_service.import_portfolio(
            db_session=session, data=_csv(users), file="bench.csv", creditor_name="Bench Bank",
            actor="bench",
        )  # fmt: skip
        rows = session.execute(select(Case.id, Debt.debtor_id).join(Debt, Case.debt)).all()
        for case_id, debtor_id in rows:
            _, clear = portal_service.start_session(
                db_session=session, debtor_id=debtor_id, lang="fr", now=utcnow()
            )
            out.append((int(case_id), clear))
        session.commit()
    engine.dispose()
    # The guard's classifier, trained once into this var/ as a deployment keeps it in
    # var/models: each server process then loads it at start-up instead of training it
    # (seconds of CPU) while the first pages are timed.
    from concilia.special import head

    head.get_head(Path(os.environ["CONCILIA_VAR_DIR"]))
    return out


def _cookies(cookie: str) -> dict[str, str]:
    """A signed-in browser's cookies: the session and its signed last-active time."""
    from concilia.db import utcnow
    from concilia.portal import security

    return {
        "concilia_portal": cookie,
        "concilia_portal_seen": security.seen_value(cookie, utcnow()),
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"p50": at(0.50), "p95": at(0.95), "max": round(ordered[-1], 1)}


LOCUSTFILE = """
import itertools, json, os

from locust import FastHttpUser, between, constant, task

PEOPLE = json.loads(open(os.environ["PORTAL_LOAD_PEOPLE"]).read())
THINK = float(os.environ["PORTAL_LOAD_THINK"])
LOCKSTEP = os.environ["PORTAL_LOAD_LOCKSTEP"] == "1"
_seat = itertools.count()


class Debtor(FastHttpUser):
    wait_time = constant(THINK) if LOCKSTEP else between(0.5 * THINK, 1.5 * THINK)

    def on_start(self):
        me = PEOPLE[next(_seat) % len(PEOPLE)]
        self.headers = {"Cookie": me["cookie"]}
        self.case = me["case_id"]
        self.turn = 0

    @task
    def page(self):
        self.turn += 1
        home = self.turn % 2
        path = "/portal/home" if home else f"/portal/cases/{self.case}"
        # Not followed: a redirect to the door (an expired session) must count as a failure,
        # not as a fast page.
        with self.client.get(path, headers=self.headers, name="home" if home else "case page",
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
"""


def _pages(
    base: str, people: list[tuple[int, str]], seconds: float, think: float, lockstep: bool
) -> dict[str, Any]:
    """Locust, headless, in its own process: users arrive over the first --think seconds
    (lockstep: all at once) and wait 0.5-1.5 times --think between pages (lockstep: exactly).
    The first measurement drove the pages with httpx from this process, which also ran the
    sockets: its own CPU (a few ms a request) was counted in the latencies."""
    import csv

    with tempfile.TemporaryDirectory() as tmp:
        people_file = Path(tmp, "people.json")
        people_file.write_text(
            json.dumps(
                [
                    {
                        "case_id": case_id,
                        "cookie": "; ".join(f"{k}={v}" for k, v in _cookies(cookie).items()),
                    }
                    for case_id, cookie in people
                ]
            )
        )
        locustfile = Path(tmp, "locustfile.py")
        locustfile.write_text(LOCUSTFILE)
        prefix = Path(tmp, "locust")
        rate = len(people) if lockstep or think <= 0 else max(1.0, len(people) / think)
        run = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
             "-u", str(len(people)), "-r", str(rate), "-t", f"{max(1, round(seconds))}s",
             "--host", base, "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR",
             "--stop-timeout", "5"],
            env={**os.environ, "PORTAL_LOAD_PEOPLE": str(people_file),
                 "PORTAL_LOAD_THINK": str(think), "PORTAL_LOAD_LOCKSTEP": "1" if lockstep else "0"},
            capture_output=True, text=True, timeout=seconds + 120,
        )  # fmt: skip
        stats = Path(f"{prefix}_stats.csv")
        if not stats.exists():
            raise RuntimeError(f"locust wrote no stats: {run.stderr[-2000:]}")
        out: dict[str, Any] = {"by_page": {}}
        with stats.open() as f:
            for row in csv.DictReader(f):
                figures = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50": float(row["50%"]),
                    "p95": float(row["95%"]),
                    "p99": float(row["99%"]),
                    "max": round(float(row["Max Response Time"]), 1),
                    "rps": round(float(row["Requests/s"]), 1),
                }
                if row["Name"] == "Aggregated":
                    out.update(figures)
                else:
                    out["by_page"][row["Name"]] = figures
        return out


# What debtors write in the chat (``--texts debtor``): the first ones are made of words the
# guard's first stage knows to be neutral, the others hold a word its classifier must read.
DEBTOR_TEXTS = (
    "Bonjour, je peux payer 50 euros le 15 ?",
    "Puedo pagar 30 euros al mes, gracias",
    "Can I pay the rest next Friday?",
    "Je voudrais un plan de paiement en trois fois",
    "Mon employeur me paie en retard ce mois-ci, je règle lundi",
    "He cambiado de banco, ¿a qué cuenta hago la transferencia?",
    "My wages come in late this month, sorry about that",
    "Le site ne marche pas, j'ai une erreur quand je veux payer",
)


def _text(kind: str, n: int) -> str:
    tag = uuid.uuid4().hex[:12]
    if kind == "plain":
        return f"bench {uuid.uuid4().hex}"
    return f"{DEBTOR_TEXTS[n % len(DEBTOR_TEXTS)]} (ref {tag})"


async def _chat(
    ws_base: str,
    people: list[tuple[int, str]],
    connections: int,
    messages: int,
    interval: float,
    texts: str = "plain",
    lockstep: bool = False,
) -> dict[str, Any]:
    import websockets

    # Each case has one speaker, whose messages the server handles in order: the k-th answer
    # on the speaker's socket (its own message back, or an error) answers its k-th send. The
    # delays are matched by message id, not by text: the special-category guard stores a text
    # it cannot read as "[…]" (about 4 % of the random "bench <hex>" texts), which matching by
    # text counted as lost deliveries.
    pending: dict[int, collections.deque[float]] = {}
    sent_at: dict[int, float] = {}  # message id -> when its speaker sent it
    case_of: dict[int, int] = {}  # message id -> its case
    arrivals: list[tuple[int, int, float]] = []  # (socket, message id, arrival) at the others
    answers = {"delivered": 0, "redacted": 0, "error": 0, "blocked": 0}
    errors = 0
    by_case: dict[int, list[Any]] = {}
    sockets = []
    connect_errors = 0
    connect_ms: list[float] = []
    gate = asyncio.Semaphore(50)  # at most 50 handshakes in flight, as browsers arriving

    async def open_one(i: int) -> None:
        nonlocal connect_errors
        case_id, cookie = people[i % len(people)]
        async with gate:
            started = time.perf_counter()
            try:
                ws = await websockets.connect(
                    f"{ws_base}/portal/cases/{case_id}/chat/ws",
                    additional_headers={
                        "Cookie": "; ".join(f"{k}={v}" for k, v in _cookies(cookie).items())
                    },
                    max_queue=None,
                    open_timeout=60,
                )
            except Exception:  # a refused or timed-out handshake is counted, not fatal
                connect_errors += 1
                return
            connect_ms.append((time.perf_counter() - started) * 1000)
        sockets.append(ws)
        by_case.setdefault(case_id, []).append(ws)

    await asyncio.gather(*(open_one(i) for i in range(connections)))
    _progress(f"{len(sockets)} sockets open ({connect_errors} refused); sending")
    all_answered = asyncio.Event()
    to_answer = messages * len(by_case)

    async def listen(ws: Any, case_id: int, is_speaker: bool) -> None:
        number = id(ws)
        async for raw in ws:
            data = json.loads(raw)
            arrived = time.perf_counter()
            kind = data.get("type")
            if is_speaker and kind in ("message", "error", "blocked"):
                if kind == "message" and data["id"] in sent_at:
                    continue  # the history's copy of a message already answered
                started = pending[case_id].popleft()
                if kind == "message":
                    sent_at[data["id"]] = started
                    case_of[data["id"]] = case_id
                    answers["redacted" if data["text"] == "[…]" else "delivered"] += 1
                else:
                    answers[kind] += 1
                if sum(answers.values()) >= to_answer:
                    all_answered.set()
            elif not is_speaker and kind == "message":
                arrivals.append((number, data["id"], arrived))

    listeners = [
        asyncio.create_task(listen(ws, case_id, ws is group[0]))
        for case_id, group in by_case.items()
        for ws in group
    ]

    rng = random.Random(1)

    async def speak(case_id: int, ws: Any) -> None:
        nonlocal errors
        pending[case_id] = collections.deque()
        # Each case's speaker starts at its own moment of the first interval (lockstep: all
        # 100 at once, every message a burst of 100).
        if not lockstep:
            await asyncio.sleep(interval * rng.random())
        for n in range(messages):
            pending[case_id].append(time.perf_counter())
            try:
                await ws.send(json.dumps({"text": _text(texts, n)}))
            except Exception:  # a dropped socket is counted, not fatal to the run
                errors += 1
                pending[case_id].pop()
            await asyncio.sleep(interval)

    started = time.perf_counter()
    await asyncio.gather(*(speak(case_id, group[0]) for case_id, group in by_case.items()))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_answered.wait(), timeout=60)
    # Every message the server accepted must reach each other socket of its case.
    expected = sum(len(by_case[case_id]) - 1 for case_id in case_of.values())
    expected_ids = set(case_of)
    for _ in range(600):  # up to 60 s more for the fan-out to finish
        if sum(1 for _, mid, _ in arrivals if mid in expected_ids) >= expected:
            break
        await asyncio.sleep(0.1)
    elapsed = time.perf_counter() - started
    delays = [(at - sent_at[mid]) * 1000 for _, mid, at in arrivals if mid in sent_at]
    # A message id arriving twice at one socket would be a duplicate: the protocol forbids it.
    per_socket_dupes = len(arrivals) - len({(sock, mid) for sock, mid, _ in arrivals})
    _progress(f"{len(delays)} of {expected} deliveries; closing")
    for task in listeners:
        task.cancel()
    # All at once and bounded: closing 500 sockets one after the other, each waiting for its
    # closing handshake, took minutes on a loaded machine.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True), timeout=30
        )
    return {
        "connections": connections,
        "connected": len(sockets),
        "connect_errors": connect_errors,
        "connect_ms": _percentiles(connect_ms),
        "cases": len(by_case),
        "messages_sent": messages * len(by_case),
        "answers": answers,
        "deliveries_expected": expected,
        "deliveries": len(delays),
        "duplicates": per_socket_dupes,
        "send_errors": errors,
        "seconds": round(elapsed, 1),
        **_percentiles(delays),
    }


def _progress(line: str) -> None:
    """Where the run is, on stderr (stdout carries only the result)."""
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def _server(
    url: str, var_dir: Path, port: int, workers: int, assistant: str
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "CONCILIA_DATABASE_URL": url,
        "CONCILIA_VAR_DIR": str(var_dir),
        "CONCILIA_PORTAL_ASSISTANT": assistant,
    }
    if workers > 1:
        env["CONCILIA_PORTAL_CHAT_REDIS_URL"] = os.environ.get(
            "CONCILIA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"
        )
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "concilia.app:create_app", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level",
         "warning", "--no-access-log"],
        env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--messages", type=int, default=5, help="per case, from one socket")
    parser.add_argument("--seconds", type=float, default=20.0, help="of page load")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds between a user's pages"
    )
    parser.add_argument(
        "--lockstep",
        action="store_true",
        help="all users start together and think exactly --think (waves of simultaneous pages)",
    )
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between messages")
    parser.add_argument("--workers", type=int, default=1, help=">1 uses Redis pub/sub")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="sqlite: a temporary file; postgresql: a fresh schema at CONCILIA_BENCH_PG_URL",
    )
    parser.add_argument("--postgres", action="store_true", help="same as --database postgresql")
    parser.add_argument(
        "--texts",
        choices=("plain", "debtor"),
        default="plain",
        help="plain: 'bench <id>', which the special-category guard's classifier reads; "
        "debtor: ordinary debtor sentences (FR/ES/EN) with an id, half of which its first "
        "stage clears without the classifier",
    )
    parser.add_argument(
        "--assistant",
        choices=("never", "always", "out_of_hours"),
        default="never",
        help="the out-of-hours assistant (default never: human chat delivery is measured; "
        "always: every debtor message also gets an FAQ answer)",
    )
    args = parser.parse_args(argv)
    args.postgres = args.postgres or args.database == "postgresql"
    with tempfile.TemporaryDirectory() as tmp:
        var_dir = Path(tmp)
        # The seeding and the server must share the keys: both read this var/.
        os.environ["CONCILIA_VAR_DIR"] = str(var_dir)
        schema = None
        errors_seen = 0
        if args.postgres:
            from sqlalchemy import text

            from concilia.db import make_engine

            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = make_engine(PG_URL)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{var_dir / 'portal.db'}"
        os.environ["CONCILIA_DATABASE_URL"] = url
        people = _seed(url, args.users)
        port = _free_port()
        server = _server(url, var_dir, port, args.workers, args.assistant)
        # Read the server's stderr as it comes: a pipe nobody reads fills (64 KiB of warnings
        # or tracebacks) and then blocks every server thread that logs, which froze the chat.
        server_log: collections.deque[str] = collections.deque(maxlen=2000)

        def _drain() -> None:
            assert server.stderr is not None
            for line in server.stderr:
                server_log.append(line)

        drain = threading.Thread(target=_drain, name="server-stderr", daemon=True)
        drain.start()
        load_before = round(os.getloadavg()[0], 1)
        base = f"http://127.0.0.1:{port}"
        try:
            # The server answers once it has loaded the special-category guard (tens of
            # seconds on a busy machine): wait up to five minutes.
            for _ in range(3000):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None:
                    drain.join(timeout=5)
                    raise RuntimeError(f"server exited: {''.join(server_log)}")
                time.sleep(0.1)
            # Warm: the first request of each page compiles its templates and loads the
            # locale data; a cold server made every user's first page wait seconds, which
            # dominated the p95 of a 20-second run (the 6.5 s of the first measurement).
            for case_id, cookie in people[:2]:
                for path in ("/portal/home", f"/portal/cases/{case_id}"):
                    httpx.get(base + path, cookies=_cookies(cookie), timeout=120)
            _progress(f"server up; {args.users} users on pages for {args.seconds} s")
            pages = _pages(base, people, args.seconds, args.think, args.lockstep)
            _progress(f"pages: {json.dumps(pages)}; opening {args.connections} sockets")
            chat = asyncio.run(
                _chat(
                    f"ws://127.0.0.1:{port}",
                    people,
                    args.connections,
                    args.messages,
                    args.interval,
                    args.texts,
                    args.lockstep,
                )
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
            drain.join(timeout=5)
            # What went wrong on the server side (a socket closed by an error loses messages).
            errors_seen = sum(line.startswith("Traceback") for line in server_log)
            if errors_seen:
                tail = "".join(list(server_log)[-60:])
                _progress(f"server errors: {errors_seen}; last lines:\n{tail}")
            if schema:
                from sqlalchemy import text

                from concilia.db import make_engine

                admin = make_engine(PG_URL)
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    result = {
        "bench": "portal_load",
        "database": "postgresql" if args.postgres else "sqlite",
        "workers": args.workers,
        "texts": args.texts,
        "users": args.users,
        "think_s": args.think,
        "arrivals": "lockstep" if args.lockstep else "staggered",
        "message_interval_s": args.interval,
        "assistant": args.assistant,
        "cpus": os.cpu_count(),
        "load_average_1m_before": load_before,
        "load_average_1m_after": round(os.getloadavg()[0], 1),
        "pages_ms": pages,
        "chat_delivery_ms": chat,
        "server_tracebacks": errors_seen,
        "targets": {"page_p95_ms": 150, "chat_p95_ms": 200},
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
