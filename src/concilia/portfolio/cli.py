"""``concilia portfolio``: import a portfolio file, list creditors, set allocation orders."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer
from rich.console import Console

from concilia.auth import service as auth_service
from concilia.db import session_scope
from concilia.errors import InvalidInput
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.importer import DEFAULT_TEAM
from concilia.portfolio.parsing import DEFAULT_DATE_FORMAT

app = typer.Typer(help="Creditors, debtors, debts and cases.", no_args_is_help=True)
console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "cli"


def _say_error(text: str) -> None:
    # One line whatever the terminal's width, and the file's text is never read as markup.
    err_console.print(text, style="red", markup=False, soft_wrap=True)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    creditor: str = typer.Option(..., help="Creditor name; created on first import."),
    creditor_address: str = typer.Option(
        None,
        help="Creditor's postal address on one line, e.g. '12 rue de la Paix, 75002 Paris' "
        "(French first letters must carry it, CPCE R124-4).",
    ),
    date_format: str = typer.Option(
        DEFAULT_DATE_FORMAT, help="strftime format of every date in the file, e.g. %d/%m/%Y."
    ),
    team: str = typer.Option(DEFAULT_TEAM, help="Team that gets the new cases."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Import a portfolio CSV (docs/portfolio-format.md): all rows or, on any bad row, none.

    Creates or updates only cases of TEAM: a row whose account or debtor already has a case
    of another team is refused (import that team's rows with its own --team).
    """
    try:
        with file.open("rb") as binary, session_scope() as session:
            found = auth_service.get_team_by_name(db_session=session, name=team.strip())
            result = portfolio_service.import_portfolio(
                db_session=session,
                data=binary,
                file=file.name,
                creditor_name=creditor,
                creditor_address=creditor_address,
                team_name=team,
                date_format=date_format,
                actor=_actor(),
                team_scope=frozenset({found.id}) if found is not None else frozenset(),
            )
    except InvalidInput as exc:
        if as_json:
            print(json.dumps({"errors": [p.as_dict() for p in exc.problems]}, ensure_ascii=False))
        elif len(exc.problems) == 1:
            _say_error(f"{exc.problems[0]}; nothing was written")
        else:
            for problem in exc.problems:
                err_console.print(str(problem), markup=False, soft_wrap=True)
            _say_error(f"{len(exc.problems)} problem(s); nothing was written")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        console.print(result.summary())


@app.command("creditors")
def creditors() -> None:
    """List creditors and their payment allocation orders."""
    with session_scope() as session:
        for c in portfolio_service.list_creditors(db_session=session):
            order = ",".join(c.allocation_order) if c.allocation_order else "jurisdiction default"
            console.print(f"{c.id}\t{c.name}\t{order}")


@app.command("allocation-order")
def allocation_order(
    creditor: str = typer.Argument(..., help="Creditor name."),
    order: str = typer.Argument(
        ..., help="e.g. interest,principal,fees — or 'default' for the jurisdiction's order."
    ),
) -> None:
    """Set the order in which a creditor's payments go to fees, interest and principal."""
    with session_scope() as session:
        found = portfolio_service.get_creditor_by_name(db_session=session, name=creditor)
        if found is None:
            err_console.print(f"[red]no creditor {creditor!r}[/red]")
            raise typer.Exit(1)
        try:
            portfolio_service.set_allocation_order(
                db_session=session,
                creditor_id=found.id,
                order=None if order == "default" else order.split(","),
                actor=_actor(),
            )
        except InvalidInput as exc:
            for problem in exc.problems:
                err_console.print(problem.reason)
            raise typer.Exit(1) from None
    console.print(f"{creditor}: allocation order {order}")
