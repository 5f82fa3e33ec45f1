"""``concilia audit``: verify the chain and print its head for external anchoring."""

from __future__ import annotations

import typer
from rich.console import Console

from concilia.audit import service as audit_service
from concilia.db import session_scope

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
console = Console()


@app.command()
def verify(
    anchor: str | None = typer.Option(
        None,
        help="SEQ:HASH printed earlier by `concilia audit head`; proves the log was not cut "
        "short after that point.",
    ),
) -> None:
    """Walk the hash chain; exit 1 naming the first entry altered, removed or reordered."""
    with session_scope() as session:
        result = audit_service.verify(db_session=session)
        anchored = None
        if anchor is not None and result.ok:
            anchored = audit_service.check_anchor(db_session=session, anchor=anchor)
    if not result.ok:
        console.print(
            f"[red]audit chain broken at entry #{result.first_bad_seq} (id {result.first_bad_id}):"
            f" {result.reason}[/red] ({result.checked} entries verified before it)"
        )
        raise typer.Exit(1)
    if anchored is not None:
        console.print(f"[red]{anchored}[/red]")
        raise typer.Exit(1)
    console.print(f"[green]audit chain intact: {result.checked} entries[/green]")


@app.command()
def head() -> None:
    """Print SEQ:HASH of the newest entry, to keep outside the database."""
    with session_scope() as session:
        print(audit_service.head(db_session=session))
