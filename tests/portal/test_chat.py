"""Live chat: both sides get each delivered message once, with its id; an agent's blocked
reply never reaches the debtor and the agent sees why; a reconnect resumes without loss or
duplicates; another debtor's or another team's case is refused; Redis fans out across
brokers.

Two sockets work at once on two threads, so these tests run on a real engine (a pool of
connections, a fresh database per test, both backends) rather than the rolled-back shared
connection of the other tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.websockets import WebSocketDisconnect

from concilia.auth import service as auth_service
from concilia.auth.roles import Role
from concilia.portal import chat as chat_module
from concilia.portal import chat_router
from concilia.portal.broker import LocalBroker, RedisBroker
from concilia.portal.models import ChatMessage
from concilia.portfolio import service as portfolio_service
from tests.conftest import BACKENDS, drop_test_engine, make_test_engine, recorded_statements
from tests.portal.conftest import CSV, Sink, World, _person, sign_in

# A Tuesday, 11:00 in Paris: inside every pack's hours.
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat_router, "clock", lambda: TUESDAY_MORNING)


@dataclass
class Chat:
    client: TestClient
    world: World
    factory: sessionmaker[Session]
    headers: Callable[[str, list[str]], dict[str, str]]


@pytest.fixture(params=BACKENDS)
def chat(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Chat]:
    from concilia.app import create_app

    engine, schema = make_test_engine(request.param, tmp_path)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as db_session:
        portfolio_service.import_portfolio(
            db_session=db_session, data=CSV, file="p.csv", creditor_name="Banque Exemple",
            actor="test",
        )  # fmt: skip
        db_session.commit()
        world = World(
            marie=_person(db_session, "marie@example.org", "17/05/1980", "69003"),
            jane=_person(db_session, "jane@example.org", "01/02/1975", "10001"),
        )

    def headers(username: str, teams: list[str]) -> dict[str, str]:
        with factory() as db_session:
            user, _ = auth_service.create_user(
                db_session=db_session, username=username, role=Role.agent, actor="test",
                password=f"pw-{username}-correct-horse", teams=teams,
            )  # fmt: skip
            _, clear = auth_service.create_token(db_session=db_session, user_id=user.id, name="t")
            db_session.commit()
        return {"Authorization": f"Bearer {clear}"}

    with TestClient(create_app(session_factory=factory)) as client:
        yield Chat(client, world, factory, headers)
    drop_test_engine(engine, schema)


def _url(case_id: int, after: int = 0) -> str:
    return f"/portal/cases/{case_id}/chat/ws?after={after}"


def _agent_url(case_id: int, after: int = 0) -> str:
    return f"/api/portal/cases/{case_id}/chat/ws?after={after}"


def test_messages_reach_both_sides_once(chat: Chat, smtp: Sink) -> None:
    chat.client.app.state.chat_tone = lambda text, lang: []  # type: ignore[attr-defined]
    sign_in(chat.client, chat.world.marie, smtp)
    agent = TestClient(chat.client.app)
    headers = chat.headers("agent1", ["default"])
    case_id = chat.world.marie.case_id
    with (
        chat.client.websocket_connect(_url(case_id)) as debtor,
        agent.websocket_connect(_agent_url(case_id), headers=headers) as staff,
    ):
        debtor.send_json({"text": "Bonjour, je voudrais un échéancier."})
        mine = debtor.receive_json()
        theirs = staff.receive_json()
        assert mine == theirs and mine["sender"] == "debtor" and mine["id"] > 0
        staff.send_json({"text": "Bonjour Marie, voyons cela ensemble."})
        reply = debtor.receive_json()
        assert reply["sender"] == "agent" and reply["text"].startswith("Bonjour Marie")
        assert staff.receive_json()["id"] == reply["id"]


def test_a_blocked_agent_message_never_reaches_the_debtor(chat: Chat, smtp: Sink) -> None:
    # The real tone checker (outreach's default), as in production.
    sign_in(chat.client, chat.world.marie, smtp)
    agent = TestClient(chat.client.app)
    headers = chat.headers("agent1", ["default"])
    case_id = chat.world.marie.case_id
    threat = "Payez maintenant ou nous préviendrons votre employeur et vos voisins de votre dette."
    polite = "Bonjour Marie, comment puis-je vous aider ?"
    with (
        chat.client.websocket_connect(_url(case_id)) as debtor,
        agent.websocket_connect(_agent_url(case_id), headers=headers) as staff,
    ):
        staff.send_json({"text": threat})
        blocked = staff.receive_json()
        assert blocked["type"] == "blocked" and blocked["reasons"]
        staff.send_json({"text": polite})
        first_for_debtor = debtor.receive_json()
        assert first_for_debtor["text"] == polite
        assert staff.receive_json()["id"] == first_for_debtor["id"]
    with chat.factory() as db_session:
        stored = db_session.scalars(select(ChatMessage).order_by(ChatMessage.id)).all()
    assert [m.status for m in stored] == ["blocked", "delivered"]
    assert "employeur" not in stored[0].body_encrypted  # encrypted at rest
    # Reconnecting, the debtor's history has only the delivered reply; the agent's has both.
    with chat.client.websocket_connect(_url(case_id)) as debtor:
        assert debtor.receive_json()["id"] == stored[1].id
    with agent.websocket_connect(_agent_url(case_id), headers=headers) as staff:
        assert [staff.receive_json()["status"] for _ in range(2)] == ["blocked", "delivered"]


def test_reconnect_resumes_after_the_last_id(chat: Chat, smtp: Sink) -> None:
    sign_in(chat.client, chat.world.marie, smtp)
    case_id = chat.world.marie.case_id
    with chat.client.websocket_connect(_url(case_id)) as debtor:
        ids = []
        for text in ("one", "two", "three"):
            debtor.send_json({"text": text})
            ids.append(debtor.receive_json()["id"])
    with chat.client.websocket_connect(_url(case_id, after=ids[0])) as debtor:
        got = [debtor.receive_json() for _ in range(2)]
        assert [m["id"] for m in got] == ids[1:] and [m["text"] for m in got] == ["two", "three"]
        debtor.send_json({"text": "four"})
        # The next thing received is the new message: nothing of the backlog comes twice.
        assert debtor.receive_json()["text"] == "four"


def _refused(client: TestClient, url: str, **kwargs: Any) -> int:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(url, **kwargs) as ws,
    ):
        ws.receive_json()
    return int(refused.value.code)


def test_another_debtors_case_is_refused(chat: Chat, smtp: Sink) -> None:
    sign_in(chat.client, chat.world.marie, smtp)
    for case_id in (chat.world.jane.case_id, 999_999):
        assert _refused(chat.client, _url(case_id)) == chat_router.NOT_ALLOWED
    assert chat.client.get(f"/portal/cases/{chat.world.jane.case_id}/chat").status_code == 404
    assert chat.client.get(f"/portal/cases/{chat.world.marie.case_id}/chat").status_code == 200


def test_no_session_or_another_site_is_refused(chat: Chat, smtp: Sink) -> None:
    case_id = chat.world.marie.case_id
    assert _refused(chat.client, _url(case_id)) == chat_router.NOT_ALLOWED
    sign_in(chat.client, chat.world.marie, smtp)
    evil = {"origin": "https://evil.example"}
    assert _refused(chat.client, _url(case_id), headers=evil) == chat_router.NOT_ALLOWED


def test_an_agent_of_another_team_is_refused(chat: Chat) -> None:
    headers = chat.headers("outsider", ["south"])
    url = _agent_url(chat.world.marie.case_id)
    assert _refused(chat.client, url, headers=headers) == chat_router.NOT_ALLOWED


def test_local_broker_fans_out_to_every_subscriber_of_the_case() -> None:
    async def run() -> list[Any]:
        broker = LocalBroker()
        async with broker.subscribe(1) as a, broker.subscribe(1) as b, broker.subscribe(2) as c:
            await broker.publish(1, {"id": 7})
            got = [await asyncio.wait_for(a.get(), 1), await asyncio.wait_for(b.get(), 1)]
            assert c.empty()
            return got

    assert asyncio.run(run()) == [{"id": 7}, {"id": 7}]


@pytest.fixture
def redis_client() -> Any:
    """A client of the Redis on 127.0.0.1:6379; skipped without one, failed under CI=true."""
    import os

    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true requires Redis on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


def test_redis_broker_crosses_processes(redis_client: Any) -> None:
    case_id = int(uuid.uuid4().int % 1_000_000_000)

    async def run() -> Any:
        # Two broker objects stand for two server processes.
        receiver = RedisBroker("redis://127.0.0.1:6379/0")
        sender = RedisBroker("redis://127.0.0.1:6379/0")
        async with receiver.subscribe(case_id) as queue:
            await asyncio.sleep(0.05)  # let the subscription reach the server
            await sender.publish(case_id, {"id": 1, "text": "hi"})
            got = await asyncio.wait_for(queue.get(), 2)
        await receiver.aclose()
        await sender.aclose()
        return got

    assert asyncio.run(run()) == {"id": 1, "text": "hi"}


def test_redis_broker_shares_one_subscription_between_a_process_sockets(
    redis_client: Any,
) -> None:
    client = redis_client
    case_id = int(uuid.uuid4().int % 1_000_000_000)
    channel = RedisBroker.channel(case_id)

    async def run() -> Any:
        broker = RedisBroker("redis://127.0.0.1:6379/0")
        async with broker.subscribe(case_id) as a, broker.subscribe(case_id) as b:
            await asyncio.sleep(0.05)
            # One pub/sub connection of this process listens to the case, not one per socket.
            subscribers = client.pubsub_numsub(channel)[0][1]
            await broker.publish(case_id, {"id": 2})
            got = [await asyncio.wait_for(a.get(), 2), await asyncio.wait_for(b.get(), 2)]
        await asyncio.sleep(0.05)
        after = client.pubsub_numsub(channel)[0][1]
        await broker.aclose()
        return subscribers, got, after

    assert asyncio.run(run()) == (1, [{"id": 2}, {"id": 2}], 0)


def test_redis_broker_delivers_everything_when_many_sockets_open_at_once(
    redis_client: Any,
) -> None:
    # Two processes, 120 sockets each opening at the same moment over 40 cases, then 150
    # messages from each side: every subscriber of a case gets every message of its case.
    # (A fresh redis-py PubSub took one connection per concurrent first subscribe, and only
    # the last was read: deliveries were lost and publishing hit MaxConnectionsError.)
    base = int(uuid.uuid4().int % 1_000_000_000)
    cases = [base + n for n in range(40)]
    rng = random.Random(5)

    async def process(broker: RedisBroker, opened: asyncio.Event, go: asyncio.Event) -> Any:
        async with contextlib.AsyncExitStack() as stack:
            queues = await asyncio.gather(
                *(stack.enter_async_context(broker.subscribe(cases[n % 40])) for n in range(120))
            )
            opened.set()
            await go.wait()
            sent = [rng.choice(cases) for _ in range(150)]
            for n, case_id in enumerate(sent):
                await broker.publish(case_id, {"id": n})
            await asyncio.sleep(0.5)
            received = sum(q.qsize() for q in queues)
        await broker.aclose()
        return sent, received

    async def run() -> Any:
        flags = [asyncio.Event(), asyncio.Event()]
        go = asyncio.Event()
        brokers = [RedisBroker("redis://127.0.0.1:6379/0") for _ in range(2)]
        pairs = zip(brokers, flags, strict=True)
        tasks = [asyncio.create_task(process(b, f, go)) for b, f in pairs]
        await asyncio.gather(*(f.wait() for f in flags))
        go.set()
        return await asyncio.gather(*tasks)

    (sent_a, got_a), (sent_b, got_b) = asyncio.run(run())
    # Each process has 3 sockets per case: every message reaches 3 sockets in each process.
    assert (got_a, got_b) == (3 * (len(sent_a) + len(sent_b)), 3 * (len(sent_a) + len(sent_b)))


def test_a_debtor_message_is_read_by_the_guard_before_its_write_transaction_opens(
    chat: Chat, smtp: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = chat.factory.kw["bind"]
    if engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's; PostgreSQL's writers wait for row locks")
    sign_in(chat.client, chat.world.marie, smtp)
    real_read = chat_module.read_text
    with recorded_statements(engine) as log:

        def reading(text: str) -> Any:
            log.append("guard")
            return real_read(text)

        monkeypatch.setattr(chat_module, "read_text", reading)
        with chat.client.websocket_connect(_url(chat.world.marie.case_id)) as debtor:
            log.clear()
            debtor.send_json({"text": "Je peux payer 50 euros le 15"})
            assert debtor.receive_json()["type"] == "message"
    # The guard first, then a transaction that is a writer from its start (a deferred one
    # that read first failed with "database is locked" after another socket's commit).
    begin = log.index("BEGIN IMMEDIATE")
    assert log.index("guard") < begin
    assert any(entry.startswith("INSERT INTO portal_chat_messages") for entry in log[begin:])
    assert not any(entry.startswith("SELECT") for entry in log[log.index("guard") : begin])


def test_a_busy_database_is_tried_again_and_never_closes_the_socket(
    chat: Chat, smtp: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    sign_in(chat.client, chat.world.marie, smtp)
    case_id = chat.world.marie.case_id
    real = chat_router._post
    failures = {"left": 1}

    def flaky(*args: Any) -> Any:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args)

    monkeypatch.setattr(chat_router, "_post", flaky)
    with chat.client.websocket_connect(_url(case_id)) as debtor:
        debtor.send_json({"text": "Je peux payer 50 euros le 15"})
        first = debtor.receive_json()
        assert first["type"] == "message" and first["text"] == "Je peux payer 50 euros le 15"
        failures["left"] = chat_router.POST_ATTEMPTS  # busy on every attempt this time
        debtor.send_json({"text": "Et le reste le mois prochain"})
        assert debtor.receive_json()["type"] == "error"
        debtor.send_json({"text": "Merci"})  # the same socket still works
        assert debtor.receive_json()["text"] == "Merci"
    with chat.factory() as db_session:
        texts = [
            chat_module.payload(m, for_agent=False)["text"]
            for m in chat_module.history(
                db_session=db_session, case_id=case_id, after_id=0, for_agent=False
            )
        ]
    assert texts == ["Je peux payer 50 euros le 15", "Merci"]
