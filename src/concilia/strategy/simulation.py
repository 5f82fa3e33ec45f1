"""The outcome simulator: each strategy on the same simulated cases, through the real engines.

For each strategy a fresh in-memory database gets the same placed portfolio (the real
importer), then an hour-by-hour clock runs the real scheduler pass (``run_pass``), the real
outbox (every message judged again by the compliance rules and the tone check when it is
sent) and agents' calls checked by ``check_call``. People react through
:mod:`concilia.simulate.behaviour`; their answers come back through the real reply intake,
identity checks, promises, payments, disputes and opt-outs. Afterwards an independent audit
(:mod:`concilia.strategy.simaudit`), written from the regulations and not from the rule
packs, counts every contact that broke a rule: a violation is counted, never hidden.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from concilia.db import Base
from concilia.domains import load_all_models
from concilia.outreach import outbox
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import InboundMessage, OutgoingMessage
from concilia.outreach.check import default_tone_checker
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.money import Money
from concilia.simulate.behaviour import BehaviourParams, Debtor, Reaction, make_debtors, react
from concilia.strategy import service as strategy_service
from concilia.strategy import simaudit
from concilia.strategy.models import NextAction, StrategyAction
from concilia.strategy.outcomes import wilson
from concilia.strategy.scheduler import DEFERRABLE
from concilia.strategy.simstats import compare
from concilia.strategy.simsupport import (
    COST,
    TO_EUR,
    Event,
    SimChannel,
    Tally,
    agency_named,
    no_letter_pdf,
    placed_csv,
    target,
)

START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
AS_OF = "2026-11-01"
ACTOR = "sim:agent"
# The creditor states its address at import, as a real one must for French first letters.
CREDITOR_ADDRESS = "10 rue de la Banque, 75002 Paris"
SPECIALIST_EVERY = timedelta(days=14)


class Run:
    """One strategy on the population, hour by hour."""

    def __init__(
        self,
        *,
        strategy: str,
        debtors: list[Debtor],
        params: BehaviourParams,
        days: int,
        seed: int,
        tone: outreach_service.ToneFn | None,
    ) -> None:
        self.strategy, self.params, self.days, self.tone = strategy, params, days, tone
        self.rng = random.Random(seed * 31 + 7)
        self.tally = Tally()
        self.events: list[Event] = []
        self.seq = itertools.count()
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        load_all_models()
        Base.metadata.create_all(engine)
        self.db = Session(engine, expire_on_commit=False)
        for d in debtors:
            d.irritation = 0.0
        self.channels = {
            name: SimChannel(name, self._sent) for name in ("email", "sms", "social_dm", "letter")
        }
        self.audit = simaudit.Audit()
        self._setup(debtors)

    # Set-up ------------------------------------------------------------------------------

    def _setup(self, debtors: list[Debtor]) -> None:
        db = self.db
        portfolio_service.import_portfolio(
            db_session=db, data=placed_csv(debtors), file="simulated.csv", creditor_name="Sim Bank",
            creditor_address=CREDITOR_ADDRESS, actor=ACTOR,
        )  # fmt: skip
        self.debtor_of: dict[int, Debtor] = {}
        self.case_of: dict[int, int] = {}
        # The session's identity map holds objects weakly: without these references every
        # get of a case, debt, debtor or creditor went back to the database (with two more
        # queries for a debtor's addresses and contacts), a fifth of the run's time. Changes
        # made through the ORM still reach them (the session never expires them on commit).
        self._pinned: list[Any] = []
        for d in debtors:
            [debt] = portfolio_service.find_debts_by_account_reference(
                db_session=db, reference=d.rows[0]["account_reference"]
            )
            case = portfolio_service.get_case_for_debt(db_session=db, debt_id=debt.id)
            debtor = portfolio_service.get_debtor(db_session=db, debtor_id=debt.debtor_id)
            self._pinned += [
                debt, case, debtor,
                portfolio_service.get_creditor(db_session=db, creditor_id=debt.creditor_id),
            ]  # fmt: skip
            self.debtor_of[case.id] = d
            self.case_of[d.index] = case.id
            total = debt.principal + debt.interest + debt.fees
            self.tally.placed += total * TO_EUR[debt.currency]
            if d.vulnerability_known:
                portfolio_service.set_case_flag(
                    db_session=db, case_id=case.id, flag="vulnerable", value=True, actor=ACTOR,
                    reason="signals accepted by an agent",
                )  # fmt: skip
            strategy_service.assign(
                db_session=db, case_id=case.id, strategy=self.strategy, actor=ACTOR
            )
            self.audit.register(
                case_id=case.id,
                jurisdiction=debtor_jurisdiction(debt),
                zones=self._zones(case.id),
                vulnerable=d.vulnerability_known,
            )
        db.commit()
        self.due: dict[int, datetime | None] = dict.fromkeys(self.debtor_of, START)
        self.last_specialist: dict[int, datetime] = {}

    def _zones(self, case_id: int) -> tuple[str, ...]:
        case = portfolio_service.get_case(db_session=self.db, case_id=case_id)
        debt = portfolio_service.get_debt(db_session=self.db, debt_id=case.debt_id)
        debtor = portfolio_service.get_debtor(db_session=self.db, debtor_id=debt.debtor_id)
        view = portfolio_service.reveal_debtor(debtor)
        return simaudit.zones_of(
            time_zone=debtor.time_zone,
            phone=view.phones[0] if view.phones else None,
            jurisdiction=debtor.jurisdiction,
        )

    # Reactions ---------------------------------------------------------------------------

    def _push(self, at: datetime, kind: str, case_id: int, **data: Any) -> None:
        heapq.heappush(self.events, Event(at, next(self.seq), kind, case_id, data))

    def _local_hour(self, case_id: int, at: datetime) -> int:
        return at.astimezone(ZoneInfo(self.debtor_of[case_id].true_zone)).hour

    def _react(
        self, case_id: int, channel: str, kind: str, at: datetime, specialist: bool = False
    ) -> Reaction:
        debtor = self.debtor_of[case_id]
        recent = self.audit.recent_contacts(case_id, at)
        reaction = react(
            debtor=debtor,
            params=self.params,
            channel=channel,
            kind=kind,
            local_hour=self._local_hour(case_id, at),
            recent_contacts=recent,
            by_specialist=specialist,
            rng=self.rng,
        )
        self.audit.true_hour(case_id, self._local_hour(case_id, at))
        later = at + timedelta(hours=reaction.delay_hours)
        if reaction.complaint:
            self._push(at + timedelta(hours=1), "complaint", case_id)
        if reaction.cease:
            self._push(at + timedelta(days=2), "cease", case_id)
        if reaction.opt_out and channel in self.channels:
            self._push(at + timedelta(minutes=30), "reply", case_id, channel=channel, text="STOP")
        if reaction.engaged:
            self.tally.right_party.add(case_id)
            if channel in ("email", "sms", "social_dm"):
                self._push(later, "reply", case_id, channel=channel, text="It is me.")
            if reaction.dispute:
                self._push(later, "dispute", case_id)
            elif reaction.pays:
                self._push(later, "promise", case_id, plan=kind == "plan_proposal")
        return reaction

    def _sent(self, message: OutgoingMessage, provider_id: str) -> None:
        case_id = int(message.idempotency_key.split(":")[1])
        now = self.clock
        self.tally.contact(message.channel)
        self.audit.contact(case_id, message.channel, now)
        self.sent_ids[(case_id, message.channel)] = (provider_id, message.to)
        self._react(case_id, message.channel, self.kinds.get(message.idempotency_key, ""), now)

    # The clock ---------------------------------------------------------------------------

    def run(self) -> Tally:
        self.sent_ids: dict[tuple[int, str], tuple[str, str]] = {}
        self.kinds: dict[str, str] = {}
        self.queued: set[int] = set()
        for hour in range(self.days * 24):
            self.clock = now = START + timedelta(hours=hour)
            touched = self._apply_events(now)
            ids = {c for c, at in self.due.items() if at is not None and at <= now} | touched
            if ids:
                self._pass(now, sorted(ids))
            self._send(now)
            if now.hour == 12:
                # The agency's daily job: promises past their day without payment are broken.
                portfolio_service.mark_broken_promises(
                    db_session=self.db, today=now.date(), actor=ACTOR
                )
                self._self_cure(now)
            self.db.commit()
        self.tally.cost = round(self.tally.cost, 2)
        return self.tally

    def _pass(self, now: datetime, ids: list[int]) -> None:
        db = self.db
        before = db.scalar(select(StrategyAction.id).order_by(StrategyAction.id.desc()).limit(1))
        strategy_service.run_pass(
            db_session=db, now=now, actor="job:strategy", case_ids=ids, tone=self.tone
        )
        new = db.scalars(
            select(StrategyAction)
            .where(StrategyAction.id > (before or 0))
            .order_by(StrategyAction.id)
        ).all()
        for row in new:
            if row.outbox_id is not None:
                msg = outreach_service.get(db_session=db, message_id=row.outbox_id)
                self.kinds[msg.idempotency_key] = row.template or msg.kind
                self.queued.add(msg.id)
            if row.status == "blocked":
                self.tally.blocked += 1
                for r in row.rules:
                    if r.get("severity") == "block":
                        rule = r["rule"]
                        self.tally.blocked_by_rule[rule] = (
                            self.tally.blocked_by_rule.get(rule, 0) + 1
                        )
            if row.status == "to_agent" and row.action in ("call", "escalate"):
                if row.action == "escalate":
                    self.tally.cost += COST["review"]
                self._call(row.case_id, now, specialist=False, retry=row.action == "escalate")
        for nxt in db.scalars(select(NextAction).where(NextAction.case_id.in_(ids))):
            if nxt.kind == "specialist":
                last = self.last_specialist.get(nxt.case_id)
                if last is None or now - last >= SPECIALIST_EVERY:
                    self._call(nxt.case_id, now, specialist=True)
                    self.last_specialist[nxt.case_id] = now
                self.due[nxt.case_id] = now + SPECIALIST_EVERY
            elif nxt.kind in ("send", "call", "escalate", "wait") and nxt.due_at is not None:
                self.due[nxt.case_id] = max(nxt.due_at, now + timedelta(hours=1))
            else:
                self.due[nxt.case_id] = None

    def _call(self, case_id: int, now: datetime, *, specialist: bool, retry: bool = False) -> None:
        """An agent (or a specialist) calls, once the rules allow the call at this moment.

        ``retry``: the agent reviewing an escalated case calls when the rules allow it. The
        scheduler takes an escalation at once, whatever the day; the review call it leads to
        was lost when it fell on a day the law forbids calls (a Saturday in Spain: 34 lost
        review calls in 300 cases), where an agent would simply call on the next lawful day.
        """
        facts_phone = self._phone(case_id)
        if facts_phone is None:
            return
        decision = outreach_service.check_call(
            db_session=self.db, case_id=case_id, phone=facts_phone, at=now,
            sender_is_specialist=specialist,
        )  # fmt: skip
        blocking = {r.category for r in decision.reasons if r.severity == "block"}
        if retry and decision.verdict == "block" and blocking <= DEFERRABLE:
            self._push(now + timedelta(hours=3), "review_call", case_id)
            return
        if decision.verdict != "allow":
            self.tally.blocked += 1
            for r in decision.reasons:
                if r.severity == "block":
                    self.tally.blocked_by_rule[r.rule] = (
                        self.tally.blocked_by_rule.get(r.rule, 0) + 1
                    )
            return
        self.tally.contact("call")
        self.audit.contact(case_id, "call", now, kind="call", specialist=specialist)
        reaction = self._react(case_id, "call", "call", now, specialist=specialist)
        talked = reaction.engaged
        if specialist:
            self.tally.cost += COST["specialist"] - COST["call"]
        elif talked:
            self.tally.cost += COST["conversation"] - COST["call"]
        outcome = "conversation" if talked else ("voicemail" if reaction.reached else "no_answer")
        outreach_service.log_call(
            db_session=self.db, case_id=case_id, at=now, outcome=outcome, actor=ACTOR
        )
        if talked:
            self.audit.conversation(case_id, now)

    def _phone(self, case_id: int) -> str | None:
        case = portfolio_service.get_case(db_session=self.db, case_id=case_id)
        debt = portfolio_service.get_debt(db_session=self.db, debt_id=case.debt_id)
        debtor = portfolio_service.get_debtor(db_session=self.db, debtor_id=debt.debtor_id)
        phones = portfolio_service.reveal_debtor(debtor).phones
        return phones[0] if phones else None

    def _send(self, now: datetime) -> None:
        # The outbox is asked only while a message waits in it (a pass of the outbox costs
        # the same with nothing to send); what it then does is the real outbox's.
        self.queued = {
            i
            for i in self.queued
            if outreach_service.get(db_session=self.db, message_id=i).status
            in ("queued", "sending")
        }
        if not self.queued:
            return
        report = outbox.run_due(
            db_session=self.db, channels=self.channels, now=now, actor="outbox", tone=self.tone
        )
        for message_id in report.blocked:
            msg = outreach_service.get(db_session=self.db, message_id=message_id)
            self.tally.block([r["rule"] for r in msg.reasons or [] if r.get("severity") == "block"])

    def _self_cure(self, now: datetime) -> None:
        for case_id, debtor in self.debtor_of.items():
            if case_id in self.tally.payers:
                continue
            chance = self.params.self_cure_per_day * debtor.willingness * debtor.capacity
            if self.rng.random() < chance:
                self._pay(case_id, now, share=1.0)

    # Events ------------------------------------------------------------------------------

    def _apply_events(self, now: datetime) -> set[int]:
        touched: set[int] = set()
        while self.events and self.events[0].at <= now:
            event = heapq.heappop(self.events)
            touched.add(event.case_id)
            getattr(self, f"_on_{event.kind}")(event, now)
        for channel in self.channels.values():
            if channel.inbox:
                outbox.ingest_replies(
                    db_session=self.db, channel=channel, since=None, now=now, actor="outbox"
                )
        return touched

    def _on_reply(self, event: Event, now: datetime) -> None:
        channel = event.data["channel"]
        sent = self.sent_ids.get((event.case_id, channel))
        if sent is None:
            return
        provider_id, address = sent
        self.channels[channel].inbox.append(
            InboundMessage(
                provider_id=f"in-{next(self.seq)}",
                channel=channel,
                sender=address,
                text=event.data["text"],
                received_at=now,
                in_reply_to=provider_id,
            )
        )
        if event.data["text"] == "STOP":
            self.tally.opt_outs += 1
            self.audit.opt_out(event.case_id, channel, now)
            return
        debtor_id = self._debtor_id(event.case_id)
        if not outreach_service.is_identity_verified(
            db_session=self.db, debtor_id=debtor_id, channel=channel, address=address
        ):
            # The agent checks the date of birth the person gave in the reply.
            outreach_service.mark_identity_verified(
                db_session=self.db, debtor_id=debtor_id, channel=channel, address=address,
                method="date_of_birth", actor=ACTOR,
            )  # fmt: skip

    def _debtor_id(self, case_id: int) -> int:
        case = portfolio_service.get_case(db_session=self.db, case_id=case_id)
        return portfolio_service.get_debt(db_session=self.db, debt_id=case.debt_id).debtor_id

    def _on_review_call(self, event: Event, now: datetime) -> None:
        case = portfolio_service.get_case(db_session=self.db, case_id=event.case_id)
        if case.stage in ("paid", "closed") or case.cease_contact:
            return
        self._call(event.case_id, now, specialist=False, retry=True)

    def _on_complaint(self, event: Event, now: datetime) -> None:
        self.tally.complaints += 1
        strategy_service.record_outcome(
            db_session=self.db, case_id=event.case_id, kind="complaint", at=now, actor=ACTOR
        )

    def _on_cease(self, event: Event, now: datetime) -> None:
        self.tally.cease += 1
        self.audit.cease(event.case_id, now)
        portfolio_service.set_case_flag(
            db_session=self.db, case_id=event.case_id, flag="cease_contact", value=True,
            actor=ACTOR, reason="written request to stop",
        )  # fmt: skip

    def _on_dispute(self, event: Event, now: datetime) -> None:
        case = portfolio_service.get_case(db_session=self.db, case_id=event.case_id)
        if case.disputed:
            return
        self.tally.disputes += 1
        self.audit.dispute(event.case_id, now)
        portfolio_service.set_case_flag(
            db_session=self.db, case_id=event.case_id, flag="disputed", value=True, actor=ACTOR,
            reason="the person disputes the amount",
        )  # fmt: skip
        self._push(now + timedelta(days=30), "dispute_answered", event.case_id)

    def _on_dispute_answered(self, event: Event, now: datetime) -> None:
        portfolio_service.set_case_flag(
            db_session=self.db, case_id=event.case_id, flag="dispute_answered", value=True,
            actor=ACTOR, reason="verification sent",
        )  # fmt: skip
        self.audit.dispute_answered(event.case_id, now)
        if self.debtor_of[event.case_id].wrong_debt:
            case = portfolio_service.get_case(db_session=self.db, case_id=event.case_id)
            portfolio_service.set_case_stage(
                db_session=self.db, case=case, stage="closed", actor=ACTOR
            )

    def _on_promise(self, event: Event, now: datetime) -> None:
        case = portfolio_service.get_case(db_session=self.db, case_id=event.case_id)
        if case.stage in ("paid", "closed"):
            return
        debt = portfolio_service.get_debt(db_session=self.db, debt_id=case.debt_id)
        debtor = self.debtor_of[event.case_id]
        share = max(debtor.capacity, 1 / 6) if event.data.get("plan") else debtor.capacity
        share = 1.0 if share >= 0.7 else share
        amount = self._amount(debt, share)
        if amount is None:
            return
        due = (now + timedelta(days=7)).date()
        portfolio_service.create_promise(
            db_session=self.db, debt_id=debt.id, amount=amount, due_on=due, actor=ACTOR
        )
        self.tally.promises += 1
        if self.rng.random() < self.params.promise_kept:
            self._push(now + timedelta(days=6), "payment", event.case_id, share=share)

    def _on_payment(self, event: Event, now: datetime) -> None:
        self._pay(event.case_id, now, share=float(event.data["share"]))

    def _amount(self, debt: Any, share: float) -> Money | None:
        balance = debt.principal_balance + debt.interest_balance + debt.fees_balance
        value = (balance * Decimal(str(share))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        return Money(value, debt.currency) if value > 0 else None

    def _pay(self, case_id: int, now: datetime, *, share: float) -> None:
        case = portfolio_service.get_case(db_session=self.db, case_id=case_id)
        if case.stage in ("paid", "closed"):
            return
        debt = portfolio_service.get_debt(db_session=self.db, debt_id=case.debt_id)
        amount = self._amount(debt, share)
        if amount is None:
            return
        portfolio_service.record_payment(
            db_session=self.db, debt_id=debt.id, amount=amount, received_on=now.date(), actor=ACTOR
        )
        for promise in portfolio_service.list_promises(db_session=self.db, debt_id=debt.id):
            if promise.status == "pending":
                portfolio_service.set_promise_status(
                    db_session=self.db, promise_id=promise.id, status="kept", actor=ACTOR
                )
        eur = amount.amount * TO_EUR[amount.currency]
        self.tally.recovered += eur
        self.tally.recovered_by_case[case_id] = (
            self.tally.recovered_by_case.get(case_id, Decimal(0)) + eur
        )
        self.tally.payers.add(case_id)
        if debt.principal_balance + debt.interest_balance + debt.fees_balance <= 0:
            portfolio_service.set_case_stage(
                db_session=self.db, case=case, stage="paid", actor=ACTOR
            )


def debtor_jurisdiction(debt: Any) -> str:
    return str(debt.debtor.jurisdiction)


def _run_one(
    name: str, cases: int, days: int, seed: int, params: BehaviourParams, use_tone: bool
) -> dict[str, Any]:
    """One strategy's figures on the simulated cases of ``seed`` (the same people whichever
    process builds them: make_debtors draws only from the seed)."""
    debtors = make_debtors(seed=seed, count=cases, params=params, as_of=AS_OF)
    tone = default_tone_checker() if use_tone else None
    started = time.perf_counter()
    with no_letter_pdf(), agency_named():
        run = Run(strategy=name, debtors=debtors, params=params, days=days, seed=seed, tone=tone)
        tally = run.run()
    violations = run.audit.violations()
    result = {
        "recovered": float(tally.recovered.quantize(Decimal("0.01"))),
        "recovered_share": round(float(tally.recovered / tally.placed), 4) if tally.placed else 0.0,
        "contacts_per_case": round(tally.contacts / cases, 3),
        "complaints": tally.complaints,
        "disputes": tally.disputes,
        "rule_violations": sum(violations.values()),
        "cost": round(tally.cost, 2),
        "detail": {
            "currency": "EUR (GBP and USD converted at fixed assumed rates)",
            "placed": float(tally.placed.quantize(Decimal("0.01"))),
            "contacts_by_channel": dict(sorted(tally.by_channel.items())),
            "violations_by_kind": violations,
            "blocked_by_the_rules": tally.blocked,
            "blocked_by_rule": dict(sorted(tally.blocked_by_rule.items())),
            "right_party_contacts": len(tally.right_party),
            "promises": tally.promises,
            "paying_cases": len(tally.payers),
            # With few paying cases the amounts recovered are noise: this interval says
            # how little a handful of payers tells.
            "paying_share_ci95": [round(x, 4) for x in wilson(len(tally.payers), cases)],
            # Each case's recovery in EUR, for the bootstrap interval of the ratio.
            "recovered_by_case": [
                float(tally.recovered_by_case.get(case_id, Decimal(0)))
                for case_id in sorted(run.debtor_of, key=lambda c: run.debtor_of[c].index)
            ],
            "opt_outs": tally.opt_outs,
            "cease_requests": tally.cease,
            "contacts_inconvenient_at_true_location": run.audit.inconvenient_true,
            "seconds": round(time.perf_counter() - started, 1),
        },
    }
    run.db.close()
    return result


def simulate(
    *,
    cases: int,
    days: int,
    seed: int,
    strategies: list[str],
    params: BehaviourParams | None = None,
    use_tone: bool = True,
    workers: int = 1,
) -> dict[str, Any]:
    """Run each strategy on the same simulated cases; one JSON-ready result.

    ``workers`` > 1 runs the strategies in that many processes at once (each its own
    in-memory database): the same figures, sooner on a machine with free cores."""
    params = params or BehaviourParams()
    jobs = [(name, cases, days, seed, params, use_tone) for name in strategies]
    if workers > 1 and len(strategies) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(strategies))) as pool:
            results = list(pool.map(_run_one, *zip(*jobs, strict=True)))
    else:
        results = [_run_one(*job) for job in jobs]
    out = dict(zip(strategies, results, strict=True))
    comparison = compare(out)
    for result in out.values():
        # Kept for the comparison only: 500 numbers per strategy are not for reading.
        result["detail"].pop("recovered_by_case")
    return {
        "strategies": out,
        "cases": cases,
        "days": days,
        "seed": seed,
        "target": target(out),
        "comparison": comparison,
    }
