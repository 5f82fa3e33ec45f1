"""Shared fixtures: every test that touches the database runs on SQLite and on PostgreSQL.

PostgreSQL: 127.0.0.1:5432, user ``postgres``, database ``test`` (override with
``CONCILIA_TEST_PG_URL``). Each run works in its own fresh schema and drops it afterwards.
Where no PostgreSQL answers the PostgreSQL half is skipped with the reason — except under
``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

PG_URL = os.environ.get("CONCILIA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keys and files go to a temporary var/ so tests never touch a real one."""
    from concilia.config import get_settings
    from concilia.db import reset_engine

    var = tmp_path_factory.mktemp("var")
    old = {k: os.environ.get(k) for k in ("CONCILIA_VAR_DIR", "CONCILIA_DATABASE_URL")}
    os.environ["CONCILIA_VAR_DIR"] = str(var)
    os.environ["CONCILIA_DATABASE_URL"] = f"sqlite:///{var / 'global.db'}"
    get_settings.cache_clear()
    reset_engine()
    yield var
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()
    reset_engine()


def _postgres_or_skip() -> None:
    import psycopg

    try:
        psycopg.connect(PG_URL.replace("+psycopg", ""), connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL not reachable at {PG_URL}: {exc}".strip()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true requires PostgreSQL. {reason}")
        pytest.skip(reason)


def make_test_engine(
    backend: str, tmp_dir: Path, *, create_tables: bool = True
) -> tuple[Engine, str | None]:
    """A fresh engine (SQLite file or new PostgreSQL schema), by default with every table."""
    from concilia.db import Base, make_engine
    from concilia.domains import load_all_models

    load_all_models()
    schema = None
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex}.db'}")
    else:
        _postgres_or_skip()
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    if create_tables:
        Base.metadata.create_all(engine)
    return engine, schema


def drop_test_engine(engine: Engine, schema: str | None) -> None:
    """Dispose of a test engine, dropping its PostgreSQL schema."""
    engine.dispose()
    if schema:
        from concilia.db import make_engine

        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One database per backend per test run, with all tables."""
    eng, schema = make_test_engine(request.param, tmp_path_factory.mktemp("db"))
    yield eng
    drop_test_engine(eng, schema)


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    if trans.is_active:
        trans.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits become savepoints of the test's outer transaction."""
    return sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for service-level tests; everything is rolled back afterwards."""
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def app(session_factory: sessionmaker[Session]):
    """The FastAPI app wired to the test transaction."""
    from concilia.app import create_app

    return create_app(session_factory=session_factory)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """An HTTP client for the app (no authentication)."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_user(db_session: Session):
    """Create a user with a role and teams; returns (user, password)."""
    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role

    def _make(username: str, role: str = "agent", teams: list[str] | None = None):
        password = f"pw-{username}-correct-horse"
        user, _ = auth_service.create_user(
            db_session=db_session,
            username=username,
            role=Role(role),
            password=password,
            teams=teams or [],
            actor="test",
        )
        db_session.commit()
        return user, password

    return _make


@pytest.fixture
def auth_headers(db_session: Session, make_user):
    """Bearer headers for a new user: ``auth_headers("alice", "agent", ["north"])``."""
    from concilia.auth import service as auth_service

    def _headers(
        username: str, role: str = "agent", teams: list[str] | None = None
    ) -> dict[str, str]:
        user, _ = make_user(username, role, teams)
        _, clear = auth_service.create_token(db_session=db_session, user_id=user.id, name="test")
        db_session.commit()
        return {"Authorization": f"Bearer {clear}"}

    return _headers


@contextmanager
def recorded_statements(engine: Engine | Connection) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the block runs, in order."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn: object, cursor: object, sql: str, *args: object) -> None:
        statements.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
