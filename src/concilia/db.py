"""Engine, sessions and the declarative base. SQLite is the embedded default, PostgreSQL production.

Services never commit: the caller (a route, a CLI command, a job) owns the unit of work,
through :func:`session_scope` or the ``get_db`` request dependency.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from sqlalchemy import BigInteger, DateTime, Engine, Integer, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from concilia.errors import write_after_rollback

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every domain's models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# BIGINT on PostgreSQL, INTEGER on SQLite (only INTEGER PRIMARY KEY autoincrements there).
BigIntId = BigInteger().with_variant(Integer(), "sqlite")
IdPk = Annotated[int, mapped_column(BigIntId, primary_key=True, autoincrement=True)]


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


# Execution option set by :func:`begin_write`: on SQLite the transaction starts with
# BEGIN IMMEDIATE (takes the write lock at once, waiting up to the busy timeout).
WRITE_OPTION = "concilia_write"
SQLITE_BUSY_TIMEOUT_S = 30
# Pooled connections per engine, and how many requests may hold a session at once (fewer,
# leaving room for work outside a request's unit of work, e.g. /health).
POOL_SIZE = 10
POOL_MAX_OVERFLOW = 20
REQUEST_SESSIONS = POOL_SIZE + POOL_MAX_OVERFLOW - 4
_SQLITE_SIDE_FILES = ("", "-wal", "-shm", "-journal")


def _private_sqlite_file(url: str) -> None:
    """Create the database file 0600 (SQLite gives its -wal/-shm the same mode) or tighten it.

    The file holds names and addresses in clear: no other local account may read it.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in _SQLITE_SIDE_FILES:
        side = Path(f"{path}{suffix}")
        # Missing, or someone else's file: SQLite will say what it can do with it.
        with suppress(FileNotFoundError, PermissionError):
            if side.stat().st_mode & 0o077:
                side.chmod(0o600)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and a private file."""
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        kwargs.setdefault(
            "connect_args", {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        )
        if make_url(url).database not in (None, "", ":memory:"):
            kwargs.setdefault("pool_size", POOL_SIZE)
            kwargs.setdefault("max_overflow", POOL_MAX_OVERFLOW)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cursor.close()
            # pysqlite opens transactions lazily, only before DML, which breaks SAVEPOINTs
            # and lets a read-then-write (the audit chain) span two transactions. Take over
            # and BEGIN ourselves, as SQLAlchemy's pysqlite documentation recommends.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A deferred transaction that has read and then writes cannot wait for the lock:
            # when another writer committed meanwhile SQLite answers SQLITE_BUSY at once
            # (its snapshot is stale), whatever the busy timeout. Writers therefore take the
            # lock up front; readers stay deferred and never block anyone (WAL).
            immediate = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_MAX_OVERFLOW)
    return create_engine(url, **kwargs)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (call before its first query).

    On SQLite this is BEGIN IMMEDIATE, so a unit of work that reads then writes waits for
    the write lock instead of failing with "database is locked"; elsewhere it changes nothing.
    """
    session.connection(execution_options={WRITE_OPTION: True})


_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None


def get_engine() -> Engine:
    """The process-wide engine for the configured database URL."""
    global _engine
    if _engine is None:
        from concilia.config import get_settings

        _engine = make_engine(get_settings().database_url)
    return _engine


def get_session_factory() -> sessionmaker[Session]:
    """The process-wide session factory."""
    global _factory
    if _factory is None:
        _factory = sessionmaker(bind=get_engine(), expire_on_commit=False)
    return _factory


def reset_engine() -> None:
    """Forget the process-wide engine (after settings change, e.g. in tests)."""
    global _engine, _factory
    if _engine is not None:
        _engine.dispose()
    _engine, _factory = None, None


@contextmanager
def session_scope(factory: sessionmaker[Session] | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = (factory or get_session_factory())()
    try:
        yield session
        session.commit()
    except BaseException as exc:
        session.rollback()
        write_after_rollback(exc, session)
        raise
    finally:
        session.close()
