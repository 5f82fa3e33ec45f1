"""``concilia simulate --people N --seed S --out DIR``: write a synthetic world with its truth."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from concilia.simulate import service
from concilia.simulate.schemas import NoiseRates, SimulationSettings

app = typer.Typer(
    help="Generate a synthetic world (people, debts, profiles, posts) with ground truth."
)


@app.callback(invoke_without_command=True)
def simulate(
    people: int = typer.Option(1000, "--people", min=1, help="number of people in the world"),
    seed: int = typer.Option(1, "--seed", help="same seed, byte-identical output"),
    out: Path = typer.Option(Path("world"), "--out", help="output directory"),
    workers: int = typer.Option(
        0, "--workers", min=0, help="processes (0: one per core, at most 4); output is the same"
    ),
    settings_file: Path | None = typer.Option(
        None, "--settings", help="JSON file overriding settings and noise rates (docs/simulate.md)"
    ),
    rate: list[str] = typer.Option(
        [], "--rate", help="override one noise rate, e.g. --rate typo=0.1 (repeatable)"
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="the world's today (YYYY-MM-DD or 'today'); default 2026-11-01, so that output "
        "is reproducible. Importers refuse items captured longer ago than their retention.",
    ),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
) -> None:
    """Write portfolio.csv, profiles/friends/posts/mentions JSONL and truth files into --out."""
    data: dict[str, object] = {}
    if settings_file is not None:
        data = json.loads(settings_file.read_text(encoding="utf-8"))
    noise = dict(data.get("noise", {}) or {})  # type: ignore[call-overload]
    for item in rate:
        name, _, value = item.partition("=")
        if name not in NoiseRates.model_fields:
            raise typer.BadParameter(f"unknown noise rate {name!r}", param_hint="--rate")
        try:
            noise[name] = float(value)
        except ValueError:
            raise typer.BadParameter(
                f"{item!r}: value must be a number", param_hint="--rate"
            ) from None
    data["noise"] = noise
    if as_of is not None:
        data["as_of"] = dt.date.today().isoformat() if as_of == "today" else as_of
    try:
        settings = SimulationSettings.model_validate(data)
    except ValidationError as exc:
        raise typer.BadParameter(str(exc)) from None
    console = Console(stderr=True, quiet=quiet)
    started = time.perf_counter()
    with Progress(
        TextColumn("simulate"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} chunks"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        task = progress.add_task("chunks", total=service.chunk_count(people))

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = service.generate(
            out_dir=out,
            people=people,
            seed=seed,
            settings=settings,
            workers=workers or service.default_workers(),
            on_chunk=tick,
        )
    seconds = time.perf_counter() - started
    console.print(
        f"{summary.people} people, {summary.debtors} debtors ({summary.debts} debts), "
        f"{summary.profiles} profiles ({summary.fake_profiles} fake, "
        f"{summary.impersonator_profiles} impersonators), {summary.friends} edges, "
        f"{summary.posts} posts, {summary.mentions} mentions in {seconds:.1f} s -> {out}"
    )


if __name__ == "__main__":
    app()
