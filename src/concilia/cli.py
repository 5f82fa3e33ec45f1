"""The ``concilia`` command. Each domain's ``cli.py`` (a Typer app) becomes a sub-command."""

from __future__ import annotations

import typer
from rich.console import Console

from concilia.domains import iter_domain_modules

app = typer.Typer(
    name="concilia",
    help="Concilia: lawful, private and humane use of public data in debt recovery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()

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
    from concilia import migrate

    migrate.upgrade(revision=revision)
    console.print(f"database at revision {revision}")


@db_app.command("revision")
def db_revision(message: str = typer.Option(..., "-m", help="What the migration does.")) -> None:
    """Autogenerate a migration from the models (for developers)."""
    from concilia import migrate

    migrate.revision(message)


def _register_domains() -> None:
    for domain, module in iter_domain_modules("cli"):
        sub = getattr(module, "app", None)
        if isinstance(sub, typer.Typer):
            app.add_typer(sub, name=COMMAND_NAMES.get(domain, domain))


_register_domains()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
