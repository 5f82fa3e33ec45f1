"""`concilia outreach ...`: check messages against the rules, validate packs, run the outbox."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import typer
from pydantic import ValidationError

app = typer.Typer(help="Outreach: compliance checks, rule packs, outbox.", no_args_is_help=True)
rules_app = typer.Typer(help="Rule packs (YAML, one per jurisdiction).", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


def _packs(rules_dir: Path | None) -> Any:
    from concilia.outreach.rules import PackError, PackSet, default_packs

    if rules_dir is None:
        return default_packs()
    try:
        return PackSet.load(rules_dir)
    except PackError as exc:
        typer.echo(f"error: rule pack refused: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command("check")
def check(
    file: str = typer.Argument(..., help="JSONL file of messages, or - for standard input."),
    lang: str = typer.Option("en", help="Language of the explanations: en, fr or es."),
    rules_dir: Path | None = typer.Option(None, help="Directory of rule packs (default: shipped)."),
    no_tone: bool = typer.Option(False, "--no-tone", help="Skip the tone checker."),
) -> None:
    """Check each message (one JSON object per line) with the rules and the tone checker.

    Prints each object with `verdict`, `reasons` and `flags` added. Stores nothing.
    """
    from concilia.outreach.check import check_record, default_tone_checker, describe_error

    name = "<stdin>" if file == "-" else file
    try:
        lines = sys.stdin.readlines() if file == "-" else Path(file).read_text("utf-8").splitlines()
    except OSError as exc:
        typer.echo(f"error: cannot read {name}: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    records: list[tuple[int, dict[str, Any]]] = []
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            errors.append(f"{name}:{number}: not JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            errors.append(f"{name}:{number}: a line must be a JSON object")
            continue
        records.append((number, obj))
    packs = _packs(rules_dir)
    tone = None if no_tone else default_tone_checker()
    if tone is None and not no_tone:
        typer.echo("warning: tone checker not available; checking rules only", err=True)
    out: list[bytes] = []
    for number, obj in records:
        try:
            out.append(orjson.dumps(check_record(obj, packs=packs, tone=tone, lang=lang)))
        except ValidationError as exc:
            errors.append(f"{name}:{number}: {describe_error(exc)}")
    if errors:
        # Nothing is printed when any line is bad: a partial result would be misleading.
        for e in errors:
            typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2)
    sys.stdout.buffer.write(b"".join(o + b"\n" for o in out))
    sys.stdout.flush()


@rules_app.command("validate")
def rules_validate(
    rules_dir: Path = typer.Argument(None, help="Directory of packs (default: shipped)."),
) -> None:
    """Validate every pack; print file:line: reason for each problem."""
    from concilia.outreach.rules import PackSet
    from concilia.outreach.rules.packs import PACKS_DIR

    packs = PackSet(rules_dir or PACKS_DIR)
    errors = packs.reload()
    for p in packs:
        typer.echo(f"ok {p.version}: {len(p.rules)} rules ({p.path})")
    for e in errors:
        typer.echo(f"error: {e}", err=True)
    if errors:
        raise typer.Exit(2)


@rules_app.command("list")
def rules_list(
    jurisdiction: str = typer.Argument(None, help="FR, ES, UK or US (default: all)."),
    lang: str = typer.Option("en", help="en, fr or es."),
) -> None:
    """List the active rules with their citations."""
    from concilia.outreach.rules import default_packs

    for p in default_packs():
        if jurisdiction and p.jurisdiction != jurisdiction.upper():
            continue
        for r in p.rules:
            s = r.spec
            desc = getattr(s.description, lang, s.description.en)
            flag = "" if s.verified else " [not verified against the primary text]"
            typer.echo(f"{s.id}\t{s.citation}\t{s.severity}{flag}\n    {desc}")


@app.command("run")
def run(
    now: str = typer.Option(None, help="Pretend it is this time (ISO 8601 with offset)."),
    no_tone: bool = typer.Option(False, "--no-tone", help="Skip the tone checker."),
) -> None:
    """Send what is due (hours and limits respected), fetch replies and delivery statuses.

    Channels come from CONCILIA_OUTREACH_* settings; prints one JSON report.
    """
    from datetime import datetime

    from concilia.db import session_scope, utcnow
    from concilia.outreach import outbox
    from concilia.outreach.check import default_tone_checker
    from concilia.outreach.settings import OutreachSettings

    settings = OutreachSettings()
    channels = settings.channels()
    if not channels:
        typer.echo(
            "error: no channel configured (see CONCILIA_OUTREACH_* in docs/outreach.md)", err=True
        )
        raise typer.Exit(2)
    at = datetime.fromisoformat(now) if now else utcnow()
    if at.tzinfo is None:
        typer.echo("error: --now needs an offset, e.g. 2026-11-24T12:00:00+00:00", err=True)
        raise typer.Exit(2)
    packs = _packs(settings.rules_dir)
    tone = None if no_tone else default_tone_checker()
    with session_scope() as db_session:
        report = outbox.run_all(
            db_session=db_session, channels=channels, now=at, packs=packs, tone=tone
        )
    typer.echo(orjson.dumps(report).decode())
