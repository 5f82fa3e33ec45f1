"""The checked-in migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from concilia import migrate
from concilia.db import Base
from tests.conftest import BACKENDS, drop_test_engine, make_test_engine


def _describe(op: object) -> str:
    """A short name for one autogenerate difference (the raw tuples are unreadable)."""
    if isinstance(op, list):
        return "; ".join(_describe(o) for o in op)
    assert isinstance(op, tuple)
    names = [getattr(x, "name", None) or str(x) for x in op[1:3] if x is not None]
    return f"{op[0]} {' '.join(n for n in names if len(n) < 80)}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_models(backend: str, tmp_path: Path) -> None:
    engine, schema = make_test_engine(backend, tmp_path, create_tables=False)
    try:
        with engine.begin() as conn:
            migrate.upgrade(conn)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_object": migrate.include_object_for(Base.metadata),
                },
            )
            diff = compare_metadata(context, Base.metadata)
            summary = [_describe(d) for d in diff]
            assert summary == [], (
                "models and migrations differ; run scripts/regenerate_initial_migration.sh "
                f"(before the first release) or `concilia db revision -m ...`: {summary}"
            )
            tables = set(inspect(conn).get_table_names())
            assert set(Base.metadata.tables) <= tables
            # The dialect-only indexes, left out of the comparison, exist where they apply.
            for name, index in migrate.dialect_only_indexes(Base.metadata).items():
                assert index.table is not None
                present = {i["name"] for i in inspect(conn).get_indexes(index.table.name)}
                condition: Any = index._ddl_if
                applies = conn.dialect.name == condition.dialect
                assert (name in present) == applies, (name, conn.dialect.name)
    finally:
        drop_test_engine(engine, schema)


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrated_audit_log_is_append_only(backend: str, tmp_path: Path) -> None:
    engine, schema = make_test_engine(backend, tmp_path, create_tables=False)
    try:
        with engine.begin() as conn:
            migrate.upgrade(conn)
        from sqlalchemy.orm import Session

        from concilia.audit import service as audit_service

        with Session(engine) as session:
            audit_service.record(
                db_session=session,
                actor="t",
                action="t.x",
                object_type="t",
                object_id=1,
                change={},
            )
            session.commit()
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entries"))
    finally:
        drop_test_engine(engine, schema)
