"""Apply and create Alembic migrations from code (no alembic.ini needed)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Index, MetaData, inspect

_HERE = Path(__file__).resolve().parent


def dialect_only_indexes(metadata: MetaData) -> dict[str, Index]:
    """Indexes declared for one dialect only (``Index(...).ddl_if(dialect=...)``), by name.

    Autogenerate cannot render that condition, so these are left out of comparisons and
    written into the initial migration as conditional SQL by the regeneration script."""
    found: dict[str, Index] = {}
    for table in metadata.tables.values():
        for index in table.indexes:
            if getattr(index, "_ddl_if", None) is not None and index.name:
                found[str(index.name)] = index
    return found


def include_object_for(metadata: MetaData) -> Callable[..., bool]:
    """Alembic's ``include_object`` hook that skips the dialect-only indexes."""
    skipped = set(dialect_only_indexes(metadata))

    def include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
        return not (type_ == "index" and name in skipped)

    return include_object


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(_HERE / "migrations"))
    config.set_main_option("version_path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection | None = None, revision: str = "head") -> None:
    """Bring the database to ``revision``."""
    command.upgrade(alembic_config(connection), revision)


def revision(message: str) -> None:
    """Autogenerate a new migration from the models (developers only)."""
    command.revision(alembic_config(), message=message, autogenerate=True)


def heads() -> set[str]:
    """The revisions the code expects a database to be at."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def needs_upgrade(connection: Connection) -> bool:
    """Whether the database is empty or at an older revision than the code.

    A database with tables but no revision (built from the models directly, as the tests
    do) is not ours to migrate: False.
    """
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None:
        return not inspect(connection).get_table_names()
    return current not in heads()


def ensure_embedded(engine: Engine) -> bool:
    """Migrate the embedded default (SQLite) when nobody has, or when it is behind the code;
    True when it did. Other databases are left to ``concilia db upgrade``: an operator
    decides when a shared database changes."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as connection:
        if not needs_upgrade(connection):
            return False
    with _exclusive(engine.url.database), engine.begin() as connection:
        # Two commands started together on a fresh file: the second finds it done.
        if not needs_upgrade(connection):
            return False
        upgrade(connection)
    return True


@contextmanager
def _exclusive(database: str | None) -> Iterator[None]:
    """Hold a lock on the database file's folder (nothing to lock for an in-memory one)."""
    if not database or database == ":memory:":
        yield
        return
    folder = Path(database).resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
