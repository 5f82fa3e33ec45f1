"""`concilia console ...`: the demo world behind the agent's console."""

from __future__ import annotations

import json
import time

import typer

from concilia.config import get_settings

app = typer.Typer(help="The agent's console: demo data.", no_args_is_help=True)


@app.command("demo")
def demo() -> None:
    """Simulate ~2,000 people, import and link them, add staff, decisions, mail and replies.

    Idempotent: a second run adds nothing that is already there. Staff one-time passwords
    are printed when the users are created (team `demo`).
    """
    from concilia.console import demo as demo_module

    started = time.monotonic()
    report = demo_module.run(get_settings().var_dir, say=typer.echo)
    report["seconds"] = round(time.monotonic() - started, 1)
    typer.echo(json.dumps(report))
