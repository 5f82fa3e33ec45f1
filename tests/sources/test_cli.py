"""``concilia sources``: declare from flags and YAML, import with exit codes and reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from concilia.cli import app
from concilia.config import get_settings
from concilia.db import Base, get_session_factory, make_engine, reset_engine
from concilia.domains import load_all_models
from concilia.sources.models import Profile, Source
from tests.sources.conftest import DATA

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite database the CLI's own session_scope writes to."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    load_all_models()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    monkeypatch.setenv("CONCILIA_DATABASE_URL", url)
    get_settings.cache_clear()
    reset_engine()
    yield url
    reset_engine()
    get_settings.cache_clear()


def _count(model: type) -> int:
    with get_session_factory()() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_add_list_and_import(cli_db: str, tmp_path: Path) -> None:
    added = runner.invoke(
        app,
        [
            "sources",
            "add",
            "social-export",
            "--kind",
            "platform_export",
            "--platform",
            "social",
            "--purpose",
            "locating",
            "--purpose",
            "contact",
            "--retention-posts-days",
            "30",
        ],
    )
    assert added.exit_code == 0, added.output
    decl = tmp_path / "decl.yaml"
    decl.write_text(
        "name: pro-export\nkind: platform_export\nplatform: pro\n"
        "allowed_purposes: [locating]\nretention_days: {profiles: 120}\n"
    )
    assert runner.invoke(app, ["sources", "add", "--file", str(decl)]).exit_code == 0
    listed = runner.invoke(app, ["sources", "list", "--json"])
    rows = {r["name"]: r for r in json.loads(listed.output)}
    assert rows["social-export"]["retention_days"]["posts"] == 30
    assert rows["pro-export"]["purposes"] == ["locating"]
    # The fixtures were captured on 2026-11-01; 180 days of profile retention covers today.
    report = tmp_path / "report.json"
    done = runner.invoke(
        app,
        [
            "sources",
            "import",
            str(DATA / "profiles.jsonl"),
            "--kind",
            "profiles",
            "--source",
            "social-export",
            "--quiet",
            "--report",
            str(report),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "created 3" in done.output
    assert json.loads(report.read_text())["created"] == 3
    assert _count(Profile) == 3


def test_bad_file_exits_1_with_problems_and_writes_nothing(cli_db: str) -> None:
    runner.invoke(
        app,
        ["sources", "add", "social-export", "--kind", "platform_export", "--purpose", "locating"],
    )
    bad = runner.invoke(
        app,
        [
            "sources",
            "import",
            str(DATA / "profiles_bad.jsonl"),
            "--kind",
            "profiles",
            "--source",
            "social-export",
            "--quiet",
        ],
    )
    assert bad.exit_code == 1
    assert "profiles_bad.jsonl:2: provenance: provenance is missing" in bad.output
    assert "profiles_bad.jsonl:3: visibility:" in bad.output
    assert "nothing was written" in bad.output
    assert _count(Profile) == 0
    skipped = runner.invoke(
        app,
        [
            "sources",
            "import",
            str(DATA / "profiles_bad.jsonl"),
            "--kind",
            "profiles",
            "--source",
            "social-export",
            "--quiet",
            "--skip-bad",
        ],
    )
    assert skipped.exit_code == 0, skipped.output
    assert "skipped 4 bad line(s)" in skipped.output
    assert _count(Profile) == 2


def test_bad_declaration_and_unknown_source(cli_db: str, tmp_path: Path) -> None:
    decl = tmp_path / "decl.yaml"
    decl.write_text("name: x\nkind: scraper\n")
    out = runner.invoke(app, ["sources", "add", "--file", str(decl)])
    assert out.exit_code == 1 and "kind" in out.output
    assert _count(Source) == 0
    missing = runner.invoke(
        app,
        [
            "sources",
            "import",
            str(DATA / "profiles.jsonl"),
            "--kind",
            "profiles",
            "--source",
            "nope",
            "--quiet",
        ],
    )
    assert missing.exit_code == 1 and "declare it first" in missing.output
