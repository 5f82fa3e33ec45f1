"""The scheduler's pass: next best action for each open case, the due step taken through
outreach, the worklist's order written through portfolio. The caller commits once a pass."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.outreach import service as outreach_service
from concilia.portfolio import service as portfolio_service
from concilia.strategy import definition, engine, messages, segments
from concilia.strategy.assignments import done_of, list_actions, open_case_ids, strategy_of
from concilia.strategy.engine import Action
from concilia.strategy.models import NextAction, StrategyAction

ACTOR = "job:strategy"
# Rule categories that only say "not now" for a call: the step waits rather than being spent.
DEFERRABLE = frozenset({"time", "frequency"})


@dataclass
class PassReport:
    """What one scheduler pass did."""

    cases: int = 0
    queued: int = 0
    blocked: int = 0
    review: int = 0
    to_person: int = 0
    skipped_steps: int = 0
    waiting: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _record(
    db_session: Session,
    *,
    case_id: int,
    strategy: str,
    action: Action,
    status: str,
    now: datetime,
    outbox_id: int | None = None,
    rules: list[dict[str, str]] | None = None,
    step: int | None = None,
    explanation: str | None = None,
) -> StrategyAction:
    row = StrategyAction(
        case_id=case_id,
        strategy=strategy,
        segment=action.segment or "",
        step=action.step if step is None else step,
        action=action.kind if step is None else "skip",
        channel=action.channel if step is None else None,
        template=action.template if step is None else None,
        status=status,
        outbox_id=outbox_id,
        rules=rules or [],
        explanation=explanation or action.explanation,
        at=now,
    )
    db_session.add(row)
    return row


def _take(
    db_session: Session,
    *,
    facts: segments.CaseFacts,
    strategy: str,
    action: Action,
    now: datetime,
    actor: str,
    report: PassReport,
    tone: outreach_service.ToneFn | None,
) -> datetime | None:
    """Take a due step: queue its message, check its call, or hand it to a person.

    None once taken; when a call may not be made yet (hours or frequency), nothing is
    recorded and the moment to try again is returned."""
    for skip in action.skipped:
        _record(
            db_session,
            case_id=facts.case_id,
            strategy=strategy,
            action=action,
            status="skipped",
            now=now,
            step=skip.step,
            explanation=f"Step {skip.step + 1} skipped: {skip.reason}.",
        )
        report.skipped_steps += 1
    status, outbox_id, rules = "to_agent", None, []
    if action.kind == engine.SEND and action.channel and action.template:
        address = facts.addresses[action.channel]
        msg = messages.render(
            db_session=db_session,
            case_id=facts.case_id,
            template=action.template,
            channel=action.channel,
            now=now,
            plan_instalments=12 if facts.ability == "low" else 6,
        )
        queued = outreach_service.enqueue(
            db_session=db_session,
            case_id=facts.case_id,
            channel=action.channel,
            kind=msg.kind,
            lang=facts.lang,
            to=address,
            body=msg.body,
            subject=msg.subject,
            actor=actor,
            idempotency_key=f"strategy:{facts.case_id}:{strategy}:{action.segment}:{action.step}",
            # An address the person wrote from is one the consumer used (US safe harbour).
            address_source="consumer_used" if address in facts.used_by_consumer else None,
            letter_ref=msg.letter_ref,
            not_before=action.at,
            tone=tone,
        )
        status, outbox_id = queued.status, queued.id
        rules = [
            {"rule": r["rule"], "category": r["category"], "severity": r["severity"]}
            for r in queued.reasons or []
        ]
    elif action.kind == engine.CALL:
        decision = outreach_service.check_call(
            db_session=db_session,
            case_id=facts.case_id,
            phone=facts.addresses["call"],
            at=now,
        )
        rules = [
            {"rule": r.rule, "category": r.category, "severity": r.severity}
            for r in decision.reasons
        ]
        blocking = {r.category for r in decision.reasons if r.severity == "block"}
        if decision.verdict == "block" and blocking <= DEFERRABLE:
            # Not now (the hour, or this week's calls are used up): the same step waits for
            # a later pass instead of being spent.
            report.waiting += 1
            return _retry_at(now, blocking, facts.time_zone)
        status = "to_agent" if decision.verdict == "allow" else "blocked"
    _record(
        db_session,
        case_id=facts.case_id,
        strategy=strategy,
        action=action,
        status=status,
        now=now,
        outbox_id=outbox_id,
        rules=rules,
    )
    if status == "blocked":
        report.blocked += 1
        for r in rules:
            if r["severity"] == "block":
                report.by_rule[r["rule"]] = report.by_rule.get(r["rule"], 0) + 1
    elif status == "review":
        report.review += 1
    elif status == "queued":
        report.queued += 1
    else:
        report.to_person += 1
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="strategy.step_taken",
        object_type="case",
        object_id=facts.case_id,
        change={
            "strategy": strategy,
            "segment": action.segment,
            "step": action.step,
            "kind": action.kind,
            "channel": action.channel,
            "status": status,
        },
        detail={
            "strategy": strategy,
            "segment": action.segment,
            "step": action.step,
            "kind": action.kind,
            "channel": action.channel,
            "status": status,
        },
    )
    return None


def _retry_at(now: datetime, blocking: set[str], time_zone: str) -> datetime:
    """When a deferred call is worth checking again. The frequency rules count calls and
    conversations by local day, so their answer cannot change before the next local day
    (checking every hour for a week cost the simulator a third of its time); an hours rule
    may open within the hour."""
    if "frequency" not in blocking:
        return now + timedelta(hours=1)
    try:
        zone: tzinfo = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return now + timedelta(hours=1)
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    return max(midnight.astimezone(now.tzinfo), now + timedelta(hours=1))


def run_pass(
    *,
    db_session: Session,
    now: datetime,
    actor: str = ACTOR,
    case_ids: Iterable[int] | None = None,
    tone: outreach_service.ToneFn | None = None,
) -> PassReport:
    """One scheduler pass: for each open case (or the given ones), compute the next best
    action, take it when it is due, and write the worklist priorities. The caller commits
    once for the whole pass."""
    report = PassReport()
    ids = sorted(case_ids) if case_ids is not None else open_case_ids(db_session=db_session)
    priorities: dict[int, tuple[float | None, str | None]] = {}
    for case_id in ids:
        name = strategy_of(db_session=db_session, case_id=case_id)
        strategy = definition.get(name)
        facts = segments.facts(db_session=db_session, case_id=case_id, today=now.date())
        rows = list_actions(db_session=db_session, case_id=case_id)
        action = engine.next_action(
            facts=facts, strategy=strategy, done=done_of(rows, name), now=now
        )
        report.cases += 1
        due = action.at is not None and action.at <= now
        if due and action.kind in (engine.SEND, engine.CALL, engine.ESCALATE):
            retry = _take(
                db_session,
                facts=facts,
                strategy=name,
                action=action,
                now=now,
                actor=actor,
                report=report,
                tone=tone,
            )
            if retry is not None:
                action = replace(
                    action,
                    at=retry,
                    explanation=action.explanation
                    + " The rules do not allow the call at this moment; it waits.",
                )
                _store_next(db_session, case_id=case_id, strategy=name, action=action, now=now)
                priorities[case_id] = (action.priority, _short(action.explanation))
                continue
            # What the case's page and worklist show is what comes after the step just taken.
            db_session.flush()
            rows = list_actions(db_session=db_session, case_id=case_id)
            after = engine.next_action(
                facts=facts, strategy=strategy, done=done_of(rows, name), now=now
            )
            if action.kind in (engine.CALL, engine.ESCALATE):
                # The call or the review is the agent's work now: it stays on top until done.
                after = action
            action = after
        elif action.kind == engine.WAIT or not due:
            report.waiting += 1
        _store_next(db_session, case_id=case_id, strategy=name, action=action, now=now)
        priorities[case_id] = (action.priority, _short(action.explanation))
    if priorities:
        portfolio_service.set_priorities(db_session=db_session, priorities=priorities, actor=actor)
    db_session.flush()
    return report


def _store_next(
    db_session: Session, *, case_id: int, strategy: str, action: Action, now: datetime
) -> None:
    row = db_session.get(NextAction, case_id)
    if row is None:
        row = NextAction(case_id=case_id)
        db_session.add(row)
    row.strategy, row.kind, row.channel = strategy, action.kind, action.channel
    row.due_at, row.priority, row.explanation = action.at, action.priority, action.explanation
    row.updated_at = now
