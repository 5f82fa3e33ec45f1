"""`concilia outreach ...`: check messages against the rules, validate packs, run the outbox."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import typer
from pydantic import ValidationError

app = typer.Typer(help="Outreach: compliance checks, rule packs, outbox.", no_args_is_help=True)
rules_app = typer.Typer(help="Rule packs (YAML, one per jurisdiction).", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


def _packs(rules_dir: Path | None) -> Any:
    from concilia.outreach.rules import PackError, PackSet, default_packs

    if rules_dir is None:
        return default_packs()
    try:
        return PackSet.load(rules_dir)
    except PackError as exc:
        typer.echo(f"error: rule pack refused: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command("check")
def check(
    file: str = typer.Argument(..., help="JSONL file of messages, or - for standard input."),
    lang: str = typer.Option("en", help="Language of the explanations: en, fr or es."),
    rules_dir: Path | None = typer.Option(None, help="Directory of rule packs (default: shipped)."),
    no_tone: bool = typer.Option(False, "--no-tone", help="Skip the tone checker."),
) -> None:
    """Check each message (one JSON object per line) with the rules and the tone checker.

    Prints each object with `verdict`, `reasons` and `flags` added. Stores nothing.
    """
    from concilia.outreach.check import check_record, default_tone_checker, describe_error

    name = "<stdin>" if file == "-" else file
    try:
        lines = sys.stdin.readlines() if file == "-" else Path(file).read_text("utf-8").splitlines()
    except OSError as exc:
        typer.echo(f"error: cannot read {name}: {exc.strerror}", err=True)
        raise typer.Exit(2) from exc
    records: list[tuple[int, dict[str, Any]]] = []
    errors: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            errors.append(f"{name}:{number}: not JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            errors.append(f"{name}:{number}: a line must be a JSON object")
            continue
        records.append((number, obj))
    packs = _packs(rules_dir)
    tone = None if no_tone else default_tone_checker()
    if tone is None and not no_tone:
        typer.echo("warning: tone checker not available; checking rules only", err=True)
    out: list[bytes] = []
    for number, obj in records:
        try:
            out.append(orjson.dumps(check_record(obj, packs=packs, tone=tone, lang=lang)))
        except ValidationError as exc:
            errors.append(f"{name}:{number}: {describe_error(exc)}")
    if errors:
        # Nothing is printed when any line is bad: a partial result would be misleading.
        for e in errors:
            typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2)
    sys.stdout.buffer.write(b"".join(o + b"\n" for o in out))
    sys.stdout.flush()


@rules_app.command("validate")
def rules_validate(
    rules_dir: Path = typer.Argument(None, help="Directory of packs (default: shipped)."),
) -> None:
    """Validate every pack; print file:line: reason for each problem."""
    from concilia.outreach.rules import PackSet
    from concilia.outreach.rules.packs import PACKS_DIR

    packs = PackSet(rules_dir or PACKS_DIR)
    errors = packs.reload()
    for p in packs:
        typer.echo(f"ok {p.version}: {len(p.rules)} rules ({p.path})")
    for e in errors:
        typer.echo(f"error: {e}", err=True)
    if errors:
        raise typer.Exit(2)


@rules_app.command("list")
def rules_list(
    jurisdiction: str = typer.Argument(None, help="FR, ES, UK or US (default: all)."),
    lang: str = typer.Option("en", help="en, fr or es."),
) -> None:
    """List the active rules with their citations."""
    from concilia.outreach.rules import default_packs

    for p in default_packs():
        if jurisdiction and p.jurisdiction != jurisdiction.upper():
            continue
        for r in p.rules:
            s = r.spec
            desc = getattr(s.description, lang, s.description.en)
            flag = "" if s.verified else " [not verified against the primary text]"
            typer.echo(f"{s.id}\t{s.citation}\t{s.severity}{flag}\n    {desc}")


@app.command("run")
def run(
    now: str = typer.Option(None, help="Pretend it is this time (ISO 8601 with offset)."),
    no_tone: bool = typer.Option(False, "--no-tone", help="Skip the tone checker."),
    every: float = typer.Option(
        0, "--every", min=0, help="Repeat every N seconds until stopped (0: one pass)."
    ),
    fakes: bool = typer.Option(
        False,
        "--fakes",
        help="Send SMS, WhatsApp and Messenger through local fakes started for this run "
        "(demos and trials: nothing leaves the machine; e-mail keeps its SMTP settings).",
    ),
) -> None:
    """Send what is due (hours and limits respected), fetch replies and delivery statuses.

    Channels come from CONCILIA_OUTREACH_* settings; prints one JSON report per pass. On
    PostgreSQL several workers may run at once: each message is sent by one of them.
    """
    from contextlib import ExitStack

    from concilia.outreach import fake_providers

    with ExitStack() as stack:
        if fakes:
            started = stack.enter_context(fake_providers.running())
            stack.enter_context(_environment(started.environment()))
        _run(now=now, no_tone=no_tone, every=every)


def _environment(values: dict[str, str]) -> Any:
    """The process's environment with these values for the duration of a block."""
    import os
    from contextlib import contextmanager

    @contextmanager
    def patched() -> Any:
        before = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for k, v in before.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    return patched()


def _run(*, now: str | None, no_tone: bool, every: float) -> None:
    from datetime import datetime, timedelta

    from concilia.db import get_session_factory, utcnow
    from concilia.outreach import outbox
    from concilia.outreach.check import default_tone_checker
    from concilia.outreach.settings import OutreachSettings
    from concilia.outreach.worker import run_every, worker_id

    settings = OutreachSettings()
    channels = settings.channels()
    if not channels:
        typer.echo(
            "error: no channel configured (see CONCILIA_OUTREACH_* in docs/outreach.md)", err=True
        )
        raise typer.Exit(2)
    at = datetime.fromisoformat(now) if now else None
    if at is not None and at.tzinfo is None:
        typer.echo("error: --now needs an offset, e.g. 2026-11-24T12:00:00+00:00", err=True)
        raise typer.Exit(2)
    if now and every:
        typer.echo("error: --now and --every exclude each other", err=True)
        raise typer.Exit(2)
    packs = _packs(settings.rules_dir)
    tone = None if no_tone else default_tone_checker()
    mailbox = settings.mailbox()
    worker = worker_id()
    factory = get_session_factory()

    def one_pass(when: datetime) -> dict[str, object]:
        # Each claim and each send is its own transaction: a crash loses at most the send in
        # flight, whose lease then runs out; its retry carries the same idempotency key.
        return outbox.run_pass(
            factory=factory,
            channels=channels,
            now=when,
            worker=worker,
            packs=packs,
            tone=tone,
            batch=settings.claim_batch,
            lease=timedelta(seconds=settings.lease_seconds),
            rates=settings.rates(),
            mailbox=mailbox,
        )

    run_every(
        one_pass,
        every=every,
        now=at or utcnow(),
        emit=lambda report: typer.echo(orjson.dumps(report).decode()),
    )


@app.command("fakes")
def fakes(
    seconds: float = typer.Option(0, min=0, help="Stop after N seconds (0: until stopped)."),
) -> None:
    """Run local fakes of the WhatsApp Cloud API, Meta's Send API and Twilio on loopback.

    Prints the CONCILIA_OUTREACH_* settings that point Concilia at them (demos and trials
    without any provider account); what they receive stays in memory. Ctrl-C stops.
    """
    import time

    from concilia.outreach import fake_providers

    with fake_providers.running() as started:
        for key, value in started.environment().items():
            typer.echo(f"export {key}={value}")
        try:
            if seconds:
                time.sleep(seconds)
            else:
                while True:
                    time.sleep(3600)
        except KeyboardInterrupt:
            pass


@app.command("render")
def render_template(
    kind: str = typer.Argument(..., help="identity_request, first_contact, reminder, ..."),
    lang: str = typer.Option("fr", help="fr, es or en."),
    jurisdiction: str = typer.Option("FR", help="FR, ES, UK or US."),
    channel: str = typer.Option("email", help="email, sms, social_dm, letter, ..."),
    pdf: Path | None = typer.Option(None, help="Also write the letter as a PDF here."),
) -> None:
    """Render a template with sample data and show the engine's verdict on it."""
    from datetime import date, datetime, timedelta
    from decimal import Decimal

    from concilia.db import utcnow
    from concilia.outreach import compose, letter
    from concilia.outreach.rules import Communication, evaluate

    currency = {"UK": "GBP", "US": "USD"}.get(jurisdiction.upper(), "EUR")
    first = kind != "first_letter"
    ctx = compose.TemplateContext(
        jurisdiction=jurisdiction.upper(),
        agency=compose.Agency(
            name="Acme Recouvrement SAS",
            short_name="Acme",
            address="1 rue de la Paix\n75002 Paris",
            phone="+33 1 23 45 67 89",
            portal_url="https://portal.example.org",
            opt_out_url="https://portal.example.org/stop",
            iban="FR76 3000 6000 0112 3456 7890 189",
        ),
        debtor_name="Marie Martin",
        agent_name="Jean Dupont",
        creditor=compose.Party("Banque Exemple", "2 avenue de France\n75013 Paris"),
        debt=compose.DebtInfo(
            "D-123",
            "contrat de crédit n° 123",
            Decimal("1000"),
            Decimal("50.50"),
            currency=currency,
        ),
        plan=compose.PlanInfo(6, Decimal("175.09"), date.today() + timedelta(days=10)),
        first_letter_ref="AC-2026-001" if first else None,
        first_letter_date=date(2026, 11, 2) if first else None,
        letter_ref="AC-2026-001",
        letter_date=date.today(),
    )
    try:
        r = compose.render(kind, lang, channel=channel, ctx=ctx)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"Subject: {r.subject}\n\n{r.body}\n")
    comm = Communication(
        jurisdiction=ctx.jurisdiction,
        channel=channel,
        text=r.body,
        kind=kind,
        identity_verified=kind != "identity_request",
        send_at=None,
        address_source="consumer_used",
        address_last_used_by_consumer=utcnow().date(),
        first_letter_ref=ctx.first_letter_ref,
        first_letter_date=ctx.first_letter_date,
    )
    d = evaluate(comm)
    typer.echo(f"verdict: {d.verdict}")
    for reason in d.reasons:
        typer.echo(f"  {reason.rule} [{reason.citation}]: {reason.explanation}")
    if pdf is not None:
        pdf.write_bytes(
            letter.render_pdf(
                r,
                sender_block=ctx.agency.name + "\n" + ctx.agency.address,
                recipient_block="Marie Martin\n3 rue Exemple\n69001 Lyon",
                place="Paris",
                on=datetime.now().date(),
            )
        )
        typer.echo(f"PDF written to {pdf}")
