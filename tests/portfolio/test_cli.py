"""`concilia portfolio import`: counts on success, every problem and exit 1 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from concilia.cli import app
from tests.portfolio.conftest import csv_of, row


def test_import_reports_counts_then_nothing_changed(tmp_path: Path, cli_database: None) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(csv_of(row(), row(account_reference="ACC-2")))
    runner = CliRunner()
    first = runner.invoke(app, ["portfolio", "import", str(path), "--creditor", "Cli Bank"])
    assert first.exit_code == 0, first.output
    assert "2 created, 0 updated, 0 unchanged" in first.output
    again = runner.invoke(
        app, ["portfolio", "import", str(path), "--creditor", "Cli Bank", "--json"]
    )
    assert again.exit_code == 0
    assert json.loads(again.output)["unchanged"] == 2
    assert json.loads(again.output)["changed"] is False


def test_bad_file_lists_problems_and_exits_1(tmp_path: Path, cli_database: None) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_of(row(principal="x"), row(account_reference="B", jurisdiction="DE")))
    result = CliRunner().invoke(
        app, ["portfolio", "import", str(path), "--creditor", "Cli Bank", "--json"]
    )
    assert result.exit_code == 1
    errors = json.loads(result.output)["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "principal"), (3, "jurisdiction")]
    listed = CliRunner().invoke(app, ["portfolio", "creditors"])
    assert "Cli Bank" not in listed.output  # nothing was written
