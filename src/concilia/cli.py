"""The ``concilia`` command. Each domain's ``cli.py`` (a Typer app) becomes a sub-command.

An expected failure (the database unreachable or not migrated, a file missing or not
readable, a domain error) prints one line on stderr and exits 1; ``--debug`` (or
``CONCILIA_DEBUG=1``) shows the traceback instead. The embedded default database (SQLite) is
migrated on first use, so a fresh checkout's first command works.
"""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, ProgrammingError

from concilia import migrate
from concilia.db import get_engine
from concilia.domains import iter_domain_modules
from concilia.errors import ConciliaError

app = typer.Typer(
    name="concilia",
    help="Concilia: lawful, private and humane use of public data in debt recovery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
_state = {"debug": False}


def _debug() -> bool:
    return _state["debug"] or os.environ.get("CONCILIA_DEBUG", "") not in ("", "0", "false")


def _asks_for_help(ctx: typer.Context) -> bool:
    return any(arg in ("--help", "-h") for arg in [*sys.argv[1:], *ctx.args])


@app.callback()
def _main(
    ctx: typer.Context,
    debug: bool = typer.Option(
        False, "--debug", help="Show the traceback of a failure (also CONCILIA_DEBUG=1)."
    ),
) -> None:
    """Concilia: lawful, private and humane use of public data in debt recovery."""
    _state["debug"] = debug
    if ctx.invoked_subcommand == "db" or ctx.resilient_parsing or _asks_for_help(ctx):
        return
    engine = get_engine()
    if migrate.ensure_embedded(engine):
        where = engine.url.render_as_string(hide_password=True)
        print(f"concilia: database {where} migrated to the current schema", file=sys.stderr)


# Sub-command names that read better than the domain's folder name.
COMMAND_NAMES = {"tracing": "trace", "tracing.whereabouts": "whereabouts"}


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default from settings)."),
    port: int | None = typer.Option(None, help="Port (default from settings)."),
) -> None:
    """Run the web server (API, console and portal)."""
    import uvicorn

    from concilia.app import create_app
    from concilia.config import get_settings

    if host is not None:
        # Settings derive from the listening address (cookies are Secure off loopback).
        os.environ["CONCILIA_HOST"] = host
        get_settings.cache_clear()
    settings = get_settings()
    bind_host, bind_port = host or settings.host, port or settings.port
    base = f"http://{bind_host}:{bind_port}"
    console.print(f"Concilia on [bold]{base}[/bold]")
    console.print(f"  API documentation: {base}/docs  (OpenAPI: {base}/openapi.json)")
    console.print(f"  Sign in:           {base}/login")
    console.print(f"  Health:            {base}/health")
    uvicorn.run(create_app(), host=bind_host, port=bind_port)


db_app = typer.Typer(help="Database schema: apply or create migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply the migrations to the configured database."""
    migrate.upgrade(revision=revision)
    console.print(f"database at revision {revision}")


@db_app.command("revision")
def db_revision(message: str = typer.Option(..., "-m", help="What the migration does.")) -> None:
    """Autogenerate a migration from the models (for developers)."""
    migrate.revision(message)


def _register_domains() -> None:
    for domain, module in iter_domain_modules("cli"):
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=COMMAND_NAMES.get(domain, domain))


_register_domains()


def _database() -> str:
    try:
        from concilia.config import get_settings

        return make_url(get_settings().database_url).render_as_string(hide_password=True)
    except Exception:  # the settings themselves may be what failed
        return "the configured database"


_SCHEMA_WORDS = ("no such table", "no such column", "does not exist", "undefined")


def explain(exc: BaseException) -> str | None:
    """One line for an expected failure, or None for one that deserves its traceback."""
    if isinstance(exc, ConciliaError):
        return exc.detail
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}"
    if isinstance(exc, ArgumentError):
        return f"CONCILIA_DATABASE_URL is not a database URL: {exc}"
    if isinstance(exc, OperationalError | ProgrammingError):
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        if any(word in first.lower() for word in _SCHEMA_WORDS):
            return (
                f"the database {_database()} is not at the current schema ({first}): "
                "run `concilia db upgrade`"
            )
        return f"cannot use the database {_database()}: {first}"
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return f"lost the connection to the database {_database()}"
    return None


def main() -> None:
    """Console-script entry point: expected failures in one line, not a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        print("concilia: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        line = explain(exc)
        if line is None or _debug():
            raise
        print(f"concilia: error: {line}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
