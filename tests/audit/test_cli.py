"""`concilia audit verify` on a real database file: exit 0 when intact, 1 naming the entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from concilia import migrate
from concilia.audit import service as audit_service
from concilia.audit.models import GENESIS_HASH, AuditEntry
from concilia.cli import app
from concilia.config import get_settings
from concilia.db import get_engine, reset_engine, session_scope
from tests.audit.test_chain import _unkeyed


@pytest.fixture
def file_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("CONCILIA_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    reset_engine()
    with get_engine().begin() as conn:
        migrate.upgrade(conn)
    yield path
    reset_engine()
    monkeypatch.undo()
    get_settings.cache_clear()


def test_verify_cli_detects_tampering(file_db: Path) -> None:
    with session_scope() as session:
        for i in range(4):
            audit_service.record(
                db_session=session,
                actor="cli-test",
                action="t.x",
                object_type="t",
                object_id=i,
                change={"i": i},
            )
    runner = CliRunner()
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "4 entries" in intact.output
    anchor = runner.invoke(app, ["audit", "head"]).output.strip()
    with get_engine().begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entries_no_update"))
        conn.execute(text("UPDATE audit_entries SET object_id = '99' WHERE seq = 2"))
    broken = runner.invoke(app, ["audit", "verify", "--anchor", anchor])
    assert broken.exit_code == 1
    assert "entry #2" in broken.output and "altered" in broken.output


def test_verify_cli_detects_a_chain_recomputed_without_the_key(file_db: Path) -> None:
    with session_scope() as session:
        for i in range(3):
            audit_service.record(
                db_session=session,
                actor="cli-test",
                action="t.x",
                object_type="t",
                object_id=i,
                change={"i": i},
            )
    with get_engine().begin() as conn:
        conn.execute(text("DROP TRIGGER audit_entries_no_update"))
    with session_scope() as session:
        prev = GENESIS_HASH
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            if entry.seq == 2:
                entry.actor = "mallory"
            entry.prev_hash = prev
            entry.hash = _unkeyed(entry)
            prev = entry.hash
    broken = CliRunner().invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "entry #1" in broken.output and "without the audit key" in broken.output
