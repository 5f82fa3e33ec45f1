"""`concilia portal ...`: the portal's housekeeping (chat retention is privacy's schedule)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Debtor portal: housekeeping.", no_args_is_help=True)


@app.command("warm-assistant")
def warm_assistant() -> None:
    """Load the assistant's embedding model and index the FAQ (checks the FAQ file too)."""
    from concilia.portal import assistant

    try:
        assistant.warm()
    except assistant.FaqError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"assistant ready: {len(assistant.get_index().labels)} FAQ wordings")
