"""``concilia sources``: declare sources, import JSON Lines items, purge expired items."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from concilia.db import session_scope
from concilia.errors import ConciliaError, InvalidInput
from concilia.sources import service
from concilia.sources.connectors import JsonLinesFile
from concilia.sources.schemas import ItemKind, Purpose, SourceDeclaration, SourceKind

app = typer.Typer(
    help="Public-data sources: declarations, imports, retention.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True)
LISTED = 50


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def _declarations(path: Path) -> list[SourceDeclaration]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = raw if isinstance(raw, list) else [raw]
    out: list[SourceDeclaration] = []
    for number, item in enumerate(items, start=1):
        try:
            out.append(SourceDeclaration.model_validate(item))
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field = ".".join(str(p) for p in err["loc"])
                err_console.print(f"{path}: declaration {number}: {field}: {err['msg']}")
            raise typer.Exit(1) from exc
    return out


@app.command("add")
def add(
    name: str | None = typer.Argument(None, help="Source name, e.g. pro-network-export."),
    file: Path | None = typer.Option(None, "--file", help="YAML declaration(s) instead."),
    kind: SourceKind | None = typer.Option(None, help="How items reach us."),
    platform: str | None = typer.Option(None, help="Network the terms belong to (social, pro…)."),
    purpose: list[Purpose] = typer.Option([], help="Allowed purpose (repeatable)."),
    automated_messaging: bool = typer.Option(False, help="Terms allow automated messaging."),
    retention_profiles_days: int | None = typer.Option(None),
    retention_friends_days: int | None = typer.Option(None),
    retention_posts_days: int | None = typer.Option(None, help="Default 90."),
    retention_mentions_days: int | None = typer.Option(None),
    terms_url: str | None = typer.Option(None),
    notes: str = typer.Option(""),
    replace: bool = typer.Option(False, help="Re-declare an existing source's terms."),
) -> None:
    """Declare a source and the platform terms that bind us (audited)."""
    if file is not None:
        declarations = _declarations(file)
    else:
        if name is None or kind is None:
            err_console.print("give NAME and --kind, or --file decl.yaml")
            raise typer.Exit(2)
        retention = {
            k: v
            for k, v in (
                ("profiles", retention_profiles_days),
                ("friends", retention_friends_days),
                ("posts", retention_posts_days),
                ("mentions", retention_mentions_days),
            )
            if v is not None
        }
        try:
            declarations = [
                SourceDeclaration(
                    name=name,
                    kind=kind,
                    platform=platform,
                    allowed_purposes=purpose,
                    automated_messaging=automated_messaging,
                    retention_days=retention,
                    terms_url=terms_url,
                    notes=notes,
                )
            ]
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                err_console.print(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}")
            raise typer.Exit(1) from exc
    try:
        with session_scope() as session:
            for declaration in declarations:
                source = service.declare(
                    db_session=session, declaration=declaration, actor=_actor(), replace=replace
                )
                console.print(
                    f"source [bold]{source.name}[/bold] declared: purposes "
                    f"{', '.join(source.allowed_purposes) or 'none'}; retention "
                    f"{source.retention_days}"
                )
    except ConciliaError as exc:
        err_console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(1) from exc


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Declared sources with their terms and item counts."""
    with session_scope() as session:
        sources = service.list_sources(db_session=session)
        counts = service.counts_by_source(db_session=session)
        rows: list[dict[str, Any]] = [
            {
                "name": s.name,
                "kind": s.kind,
                "platform": s.platform,
                "purposes": s.allowed_purposes,
                "automated_messaging": s.automated_messaging,
                "retention_days": s.retention_days,
                "active": s.active,
                "items": counts.get(s.id, {}),
            }
            for s in sources
        ]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table("name", "kind", "platform", "purposes", "bot msgs", "retention (days)", "items")
    for r in rows:
        table.add_row(
            str(r["name"]),
            str(r["kind"]),
            str(r["platform"] or "-"),
            ", ".join(r["purposes"]),
            "yes" if r["automated_messaging"] else "no",
            " ".join(f"{k}={v}" for k, v in r["retention_days"].items()),
            " ".join(f"{k}={v}" for k, v in r["items"].items()) or "0",
        )
    console.print(table)


def _print_problems(problems: list[Any], total: int) -> None:
    for problem in problems[:LISTED]:
        err_console.print(
            str(problem).replace(": column ", ": "), highlight=False, markup=False, soft_wrap=True
        )
    if total > LISTED:
        err_console.print(f"… and {total - LISTED} more problem(s) (see --report)")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    kind: ItemKind = typer.Option(..., help="profiles, friends, posts or mentions."),
    source: str = typer.Option(..., help="Declared source name."),
    skip_bad: bool = typer.Option(False, help="Write the good lines, list the skipped ones."),
    batch_size: int = typer.Option(5_000, min=100, max=100_000),
    report: Path | None = typer.Option(None, help="Write the full report (JSON) here."),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Import a JSON Lines file: all or nothing, unless --skip-bad (exit 1 on bad lines)."""
    connector = JsonLinesFile(file)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, disable=quiet, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def on_progress(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                label = "checking" if phase == "check" else "writing "
                tasks[phase] = bar.add_task(label, total=total)
            bar.update(tasks[phase], completed=done)

        try:
            with session_scope() as session:
                result = service.run_import(
                    db_session=session,
                    connector=connector,
                    kind=kind,
                    source_name=source,
                    actor=_actor(),
                    skip_bad=skip_bad,
                    batch_size=batch_size,
                    progress=on_progress,
                )
        except InvalidInput as exc:
            bar.stop()
            _print_problems(exc.problems, len(exc.problems))
            err_console.print(
                f"[red]{file}: bad line(s); nothing was written[/red] "
                "(fix them, or use --skip-bad to import the good lines)",
                soft_wrap=True,
            )
            if report:
                report.write_text(
                    json.dumps(
                        {
                            "file": str(file),
                            "written": False,
                            "problems": [p.as_dict() for p in exc.problems],
                        },
                        indent=2,
                    )
                )
            raise typer.Exit(1) from exc
        except ConciliaError as exc:
            err_console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
    if result.skipped:
        err_console.print(f"skipped {result.skipped} bad line(s):")
        _print_problems(result.problems, result.problem_count)
    console.print(
        f"{file}: {result.items} {kind.value} read; created {result.created}, updated "
        f"{result.updated}, unchanged {result.unchanged}, duplicates {result.duplicates}, "
        f"left to other sources {result.other_source}, skipped {result.skipped} "
        f"in {result.seconds:.1f}s (sha256 {result.sha256})",
        soft_wrap=True,
    )
    if report:
        report.write_text(json.dumps(result.as_dict(), indent=2, default=str))


@app.command("purge")
def purge(
    now: datetime | None = typer.Option(None, help="Pretend it is this time (ISO, UTC)."),
) -> None:
    """Delete every item past its retention date (audited)."""
    from datetime import UTC

    moment = now.replace(tzinfo=UTC) if now and now.tzinfo is None else now
    with session_scope() as session:
        counts = service.purge_expired(db_session=session, now=moment, actor=_actor())
    console.print("purged: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@app.command("import-world")
def import_world(
    directory: Path = typer.Argument(..., exists=True, file_okay=False),
    strict: bool = typer.Option(
        False, help="Refuse any bad line (by default restricted items are skipped and listed)."
    ),
    quiet: bool = typer.Option(False, help="No progress bar."),
) -> None:
    """Declare the simulated sources and import a `concilia simulate` world, in one transaction."""
    from concilia.sources import world

    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, disable=quiet) as bar:

        def progress_for(label: str) -> Any:
            task = bar.add_task(label, total=None)
            return lambda phase, done, total: bar.update(task, completed=done, total=total)

        try:
            with session_scope() as session:
                reports = world.import_world(
                    db_session=session,
                    directory=directory,
                    actor=_actor(),
                    skip_bad=not strict,
                    progress_for=progress_for,
                )
        except InvalidInput as exc:
            bar.stop()
            _print_problems(exc.problems, len(exc.problems))
            err_console.print("[red]bad line(s); nothing was written[/red]")
            raise typer.Exit(1) from exc
        except ConciliaError as exc:
            err_console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
    table = Table("file", "source", "created", "updated", "unchanged", "other source", "skipped")
    for r in reports:
        table.add_row(
            Path(r.file).name,
            r.source,
            str(r.created),
            str(r.updated),
            str(r.unchanged),
            str(r.other_source),
            str(r.skipped),
        )
    console.print(table)
    for r in reports:
        if r.problems:
            err_console.print(f"{Path(r.file).name} → {r.source}: skipped {r.skipped} line(s):")
            _print_problems(r.problems, r.problem_count)
