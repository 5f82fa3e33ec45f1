"""``concilia privacy``: access and erasure requests, the retention purge, the art. 30 register."""

from __future__ import annotations

import getpass
import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer
from rich.console import Console

from concilia.db import session_scope, utcnow
from concilia.errors import ConciliaError
from concilia.privacy import documents
from concilia.privacy import register as register_doc
from concilia.privacy import service as privacy_service

app = typer.Typer(
    help="GDPR: access, erasure, restriction, objection; retention; the art. 30 register.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)
ARTICLES = {"17": "erasure", "18": "restriction", "21": "objection"}


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def _fail(exc: ConciliaError) -> typer.Exit:
    err_console.print(f"[red]{exc.detail}[/red]")
    return typer.Exit(1)


@app.command()
def export(
    creditor: str = typer.Option(..., help="The creditor's name, as imported."),
    debtor: str = typer.Option(..., help="The creditor's reference of the debtor."),
    out: Path = typer.Option(..., help="Where to write the JSON document."),
    pdf: Path | None = typer.Option(None, help="The readable copy (default: OUT with .pdf)."),
    reason: str = typer.Option("", help="How the request came in (kept with the request)."),
) -> None:
    """Answer an access request (art. 15): every item, its provenance, purposes, retention."""
    pdf_path = pdf or out.with_suffix(".pdf")
    try:
        with session_scope() as session:
            subject = privacy_service.resolve(
                db_session=session, creditor=creditor, debtor_reference=debtor
            )
            request, document = privacy_service.export(
                db_session=session, subject=subject, actor=_actor(), reason=reason
            )
            # Written inside the unit of work: a file that cannot be written rolls back the
            # request, so no request is recorded as answered without its answer.
            out.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
            pdf_path.write_bytes(documents.render_pdf(document))
    except ConciliaError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        err_console.print(f"[red]cannot write the export: {exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(
        f"request {request.id} answered (due {request.due_at:%Y-%m-%d}): "
        f"{len(document['items'])} items -> {out}, {pdf_path}"
    )


@app.command()
def erase(
    creditor: str = typer.Option(..., help="The creditor's name, as imported."),
    debtor: str = typer.Option(..., help="The creditor's reference of the debtor."),
    reason: str = typer.Option(..., help="Why (the request's date and channel, a decision)."),
    article: str = typer.Option(
        "17",
        help="17: erase the person; 18: restrict (no contact, storage only); 21: objection to "
        "the social-data processing (tracing, signals and social items purged).",
    ),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Erase (art. 17), restrict (art. 18) or honour an objection (art. 21); prints what each
    table kept and why."""
    kind = ARTICLES.get(article)
    if kind is None:
        err_console.print(f"[red]--article must be one of {', '.join(ARTICLES)}[/red]")
        raise typer.Exit(2)
    if not yes and not typer.confirm(f"{kind} of debtor {debtor!r} of {creditor!r}: proceed?"):
        raise typer.Exit(1)
    try:
        with session_scope() as session:
            subject = privacy_service.resolve(
                db_session=session, creditor=creditor, debtor_reference=debtor
            )
            if kind == "restriction":
                request = privacy_service.restrict(
                    db_session=session, subject=subject, actor=_actor(), reason=reason
                )
                console.print(f"request {request.id}: {request.outcome}")
                return
            run = privacy_service.erase if kind == "erasure" else privacy_service.object_to_social
            request, outcomes = run(
                db_session=session, subject=subject, actor=_actor(), reason=reason
            )
    except ConciliaError as exc:
        raise _fail(exc) from exc
    console.print(f"request {request.id} ({kind}) done")
    for o in outcomes:
        console.print(
            f"{o.table}: {o.action} {o.rows}; keeps {o.keeps} ({o.legal_ground})",
            markup=False,
        )


@app.command()
def requests(
    open_only: bool = typer.Option(False, "--open", help="Only those not yet answered."),
) -> None:
    """Requests with their one-month deadline, oldest deadline first; late ones flagged."""
    now = utcnow()
    with session_scope() as session:
        rows = privacy_service.list_requests(
            db_session=session, status="open" if open_only else None
        )
        for r in rows:
            late = r.status == "open" and r.due_at < now
            console.print(
                f"{r.id}\t{r.kind}\tdebtor {r.debtor_id}\t{r.status}\t"
                f"due {r.due_at:%Y-%m-%d}{'  LATE' if late else ''}",
                markup=False,
            )


@app.command()
def purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="Report what would go; change nothing."),
    every: float = typer.Option(
        0, "--every", min=0, help="Repeat every N seconds until stopped (0: one pass)."
    ),
) -> None:
    """Apply the retention schedule (one transaction per pass); prints one JSON report a pass."""
    while True:
        with session_scope() as session:
            report = privacy_service.purge(db_session=session, dry_run=dry_run)
        typer.echo(json.dumps(report, default=str))
        if not every:
            return
        time.sleep(every)


@app.command()
def register(
    out: Path = typer.Option(..., help="Where to write the HTML record."),
) -> None:
    """Write the art. 30 record of processing (sources, purposes, legal bases, retention)."""
    with session_scope() as session:
        html = register_doc.render_html(db_session=session)
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        err_console.print(f"[red]cannot write {out}: {exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"art. 30 record written to {out}")


@app.command()
def notices(
    send: bool = typer.Option(False, "--send", help="Queue each owed notice by e-mail."),
) -> None:
    """Art. 14 notices still owed (data not obtained from the person in use), most urgent
    first; with --send, queue them (those without an e-mail address are named: send by letter)."""
    now = utcnow()
    problems = 0
    with session_scope() as session:
        owed = privacy_service.sync_notices(db_session=session, now=now)
        for n in owed:
            late = "  LATE" if n.due_at < now else ""
            line = f"debtor {n.debtor_id}\t{n.lang}\tdue {n.due_at:%Y-%m-%d}{late}"
            if send:
                try:
                    message_id = privacy_service.send_notice(
                        db_session=session, debtor_id=n.debtor_id, actor=_actor()
                    )
                    line += f"\tqueued as message {message_id}"
                except ConciliaError as exc:
                    problems += 1
                    line += f"\tnot sent: {exc.detail}"
            console.print(line, markup=False)
    if problems:
        raise typer.Exit(1)


@app.command()
def reads(
    days: int = typer.Option(7, min=1, max=366, help="How far back."),
    actor: str | None = typer.Option(None, help="Only this reader."),
) -> None:
    """Who read which person's decrypted data (newest first), then any unusual-volume alert."""
    with session_scope() as session:
        rows = privacy_service.list_reads(
            db_session=session, since=utcnow() - timedelta(days=days), actor=actor
        )
        for r in rows:
            console.print(
                f"{r.at:%Y-%m-%d %H:%M}\t{r.actor}\tdebtor {r.debtor_id}\t{r.what}\t"
                f"{r.purpose}\t{r.via}",
                markup=False,
            )
        for a in privacy_service.read_alerts(db_session=session):
            console.print(
                f"ALERT {a.actor}: {a.people} people in 24 h (usual {a.usual}/day, "
                f"threshold {a.threshold})",
                markup=False,
            )


@app.command("export-staff")
def export_staff(
    username: str = typer.Option(..., help="The staff member's user name."),
    out: Path = typer.Option(..., help="Where to write the JSON document."),
) -> None:
    """Answer a staff member's access request: their account, training and certificates."""
    try:
        with session_scope() as session:
            document = privacy_service.export_staff(
                db_session=session, username=username, actor=_actor()
            )
            out.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    except ConciliaError as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        err_console.print(f"[red]cannot write the export: {exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"staff export of {username} -> {out}")


@app.command()
def request(
    kind: str = typer.Option(..., help="access, erasure, restriction or objection."),
    creditor: str = typer.Option(..., help="The creditor's name, as imported."),
    debtor: str = typer.Option(..., help="The creditor's reference of the debtor."),
    received: str = typer.Option(
        "", help="The day it came in (YYYY-MM-DD; default today): the month runs from there."
    ),
    reason: str = typer.Option("", help="How it came in (letter, e-mail, portal)."),
) -> None:
    """Log a request as it comes in; export or erase answers it later (same request)."""
    try:
        received_at = (
            datetime.combine(date.fromisoformat(received), datetime.min.time(), tzinfo=UTC)
            if received
            else utcnow()
        )
    except ValueError as exc:
        err_console.print(f"[red]--received {received!r}: expected YYYY-MM-DD[/red]")
        raise typer.Exit(2) from exc
    try:
        with session_scope() as session:
            subject = privacy_service.resolve(
                db_session=session, creditor=creditor, debtor_reference=debtor
            )
            logged = privacy_service.open_request(
                db_session=session, subject=subject, kind=kind, actor=_actor(), reason=reason,
                received_at=received_at,
            )  # fmt: skip
    except ConciliaError as exc:
        raise _fail(exc) from exc
    console.print(f"request {logged.id} ({logged.kind}) logged, due {logged.due_at:%Y-%m-%d}")
