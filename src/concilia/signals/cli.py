"""``concilia signals``: classify posts from a file, train the model, run over traced cases."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from concilia.signals import classify

app = typer.Typer(help="Life events, ability to pay and vulnerability from public posts.")
err_console = Console(stderr=True, highlight=False)
BATCH = 512


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "cli"


def _lines(handle: TextIO, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"{name} line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise typer.BadParameter(f"{name} line {number}: field 'text' (a string) is required")
        yield number, row


def _emit(rows: list[dict[str, Any]], out: TextIO) -> None:
    readings = classify.read([r["text"] for r in rows])
    for row, reading in zip(rows, readings, strict=True):
        row.update(
            lang=reading.lang,
            label=reading.label,
            confidence=reading.confidence,
            cues=reading.cues,
            # The art. 9 categories the text reveals, never the words; a text in a language
            # the guard cannot read is not storable either.
            special=sorted(reading.special),
            storable=not reading.special and not reading.refused,
        )
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


@app.command("classify")
def classify_file(
    file: str = typer.Argument(..., help="JSON Lines file with a 'text' per line, or '-'."),
) -> None:
    """Add lang, label, confidence, cues and special (art. 9 categories) to each line; print them.

    Nothing is stored. The whole input is checked line by line as it streams: the first bad
    line stops the command with its line number.
    """
    name = "<stdin>" if file == "-" else file
    if file != "-" and not Path(file).is_file():
        raise typer.BadParameter(f"{file}: no such file")
    handle = sys.stdin if file == "-" else Path(file).open(encoding="utf-8")  # noqa: SIM115
    try:
        batch: list[dict[str, Any]] = []
        for _, row in _lines(handle, name):
            batch.append(row)
            if len(batch) >= BATCH:
                _emit(batch, sys.stdout)
                batch = []
        if batch:
            _emit(batch, sys.stdout)
    finally:
        if handle is not sys.stdin:
            handle.close()


@app.command("train")
def train(
    synthetic: bool = typer.Option(
        True, help="Also train on the synthetic world's posts (generated here, fixed seed)."
    ),
) -> None:
    """Train the default model and the special-category guard's head; cache them in var/models."""
    from concilia.config import get_settings
    from concilia.signals import model as model_mod

    fitted = classify.train_default(synthetic=synthetic)
    path = model_mod.cache_path(get_settings().var_dir, fitted.fingerprint)
    model_mod.save(fitted, path)
    classify.use_model(fitted, synthetic=synthetic)
    # The special-category guard's head too, so that the first import or web request after a
    # deployment does not pay its training (it is cached under var/models the same way).
    from concilia.special import head as special_head

    special_head.get_head()
    typer.echo(json.dumps({"model": fitted.fingerprint, "path": str(path)}))


@app.command("run")
def run(
    as_json: bool = typer.Option(False, "--json", help="Print the run's counts as JSON."),
) -> None:
    """Read the posts of every traced case, store events and ability-to-pay suggestions."""
    from concilia.db import session_scope
    from concilia.signals import service as signals_service

    model = classify.get_model()
    with session_scope() as db_session:
        cases = list(signals_service.traced_cases(db_session=db_session))
    with (
        session_scope() as db_session,
        Progress(
            TextColumn("signals"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=not err_console.is_terminal,
        ) as progress,
    ):
        task = progress.add_task("cases", total=len(cases))
        actor = _actor()
        record = signals_service.start_run(
            db_session=db_session, actor=actor, model_key=model.fingerprint
        )
        for case_id, profile_ids in cases:
            signals_service.run_case(
                db_session=db_session,
                case_id=case_id,
                actor=actor,
                run=record,
                profile_ids=profile_ids,
                model=model,
            )
            progress.advance(task)
        signals_service.finish_run(db_session=db_session, run=record, actor=actor)
        counts = {
            "run_id": record.id,
            "cases": record.cases,
            "posts_read": record.posts_read,
            "skipped_language": record.skipped_language,
            "skipped_terms": record.skipped_terms,
            "skipped_redacted": record.skipped_redacted,
            "special_category": record.special_category,
            "events": record.events,
        }
    if as_json:
        typer.echo(json.dumps(counts))
    else:
        typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
