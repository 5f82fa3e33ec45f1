"""Alembic environment: the models' metadata, the configured URL, batch mode on SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from concilia.db import Base, get_engine
from concilia.domains import load_all_models

load_all_models()
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    """Run against a connection handed in by the caller, or the configured engine."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with get_engine().connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
