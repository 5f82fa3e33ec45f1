"""``concilia reputation``: classify mentions, classify imported ones, raise spike alerts."""

from __future__ import annotations

import getpass
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import IO

import typer
from pydantic import ValidationError

from concilia.db import session_scope, utcnow
from concilia.errors import InputProblem, InvalidInput
from concilia.reputation import service
from concilia.reputation.schemas import MentionIn

app = typer.Typer(
    help="E-reputation: mention sentiment and topic, spike alerts.", no_args_is_help=True
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def read_mentions(stream: IO[str], name: str) -> list[dict[str, object]]:
    """Every line of a JSON Lines stream, validated; InvalidInput naming each bad line."""
    rows: list[dict[str, object]] = []
    problems: list[InputProblem] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError("a line must be a JSON object")
            item = MentionIn.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field = ".".join(str(p) for p in err["loc"]) or "-"
                problems.append(InputProblem(file=name, row=number, field=field, reason=err["msg"]))
            continue
        except ValueError as exc:
            problems.append(InputProblem(file=name, row=number, field="-", reason=str(exc)))
            continue
        rows.append({**raw, "text": item.text, "lang": item.lang})
    if problems:
        raise InvalidInput(problems=problems)
    return rows


@app.command()
def classify(
    file: str = typer.Argument(..., help="JSON Lines with `text` (optional `lang`), - for stdin."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of stdout."),
) -> None:
    """Add lang, sentiment, topic and confidence to each mention (nothing written on bad input)."""
    try:
        if file == "-":
            rows = read_mentions(sys.stdin, "<stdin>")
        else:
            with Path(file).open(encoding="utf-8") as handle:
                rows = read_mentions(handle, file)
    except InvalidInput as exc:
        # Every bad line, not only the count: the file can be fixed in one go.
        for problem in exc.problems:
            typer.echo(
                f"{problem.file}: line {problem.row}: {problem.field}: {problem.reason}", err=True
            )
        raise typer.Exit(1) from exc
    results = service.classify_texts(
        texts=[str(r["text"]) for r in rows],
        langs=[r["lang"] if isinstance(r["lang"], str) else None for r in rows],
    )
    lines = [
        json.dumps({**row, **result.model_dump()}, ensure_ascii=False)
        for row, result in zip(rows, results, strict=True)
    ]
    text = "\n".join(lines) + ("\n" if lines else "")
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


@app.command()
def ingest(
    every: float = typer.Option(
        0, "--every", min=0, help="Repeat every N seconds until stopped (0: one pass)."
    ),
    spike_days: int = typer.Option(
        90, min=8, help="After classifying, scan this many days for spikes of negative mentions."
    ),
) -> None:
    """Classify the mentions sources imported since the last pass, then raise spike alerts.

    One transaction per pass: a crash loses at most the pass in flight."""
    while True:
        until = utcnow().date()
        with session_scope() as db_session:
            done = service.ingest(db_session=db_session, actor=_actor())
            alerts = service.scan_spikes(
                db_session=db_session,
                actor=_actor(),
                since=until - timedelta(days=spike_days - 1),
                until=until,
            )
        typer.echo(f"classified {done} mention(s), {len(alerts)} new spike alert(s)")
        if not every:
            return
        time.sleep(every)


@app.command()
def spikes(
    days: int = typer.Option(90, help="How many days back to scan, up to today (UTC)."),
) -> None:
    """Raise an alert for each spike day of negative mentions not alerted yet."""
    until = utcnow().date()
    since = until - timedelta(days=days - 1)
    with session_scope() as db_session:
        created = service.scan_spikes(
            db_session=db_session, actor=_actor(), since=since, until=until
        )
        for alert in created:
            typer.echo(
                f"{alert.day.isoformat()}: {alert.negatives} negative mention(s) "
                f"(baseline {alert.baseline:.1f}/day, threshold {alert.threshold})"
            )
    typer.echo(f"{len(created)} new alert(s) between {since} and {until}")
