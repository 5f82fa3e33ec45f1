"""``concilia reputation``: classify mentions, classify imported ones, raise spike alerts."""

from __future__ import annotations

import getpass
import json
import re
import sys
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import IO

import typer
from pydantic import ValidationError

from concilia.db import session_scope, utcnow
from concilia.errors import InputProblem, InvalidInput
from concilia.reputation import impersonation, service
from concilia.reputation.schemas import MentionIn
from concilia.simulate.impersonation import generate as generate_impersonation

app = typer.Typer(
    help="E-reputation: mention sentiment and topic, spike alerts, impersonation.",
    no_args_is_help=True,
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def read_mentions(stream: IO[str], name: str) -> list[dict[str, object]]:
    """Every line of a JSON Lines stream, validated; InvalidInput naming each bad line."""
    rows: list[dict[str, object]] = []
    problems: list[InputProblem] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError("a line must be a JSON object")
            item = MentionIn.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field = ".".join(str(p) for p in err["loc"]) or "-"
                problems.append(InputProblem(file=name, row=number, field=field, reason=err["msg"]))
            continue
        except ValueError as exc:
            problems.append(InputProblem(file=name, row=number, field="-", reason=str(exc)))
            continue
        rows.append({**raw, "text": item.text, "lang": item.lang})
    if problems:
        raise InvalidInput(problems=problems)
    return rows


@app.command()
def classify(
    file: str = typer.Argument(..., help="JSON Lines with `text` (optional `lang`), - for stdin."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of stdout."),
) -> None:
    """Add lang, sentiment, topic and confidence to each mention (nothing written on bad input)."""
    try:
        if file == "-":
            rows = read_mentions(sys.stdin, "<stdin>")
        else:
            with Path(file).open(encoding="utf-8") as handle:
                rows = read_mentions(handle, file)
    except InvalidInput as exc:
        # Every bad line, not only the count: the file can be fixed in one go.
        for problem in exc.problems:
            typer.echo(
                f"{problem.file}: line {problem.row}: {problem.field}: {problem.reason}", err=True
            )
        raise typer.Exit(1) from exc
    results = service.classify_texts(
        texts=[str(r["text"]) for r in rows],
        langs=[r["lang"] if isinstance(r["lang"], str) else None for r in rows],
    )
    lines = [
        json.dumps({**row, **result.model_dump()}, ensure_ascii=False)
        for row, result in zip(rows, results, strict=True)
    ]
    text = "\n".join(lines) + ("\n" if lines else "")
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


@app.command()
def ingest(
    every: float = typer.Option(
        0, "--every", min=0, help="Repeat every N seconds until stopped (0: one pass)."
    ),
    spike_days: int = typer.Option(
        90, min=8, help="After classifying, scan this many days for spikes of negative mentions."
    ),
) -> None:
    """Classify the mentions sources imported since the last pass, then raise spike alerts.

    One transaction per pass: a crash loses at most the pass in flight."""
    while True:
        until = utcnow().date()
        with session_scope() as db_session:
            done = service.ingest(db_session=db_session, actor=_actor())
            alerts = service.scan_spikes(
                db_session=db_session,
                actor=_actor(),
                since=until - timedelta(days=spike_days - 1),
                until=until,
            )
        typer.echo(f"classified {done} mention(s), {len(alerts)} new spike alert(s)")
        if not every:
            return
        time.sleep(every)


@app.command()
def spikes(
    days: int = typer.Option(90, help="How many days back to scan, up to today (UTC)."),
) -> None:
    """Raise an alert for each spike day of negative mentions not alerted yet."""
    until = utcnow().date()
    since = until - timedelta(days=days - 1)
    with session_scope() as db_session:
        created = service.scan_spikes(
            db_session=db_session, actor=_actor(), since=since, until=until
        )
        for alert in created:
            typer.echo(
                f"{alert.day.isoformat()}: {alert.negatives} negative mention(s) "
                f"(baseline {alert.baseline:.1f}/day, threshold {alert.threshold})"
            )
    typer.echo(f"{len(created)} new alert(s) between {since} and {until}")


def _read_profiles(path: Path) -> list[impersonation.Account]:
    """Profiles from JSON Lines (``network`` and ``handle`` required); every bad line named."""
    accounts: list[impersonation.Account] = []
    problems: list[InputProblem] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                if not isinstance(raw, dict):
                    raise ValueError("a line must be a JSON object")
                accounts.append(impersonation.account_from_json(raw))
            except KeyError as exc:
                problems.append(InputProblem(str(path), number, str(exc.args[0]), "missing"))
            except ValueError as exc:
                problems.append(InputProblem(str(path), number, "-", str(exc)))
    if problems:
        raise InvalidInput(problems=problems)
    return accounts


@app.command()
def impersonators(
    officials: Path = typer.Argument(..., help="JSON: the agency's and agents' real accounts."),
    profiles: Path = typer.Argument(..., help="JSON Lines of profiles to scan."),
    reports: Path | None = typer.Option(
        None, "--reports", help="Write one takedown report (Markdown) per flag into this folder."
    ),
) -> None:
    """Flag profiles imitating the agency or its agents (JSON Lines with the evidence)."""
    try:
        agency, protected = impersonation.protected_from_json(
            json.loads(officials.read_text(encoding="utf-8"))
        )
        accounts = _read_profiles(profiles)
    except InvalidInput as exc:
        for problem in exc.problems:
            typer.echo(
                f"{problem.file}: line {problem.row}: {problem.field}: {problem.reason}", err=True
            )
        raise typer.Exit(1) from exc
    except (ValueError, AttributeError) as exc:
        typer.echo(f"{officials}: {exc}", err=True)
        raise typer.Exit(1) from exc
    flags = impersonation.detect(accounts, protected)
    if reports is not None:
        reports.mkdir(parents=True, exist_ok=True)
    for flag in flags:
        sys.stdout.write(json.dumps(flag.as_dict(), ensure_ascii=False) + "\n")
        if reports is not None:
            name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{flag.account.network}-{flag.account.handle}")
            report = impersonation.takedown_report(flag, agency=agency)
            (reports / f"{name}.md").write_text(report, encoding="utf-8")
    typer.echo(f"{len(flags)} of {len(accounts)} profiles flagged", err=True)


@app.command("impersonation-world")
def impersonation_world(
    out: Path = typer.Option(
        ..., "--out", help="Folder for officials.json, profiles.jsonl, truth."
    ),
    seed: int = typer.Option(1, help="The world's seed."),
    crowd: int = typer.Option(3000, min=0, max=1_000_000, help="Ordinary accounts."),
    count: int = typer.Option(80, "--impersonators", min=0, max=100_000, help="Impersonators."),
) -> None:
    """Write a simulated world of accounts around an agency, impersonators and truth included."""
    world = generate_impersonation(seed=seed, crowd=crowd, impersonators=count)
    out.mkdir(parents=True, exist_ok=True)
    (out / "officials.json").write_text(
        json.dumps(world.official_json(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    with (out / "profiles.jsonl").open("w", encoding="utf-8") as handle:
        for account in world.profiles:
            handle.write(json.dumps(asdict(account), ensure_ascii=False) + "\n")
    with (out / "truth_impersonation.jsonl").open("w", encoding="utf-8") as handle:
        for external_id, (key, how) in sorted(world.truth.items()):
            row = {"external_id": external_id, "imitates": key, "how": how}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    typer.echo(f"{len(world.profiles)} profiles, {len(world.truth)} impersonators -> {out}")
