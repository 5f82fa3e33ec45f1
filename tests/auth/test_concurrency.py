"""Bearer-token reads and writes from several threads at once never answer a server error.

The app runs on a real engine (no test transaction): the failure this guards against only
shows when separate connections commit, e.g. SQLite's "database is locked" when a read
transaction that touched ``api_tokens.last_used_at`` tried to become a writer.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from concilia.auth import service as auth_service
from concilia.auth.models import ApiToken
from concilia.auth.roles import Role
from concilia.db import utcnow
from tests.conftest import BACKENDS, drop_test_engine, make_test_engine

THREADS = 6
ROUNDS = 12


@pytest.fixture(params=BACKENDS)
def real_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    engine, schema = make_test_engine(request.param, tmp_path)
    yield engine
    drop_test_engine(engine, schema)


def _tokens(factory: sessionmaker[Session], count: int) -> list[str]:
    clears = []
    with factory() as session:
        for i in range(count):
            user, _ = auth_service.create_user(
                db_session=session,
                username=f"worker{i}",
                role=Role.admin,
                password=f"worker-{i}-password-long",
                actor="test",
            )
            clears.append(
                auth_service.create_token(db_session=session, user_id=user.id, name="t")[1]
            )
        session.commit()
    return clears


def test_concurrent_token_reads_and_writes_never_fail(real_engine: Engine) -> None:
    from concilia.app import create_app

    factory = sessionmaker(bind=real_engine, expire_on_commit=False)
    app = create_app(session_factory=factory)
    tokens = _tokens(factory, THREADS)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[index]}"}
        client = TestClient(app, raise_server_exceptions=False)
        start.wait()
        for round_ in range(ROUNDS):
            if (index + round_) % 3 == 0:
                response = client.post(
                    "/api/auth/teams", json={"name": f"t{index}-{round_}"}, headers=headers
                )
            else:
                response = client.get("/api/auth/me", headers=headers)
            with lock:
                statuses[response.status_code] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(statuses.values()) == THREADS * ROUNDS
    assert set(statuses) <= {200, 201}, statuses


def test_last_used_at_is_written_at_most_once_a_minute(real_engine: Engine) -> None:
    from concilia.app import create_app

    factory = sessionmaker(bind=real_engine, expire_on_commit=False)
    client = TestClient(create_app(session_factory=factory))
    (clear,) = _tokens(factory, 1)
    headers = {"Authorization": f"Bearer {clear}"}

    def last_used() -> object:
        with factory() as session:
            return session.scalar(select(ApiToken.last_used_at))

    assert client.get("/api/auth/me", headers=headers).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    assert last_used() == first
    with factory() as session:
        token = session.scalars(select(ApiToken)).one()
        token.last_used_at = utcnow() - timedelta(minutes=2)
        session.commit()
    auth_service.forget_token_touches()
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    later = last_used()
    assert isinstance(later, type(first)) and later != first
