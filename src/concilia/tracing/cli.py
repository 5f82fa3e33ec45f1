"""``concilia trace``: batch linkage runs, thresholds and the review queue from the shell."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from concilia.db import get_session_factory, session_scope
from concilia.errors import ConciliaError
from concilia.tracing import inputs, places, runner
from concilia.tracing import service as tracing_service

app = typer.Typer(help="Skip tracing: link debtors to public profiles.", no_args_is_help=True)
console = Console(stderr=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


@app.command("run")
def run_command(
    portfolio: Annotated[
        str | None, typer.Option(help="Creditor (portfolio) name; all debtors when omitted.")
    ] = None,
    engine: Annotated[str, typer.Option(help="duckdb (embedded) or spark.")] = "duckdb",
    debtors: Annotated[
        Path | None, typer.Option(help="Read debtors from a portfolio CSV instead of the database.")
    ] = None,
    profiles: Annotated[
        Path | None, typer.Option(help="Read profiles from a JSON Lines export instead.")
    ] = None,
    friends: Annotated[
        Path | None,
        typer.Option(help="Public friend edges (JSON Lines) of those profiles, with --profiles."),
    ] = None,
    posts: Annotated[
        Path | None,
        typer.Option(help="Public posts (JSON Lines) of those profiles, with --profiles."),
    ] = None,
    date_format: Annotated[str, typer.Option(help="Date format of the CSV.")] = "%Y-%m-%d",
    chunk_size: Annotated[int, typer.Option(help="Debtors per checkpointed chunk.")] = 5000,
) -> None:
    """Link a portfolio's debtors to imported profiles; resumable after any interruption."""
    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter("engine must be duckdb or spark")
    if (debtors is None) != (profiles is None):
        raise typer.BadParameter("--debtors and --profiles go together")
    if friends is not None and profiles is None:
        raise typer.BadParameter("--friends goes with --profiles")
    if posts is not None and profiles is None:
        raise typer.BadParameter("--posts goes with --profiles")
    factory = get_session_factory()
    name = portfolio or "all"
    try:
        if debtors is not None and profiles is not None:
            debtors_raw = inputs.read_portfolio_csv(debtors, date_format)
            profiles_raw = inputs.read_profiles_jsonl(profiles)
            edges = inputs.read_friends_jsonl(friends) if friends is not None else None
            texts = inputs.read_posts_jsonl(posts) if posts is not None else None
        else:
            with session_scope(factory) as s:
                debtors_raw, profiles_raw = inputs.from_database(db_session=s, portfolio=portfolio)
                ids = profiles_raw["profile_id"].tolist()
                edges = inputs.friends_from_database(db_session=s, profile_ids=ids)
                texts = inputs.posts_from_database(db_session=s, profile_ids=ids)
        # Where each profile's public friends live, as counts per city, and which cities
        # its posts name (nothing else of the friends or the posts is kept).
        profiles_raw["friend_places"] = places.friend_places(profiles_raw, edges)
        profiles_raw["post_places"] = places.post_places(profiles_raw, texts)
        del edges, texts
        with session_scope(factory) as s:
            threshold = tracing_service.review_threshold(db_session=s, portfolio=name)
            labels = tracing_service.decisions(db_session=s, portfolio=name)
    except ConciliaError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    config = runner.RunConfig(
        portfolio=name,
        engine=engine,  # type: ignore[arg-type]
        chunk_size=chunk_size,
        review_threshold=threshold,
        actor=_actor(),
    )
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    tasks: dict[str, TaskID] = {}
    with Progress(*columns, console=console) as bar:

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        result = runner.run(
            session_factory=factory,
            debtors_raw=debtors_raw,
            profiles_raw=profiles_raw,
            config=config,
            labels=_labels_frame(labels),
            progress=progress,
        )
    print(
        json.dumps(
            {
                "run_id": result.run_id,
                "pairs_compared": result.pairs_compared,
                "candidates_written": result.candidates,
                "chunks_done_now": result.chunks_done_now,
                "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
            }
        )
    )


def _labels_frame(labels: list[dict[str, Any]]) -> pd.DataFrame | None:
    return pd.DataFrame(labels, columns=["debtor_id", "profile_id", "accepted"]) if labels else None


@app.command("threshold")
def threshold_command(
    portfolio: Annotated[str, typer.Argument(help="Portfolio (creditor) name.")],
    value: Annotated[float, typer.Argument(help="Review threshold, a probability in (0, 1).")],
) -> None:
    """Set the probability below which a portfolio's candidates are not shown."""
    try:
        with session_scope(get_session_factory()) as s:
            tracing_service.set_review_threshold(
                db_session=s, portfolio=portfolio, threshold=value, actor=_actor()
            )
    except ConciliaError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"{portfolio}: review threshold {value}")
