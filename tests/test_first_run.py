"""First run: the embedded database migrates itself; expected failures are one line, no traceback.

Before, `concilia audit verify` on a fresh CONCILIA_DATABASE_URL printed a 60-line traceback
ending in "no such table: audit_entries".
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from concilia import cli
from concilia.audit import service as audit_service
from concilia.config import get_settings
from concilia.db import reset_engine
from concilia.errors import NotFound

CONCILIA = Path(sys.executable).with_name("concilia")


@pytest.fixture
def database_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test points CONCILIA_DATABASE_URL somewhere of its own; restored afterwards."""
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    reset_engine()
    cli._state["debug"] = False


def _use(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("CONCILIA_DATABASE_URL", url)
    get_settings.cache_clear()
    reset_engine()


def _main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["concilia", *args])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    code = ended.value.code
    return code if isinstance(code, int) else 1


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CONCILIA), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CONCILIA_VAR_DIR": str(tmp_path / "var"), **env},
        check=False,
    )


def test_a_fresh_embedded_database_is_migrated_on_first_use(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'fresh.db'}"
    first = _run(tmp_path, "audit", "verify", CONCILIA_DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    assert "audit chain intact: 0 entries" in first.stdout
    assert "migrated to the current schema" in first.stderr
    assert "Traceback" not in first.stderr
    tables = sqlite3.connect(tmp_path / "var" / "fresh.db").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    assert {"alembic_version", "audit_entries", "cases"} <= {name for (name,) in tables}
    again = _run(tmp_path, "audit", "verify", CONCILIA_DATABASE_URL=url)
    assert again.returncode == 0 and "migrated" not in again.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    quiet = _run(tmp_path, "audit", "verify", CONCILIA_DATABASE_URL=url)
    assert quiet.returncode == 1
    assert quiet.stderr.count("\n") == 1, quiet.stderr
    assert quiet.stderr.startswith("concilia: error: cannot use the database")
    loud = _run(tmp_path, "audit", "verify", CONCILIA_DATABASE_URL=url, CONCILIA_DEBUG="1")
    assert loud.returncode == 1
    assert "Traceback" in loud.stderr and "OperationalError" in loud.stderr


def test_database_down_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: None
) -> None:
    _use(monkeypatch, "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/nowhere")
    assert _main(monkeypatch, "audit", "verify") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "cannot use the database" in err and "127.0.0.1:1" in err
    assert "s3cret" not in err


def test_debug_option_lets_the_error_through(
    monkeypatch: pytest.MonkeyPatch, database_url: None
) -> None:
    _use(monkeypatch, "postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    monkeypatch.setattr(sys, "argv", ["concilia", "--debug", "audit", "verify"])
    with pytest.raises(OperationalError):
        cli.main()


def test_a_database_built_by_someone_else_is_not_migrated_but_named(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: None,
) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE unrelated (id INTEGER)").connection.commit()
    _use(monkeypatch, f"sqlite:///{path}")
    assert _main(monkeypatch, "audit", "verify") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "not at the current schema" in err and "run `concilia db upgrade`" in err


def test_a_database_that_cannot_be_created_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: None
) -> None:
    _use(monkeypatch, "sqlite:////proc/concilia-cannot/x.db")
    assert _main(monkeypatch, "audit", "verify") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "/proc/concilia-cannot" in err


def test_a_domain_error_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: None,
) -> None:
    _use(monkeypatch, f"sqlite:///{tmp_path / 'd.db'}")

    def refuse(**_: object) -> None:
        raise NotFound("no such chain here")

    monkeypatch.setattr(audit_service, "verify", refuse)
    assert _main(monkeypatch, "audit", "verify") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "concilia: error: no such chain here"
    assert "Traceback" not in "\n".join(err)


def test_help_neither_creates_nor_migrates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: None
) -> None:
    path = tmp_path / "untouched.db"
    _use(monkeypatch, f"sqlite:///{path}")
    assert _main(monkeypatch, "audit", "verify", "--help") == 0
    assert not path.exists()
