"""``concilia privacy``: export (JSON and PDF, tracked request), erase with confirmation,
requests with deadlines, the purge's dry run and the art. 30 register."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from concilia.audit import service as audit_service
from concilia.cli import app
from concilia.config import get_settings
from concilia.db import Base, get_session_factory, make_engine, reset_engine, utcnow
from concilia.domains import load_all_models
from concilia.privacy import service as privacy_service
from tests.privacy.world import CREDITOR, build

runner = CliRunner()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite database with Jeanne's world, which the CLI's own sessions use."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    load_all_models()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    monkeypatch.setenv("CONCILIA_DATABASE_URL", url)
    get_settings.cache_clear()
    reset_engine()
    with get_session_factory()() as session:
        build(session, tmp_path)
        session.commit()
    yield url
    reset_engine()
    get_settings.cache_clear()


def test_export_writes_json_and_pdf_and_tracks_the_request(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "jeanne.json"
    result = runner.invoke(
        app,
        ["privacy", "export", "--creditor", CREDITOR, "--debtor", "DEB-1", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text("utf-8"))
    assert document["subject"]["debtor_reference"] == "DEB-1"
    names = [i["data"].get("given_names") for i in document["items"] if i["table"] == "debtors"]
    assert names == ["Jeanne"]
    contacts = {i["data"]["value"] for i in document["items"] if i["table"] == "debtor_contacts"}
    assert "jeanne.dupontel@example.org" in contacts  # decrypted for the person
    assert (tmp_path / "jeanne.pdf").read_bytes().startswith(b"%PDF")
    with get_session_factory()() as session:
        [request] = privacy_service.list_requests(db_session=session)
        assert request.kind == "access" and request.status == "done"
        assert request.due_at - request.received_at == timedelta(days=30)


def test_unknown_debtor_is_a_clear_error(cli_db: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["privacy", "export", "--creditor", CREDITOR, "--debtor", "NOPE", "--out",
         str(tmp_path / "x.json")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "no debtor 'NOPE'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.json").exists()


def test_erase_asks_first_then_reports_each_table(cli_db: str) -> None:
    args = ["privacy", "erase", "--creditor", CREDITOR, "--debtor", "DEB-1", "--reason", "letter"]
    refused = runner.invoke(app, args, input="n\n")
    assert refused.exit_code == 1
    done = runner.invoke(app, [*args, "--yes"])
    assert done.exit_code == 0, done.output
    assert "debtors: pseudonymised 1" in done.output
    assert "source_profiles: deleted 1" in done.output
    listed = runner.invoke(app, ["privacy", "requests"])
    assert "erasure" in listed.output and "done" in listed.output
    with get_session_factory()() as session:
        assert audit_service.verify(db_session=session).ok


def test_purge_dry_run_changes_nothing(cli_db: str) -> None:
    result = runner.invoke(app, ["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["dry_run"] is True and "social items" in report


def test_register_names_sources_purposes_and_retention(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "register.html"
    result = runner.invoke(app, ["privacy", "register", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert "social-export" in html and "credit_assessment" in html
    assert "LIA-2026-01" in html and "art. 6(1)(f)" in html
    assert "tracing_candidates" in html and "audit_entries" in html


def test_staff_export(cli_db: str, tmp_path: Path) -> None:
    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role

    with get_session_factory()() as session:
        auth_service.create_user(
            db_session=session, username="nina", role=Role.agent, password="pw-nina-horse-batt",
            teams=["north"], actor="test",
        )  # fmt: skip
        session.commit()
    out = tmp_path / "nina.json"
    result = runner.invoke(
        app, ["privacy", "export-staff", "--username", "nina", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text("utf-8"))
    assert document["account"]["role"] == "agent" and document["account"]["teams"] == ["north"]
    assert document["certification"]["certificates"] == []
    missing = runner.invoke(
        app, ["privacy", "export-staff", "--username", "ghost", "--out", str(out)]
    )
    assert missing.exit_code == 1 and "ghost" in missing.output


def test_a_logged_request_is_late_after_a_month_and_answered_by_the_export(
    cli_db: str, tmp_path: Path
) -> None:
    old = (utcnow() - timedelta(days=40)).date().isoformat()
    logged = runner.invoke(
        app,
        ["privacy", "request", "--kind", "access", "--creditor", CREDITOR, "--debtor", "DEB-1",
         "--received", old, "--reason", "letter"],
    )  # fmt: skip
    assert logged.exit_code == 0, logged.output
    late = runner.invoke(app, ["privacy", "requests", "--open"])
    assert "LATE" in late.output
    bad = runner.invoke(
        app,
        ["privacy", "request", "--kind", "access", "--creditor", CREDITOR, "--debtor", "DEB-1",
         "--received", "2026-13-01"],
    )  # fmt: skip
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    out = tmp_path / "answer.json"
    answered = runner.invoke(
        app,
        ["privacy", "export", "--creditor", CREDITOR, "--debtor", "DEB-1", "--out", str(out)],
    )
    assert answered.exit_code == 0, answered.output
    with get_session_factory()() as session:
        [request] = privacy_service.list_requests(db_session=session)
        assert request.status == "done" and request.received_at.date().isoformat() == old
    assert runner.invoke(app, ["privacy", "requests", "--open"]).output.strip() == ""
