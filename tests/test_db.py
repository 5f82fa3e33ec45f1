"""The database layer: isolation of tests, savepoints and aware datetimes on both backends."""

from __future__ import annotations

from datetime import datetime

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
