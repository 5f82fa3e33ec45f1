"""`concilia strategy ...`: validate strategies, run the scheduler, experiments, the simulator."""

from __future__ import annotations

import getpass
import time
from datetime import datetime
from pathlib import Path

import orjson
import typer

from concilia.db import session_scope, utcnow

app = typer.Typer(
    help="Strategy: segments, next best action, scheduler, champion/challenger, simulator.",
    no_args_is_help=True,
)
experiment_app = typer.Typer(help="Champion/challenger experiments.", no_args_is_help=True)
app.add_typer(experiment_app, name="experiment")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "cli"


def _echo(obj: object) -> None:
    typer.echo(orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--now") from None
    if parsed.tzinfo is None:
        raise typer.BadParameter("the time needs an offset, e.g. +00:00", param_hint="--now")
    return parsed


@app.command("validate")
def validate(
    files: list[Path] = typer.Argument(None, help="Strategy files (default: the shipped ones)."),
) -> None:
    """Validate strategy files; print file:line: reason for each one refused."""
    from concilia.strategy import definition

    paths = files or sorted(definition.STRATEGIES_DIR.glob("*.yaml"))
    failed = False
    for path in paths:
        try:
            strategy = definition.load(path)
        except definition.StrategyError as exc:
            typer.echo(f"error: {exc}", err=True)
            failed = True
            continue
        steps = sum(len(s.steps) for s in strategy.segments)
        typer.echo(f"ok {strategy.name}: {len(strategy.segments)} segments, {steps} steps ({path})")
    if failed:
        raise typer.Exit(2)


@app.command("next")
def next_action(
    case_id: int = typer.Argument(..., help="The case."),
    now: str = typer.Option(None, help="Pretend it is this time (ISO 8601 with offset)."),
) -> None:
    """Print a case's next best action and why (stores nothing)."""
    from concilia.errors import NotFound
    from concilia.strategy import service

    with session_scope() as db_session:
        try:
            action = service.next_best_action(
                db_session=db_session, case_id=case_id, now=_parse_now(now)
            )
        except NotFound as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        _echo(
            {
                "case_id": case_id,
                "strategy": service.strategy_of(db_session=db_session, case_id=case_id),
                "kind": action.kind,
                "channel": action.channel,
                "template": action.template,
                "at": action.at.isoformat() if action.at else None,
                "priority": action.priority,
                "explanation": action.explanation,
            }
        )


@app.command("run")
def run(
    every: int = typer.Option(0, "--every", min=0, help="Repeat every N seconds (0: once)."),
    now: str = typer.Option(None, help="Pretend it is this time (one pass only)."),
) -> None:
    """Compute every open case's next best action, queue what is due, set the worklist order.

    One transaction per pass: a crash loses at most the pass in flight, and the steps'
    idempotency keys make its retry queue nothing twice.
    """
    from concilia.outreach.check import default_tone_checker
    from concilia.strategy import service

    if now is not None and every:
        typer.echo("error: --now and --every exclude each other", err=True)
        raise typer.Exit(2)
    at = _parse_now(now)
    tone = default_tone_checker()
    while True:
        with session_scope() as db_session:
            report = service.run_pass(db_session=db_session, now=at, tone=tone)
        typer.echo(orjson.dumps({"at": at.isoformat(), **report.as_dict()}).decode())
        if not every:
            return
        time.sleep(every)
        at = utcnow()


@app.command("assign")
def assign(
    case_id: int = typer.Argument(...),
    strategy: str = typer.Argument(..., help="A strategy's name (see `validate`)."),
) -> None:
    """Put one case on a strategy (outside any experiment)."""
    from concilia.errors import Conflict, InvalidInput, NotFound
    from concilia.strategy import service

    try:
        with session_scope() as db_session:
            service.assign(
                db_session=db_session, case_id=case_id, strategy=strategy, actor=_actor()
            )
    except InvalidInput as exc:
        for p in exc.problems:
            typer.echo(f"error: {p.field}: {p.reason}", err=True)
        raise typer.Exit(2) from None
    except (NotFound, Conflict) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"case {case_id} follows {strategy}")


@experiment_app.command("start")
def experiment_start(
    name: str = typer.Option(..., "--name", help="The experiment's name."),
    champion: str = typer.Option("letters-and-calls", "--champion"),
    challenger: str = typer.Option("default", "--challenger"),
    share: float = typer.Option(0.5, "--share", help="Share of cases given the challenger."),
    seed: int = typer.Option(1, "--seed", help="The random draw's seed (recorded)."),
) -> None:
    """Assign every open case not in an experiment at random to champion or challenger."""
    from concilia.errors import InvalidInput
    from concilia.strategy import service

    try:
        with session_scope() as db_session:
            counts = service.start_experiment(
                db_session=db_session,
                name=name,
                champion=champion,
                challenger=challenger,
                challenger_share=share,
                seed=seed,
                actor=_actor(),
            )
    except InvalidInput as exc:
        for p in exc.problems:
            typer.echo(f"error: {p.field}: {p.reason}", err=True)
        raise typer.Exit(2) from None
    _echo({"experiment": name, "cases": counts})


@experiment_app.command("report")
def experiment_report(name: str = typer.Argument(..., help="The experiment's name.")) -> None:
    """Outcome rates per strategy with 95 % intervals (Wilson), money recovered."""
    from concilia.strategy import service

    with session_scope() as db_session:
        arms = service.experiment_report(db_session=db_session, experiment=name)
    if not arms:
        typer.echo(f"error: no case is in experiment {name!r}", err=True)
        raise typer.Exit(2)
    _echo({"experiment": name, "arms": [a.as_dict() for a in arms]})


@app.command("simulate")
def simulate(
    cases: int = typer.Option(200, "--cases", min=1, help="Simulated cases (one debt each)."),
    days: int = typer.Option(60, "--days", min=1, max=365, help="Simulated days."),
    seed: int = typer.Option(1, "--seed", help="Same seed, same people and same reactions."),
    strategy: list[str] = typer.Option(
        ["default", "letters-and-calls"], "--strategy", help="A strategy to run (repeatable)."
    ),
    no_tone: bool = typer.Option(False, "--no-tone", help="Skip the tone checker (faster)."),
    workers: int = typer.Option(
        1, "--workers", min=1, max=8, help="Run the strategies in this many processes at once."
    ),
) -> None:
    """Run each strategy on the same simulated cases through the real engines; print JSON.

    Every contact goes through the real compliance check; an independent audit counts any
    contact that broke a rule anyway (rule_violations). Behaviour parameters and their
    sources: concilia.simulate.behaviour.BehaviourParams.
    """
    from concilia.strategy import definition
    from concilia.strategy.simulation import simulate as run_simulation

    known = definition.available()
    unknown = [s for s in strategy if s not in known]
    if unknown:
        raise typer.BadParameter(
            f"unknown strategy {unknown[0]!r} (known: {', '.join(sorted(known))})",
            param_hint="--strategy",
        )
    result = run_simulation(
        cases=cases, days=days, seed=seed, strategies=list(dict.fromkeys(strategy)),
        use_tone=not no_tone, workers=workers,
    )  # fmt: skip
    typer.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
