"""The database layer: isolation of tests, savepoints and aware datetimes on both backends."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from concilia.auth.models import Team
from concilia.db import utcnow


def test_a_commit_inside_the_test_transaction_is_rolled_back(engine: Engine) -> None:
    conn = engine.connect()
    outer = conn.begin()
    factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint")
    with factory() as session:
        session.add(Team(name="isolation-probe", created_at=utcnow()))
        session.commit()
    outer.rollback()
    conn.close()
    with engine.connect() as fresh:
        count = fresh.scalar(
            select(func.count()).select_from(Team).where(Team.name == "isolation-probe")
        )
    assert count == 0


def test_nested_savepoint_rolls_back_alone(db_session: Session) -> None:
    db_session.add(Team(name="kept", created_at=utcnow()))
    db_session.flush()
    with pytest.raises(RuntimeError), db_session.begin_nested():
        db_session.add(Team(name="discarded", created_at=utcnow()))
        db_session.flush()
        raise RuntimeError("abort the savepoint")
    names = set(db_session.scalars(select(Team.name)))
    assert "kept" in names and "discarded" not in names


def test_datetimes_come_back_aware_utc(db_session: Session) -> None:
    team = Team(name="tz", created_at=utcnow())
    db_session.add(team)
    db_session.flush()
    db_session.expire_all()
    loaded = db_session.scalar(select(Team).where(Team.name == "tz"))
    assert loaded is not None and loaded.created_at.tzinfo is not None
    offset = loaded.created_at.utcoffset()
    assert offset is not None and offset.total_seconds() == 0


def test_naive_datetimes_are_refused(db_session: Session) -> None:
    db_session.add(Team(name="naive", created_at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive datetime"):
        db_session.flush()


def test_sqlite_files_and_keys_are_private(tmp_path: Path) -> None:
    from sqlalchemy import text

    from concilia.config import Settings
    from concilia.db import make_engine

    old_umask = os.umask(0o022)  # the usual default, under which files come out 0644
    try:
        database = tmp_path / "data" / "concilia.db"
        engine = make_engine(f"sqlite:///{database}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(f.exists() for f in files)
        engine.dispose()
        for path in files:
            if path.exists():
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

        var = tmp_path / "var"
        Settings(var_dir=var, database_url="sqlite://").ensure_secrets()
        assert stat.S_IMODE(var.stat().st_mode) == 0o700
        for key in ("secret.key", "data.key"):
            assert stat.S_IMODE((var / key).stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    from concilia.db import make_engine

    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    make_engine(f"sqlite:///{database}").dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
