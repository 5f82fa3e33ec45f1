"""Apply and create Alembic migrations from code (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

_HERE = Path(__file__).resolve().parent


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
