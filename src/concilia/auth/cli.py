"""``concilia auth``: create users and tokens from the command line."""

from __future__ import annotations

import typer
from rich.console import Console

from concilia.auth import service as auth_service
from concilia.auth.roles import Role
from concilia.db import session_scope
from concilia.errors import NotFound

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)
console = Console()


@app.command("create-user")
def create_user(
    username: str,
    role: Role = typer.Option(..., help="admin, supervisor, agent, compliance_officer, auditor"),
    team: list[str] = typer.Option([], help="Team name (repeatable); created if missing."),
    full_name: str = typer.Option(""),
) -> None:
    """Create a user and print a one-time password once."""
    with session_scope() as session:
        user, one_time = auth_service.create_user(
            db_session=session,
            username=username,
            role=role,
            full_name=full_name,
            teams=team,
            actor="cli",
        )
        user_id = user.id
    console.print(f"user {username} (id {user_id}, {role.value}) created")
    console.print(f"one-time password (shown once): [bold]{one_time}[/bold]")


@app.command("create-admin")
def create_admin(username: str = typer.Argument("admin")) -> None:
    """Create the admin account if missing, printing its one-time password once."""
    with session_scope() as session:
        if auth_service.get_user_by_username(db_session=session, username=username):
            console.print(f"admin {username!r} already exists; password unchanged")
            return
        _, one_time = auth_service.create_user(
            db_session=session, username=username, role=Role.admin, actor="cli"
        )
    console.print(f"admin account [bold]{username}[/bold] created")
    console.print(f"one-time password (shown once): [bold]{one_time}[/bold]")


@app.command("token")
def token(username: str, name: str = typer.Option("cli"), days: int = typer.Option(90)) -> None:
    """Issue an API token for a user and print it once."""
    with session_scope() as session:
        user = auth_service.get_user_by_username(db_session=session, username=username)
        if user is None:
            console.print(f"[red]no user {username!r}[/red]")
            raise typer.Exit(1)
        if user.must_change_password:
            # Such a token would be refused anyway (auth_service.live_token): say why now.
            console.print(f"[red]{username!r} must first replace the one-time password[/red]")
            raise typer.Exit(1)
        _, clear = auth_service.create_token(
            db_session=session, user_id=user.id, name=name, days=days
        )
    print(clear)


@app.command("reset-password")
def reset_password(username: str) -> None:
    """Give a user a new one-time password (printed once); they must change it at sign-in.

    Their sessions and API tokens end at once; the reset is audited.
    """
    try:
        with session_scope() as session:
            one_time = auth_service.reset_password(
                db_session=session, username=username, actor="cli"
            )
    except NotFound as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from None
    console.print(f"password of [bold]{username}[/bold] reset; sessions and tokens ended")
    console.print(f"one-time password (shown once): [bold]{one_time}[/bold]")
