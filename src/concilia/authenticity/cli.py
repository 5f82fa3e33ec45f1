"""``concilia authenticity``: score profiles, rebuild the training files, inspect a profile."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from concilia.authenticity import service
from concilia.db import session_scope

app = typer.Typer(help="Fake accounts and impersonation.", no_args_is_help=True)


@app.command("score")
def score(
    profile_id: Annotated[
        list[int] | None, typer.Option("--profile-id", help="only these profiles")
    ] = None,
    actor: Annotated[str, typer.Option(help="who runs it, for the audit log")] = "cli",
) -> None:
    """Score imported profiles for fakes and impersonators, store the flags with reasons."""
    with session_scope() as db_session:
        summary = service.score_profiles(
            db_session=db_session, actor=f"cli:{actor}", profile_ids=profile_id or None
        )
    typer.echo(json.dumps(summary.__dict__))


@app.command("show")
def show(profile_id: int) -> None:
    """A profile's flags and whether it may be used as evidence."""
    with session_scope() as db_session:
        ok, reasons = service.can_use_as_evidence(db_session=db_session, profile_id=profile_id)
    typer.echo(json.dumps({"profile_id": profile_id, "usable": ok, "reasons": reasons}, indent=2))


@app.command("build-training-set")
def build_training_set(
    seed: Annotated[int, typer.Option(help="the training world's seed")] = 11,
    people: Annotated[int, typer.Option(help="people in the training world")] = 20_000,
    out: Annotated[Path, typer.Option(help="where to write the CSV files")] = Path(
        "src/concilia/authenticity/data"
    ),
) -> None:
    """Regenerate the labelled training files from a synthetic world (deterministic)."""
    from concilia.authenticity.training import build
    from concilia.simulate.service import generate

    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp)
        generate(out_dir=world, people=people, seed=seed)
        counts = build(world, out)
    typer.echo(json.dumps({"seed": seed, "people": people, **counts}))
