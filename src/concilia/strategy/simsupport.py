"""The simulator's support: costs, the tally of a run, the simulated transports, the set-up
of a run's environment, and the issue's target."""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from concilia.outreach import letter
from concilia.outreach.channels import InboundMessage, OutgoingMessage, SendResult
from concilia.portfolio.columns import COLUMNS
from concilia.simulate.behaviour import Debtor

ACTOR = "sim:agent"
# Assumption: fixed conversion to report one amount (approximate 2025 rates).
TO_EUR = {"EUR": Decimal("1"), "GBP": Decimal("1.17"), "USD": Decimal("0.92")}
# Assumption: the agency's cost of each contact, in EUR (no source: print and postage of a
# letter, SMS and e-mail provider prices, three minutes of an agent per call attempt and ten
# per conversation, a specialist's twenty).
COST = {
    "letter": 1.20,
    "email": 0.01,
    "sms": 0.06,
    "social_dm": 0.05,
    "call": 1.50,
    "conversation": 5.00,
    "specialist": 10.00,
    "review": 3.00,
}


@dataclass
class Tally:
    """One strategy's run."""

    recovered: Decimal = Decimal(0)
    placed: Decimal = Decimal(0)
    contacts: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    complaints: int = 0
    disputes: int = 0
    cost: float = 0.0
    right_party: set[int] = field(default_factory=set)
    promises: int = 0
    payers: set[int] = field(default_factory=set)
    recovered_by_case: dict[int, Decimal] = field(default_factory=dict)
    blocked: int = 0
    blocked_by_rule: dict[str, int] = field(default_factory=dict)
    opt_outs: int = 0
    cease: int = 0

    def block(self, rules: list[str]) -> None:
        self.blocked += 1
        for rule in rules:
            self.blocked_by_rule[rule] = self.blocked_by_rule.get(rule, 0) + 1

    def contact(self, channel: str) -> None:
        self.contacts += 1
        self.by_channel[channel] = self.by_channel.get(channel, 0) + 1
        self.cost += COST.get(channel, 0.0)


class SimChannel:
    """A transport whose far end is a simulated person: it records what was sent and hands
    the person's replies back to the outbox's real reply intake."""

    def __init__(self, name: str, on_send: Callable[[OutgoingMessage, str], None]) -> None:
        self.name = name
        self._on_send = on_send
        self._ids = itertools.count(1)
        self.inbox: list[InboundMessage] = []

    def send(self, message: OutgoingMessage) -> SendResult:
        provider_id = f"{self.name}-{next(self._ids)}"
        self._on_send(message, provider_id)
        return SendResult(status="delivered", provider_id=provider_id)

    def status(self, provider_id: str) -> None:
        return None

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        out, self.inbox = self.inbox, []
        return out


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    case_id: int = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)


def placed_csv(debtors: list[Debtor]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for d in debtors:
        row = dict(d.rows[0])
        # The agency works active accounts: settled or written-off ones are not placed.
        row["status"] = "active"
        writer.writerow([row[c] for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


@contextmanager
def no_letter_pdf() -> Iterator[None]:
    """The outbox renders each letter's PDF before handing it to its channel (about a second
    a letter); the simulated post office never reads it. Only the PDF is skipped: the letter
    is judged, sent, logged and counted exactly as the outbox does."""
    original = letter.render_pdf
    letter.render_pdf = lambda *args, **kwargs: b""
    try:
        yield
    finally:
        letter.render_pdf = original


@contextmanager
def agency_named() -> Iterator[None]:
    """A deployment states its agency's name and address (CONCILIA_OUTREACH_AGENCY_*), which
    French first letters must carry; the simulated agency has them unless set already."""
    values = {
        "CONCILIA_OUTREACH_AGENCY_NAME": "Concilia Recovery",
        "CONCILIA_OUTREACH_AGENCY_ADDRESS": "1 Example Street, 75002 Paris",
    }
    saved = {k: os.environ.get(k) for k in values}
    for k, v in values.items():
        os.environ.setdefault(k, v)
    try:
        yield
    finally:
        for k, old in saved.items():
            if old is None:
                os.environ.pop(k, None)


def target(results: dict[str, Any]) -> dict[str, Any] | None:
    """The issue's target: default recovers >= 1.2x letters-and-calls with fewer contacts per
    case, no more complaints and zero rule violations."""
    if "default" not in results or "letters-and-calls" not in results:
        return None
    a, b = results["default"], results["letters-and-calls"]
    ratio = a["recovered"] / b["recovered"] if b["recovered"] else None
    checks = {
        "recovery_ratio": round(ratio, 3) if ratio is not None else None,
        "recovers_1_2x": ratio is not None and ratio >= 1.2,
        "fewer_contacts": a["contacts_per_case"] < b["contacts_per_case"],
        "no_more_complaints": a["complaints"] <= b["complaints"],
        "zero_violations": a["rule_violations"] == 0 and b["rule_violations"] == 0,
    }
    checks["met"] = all(
        checks[k]
        for k in ("recovers_1_2x", "fewer_contacts", "no_more_complaints", "zero_violations")
    )
    ci_a = a.get("detail", {}).get("paying_share_ci95")
    ci_b = b.get("detail", {}).get("paying_share_ci95")
    if ci_a and ci_b:
        # Overlapping intervals of the share of paying cases: the recovery ratio may be luck.
        checks["paying_share_intervals_overlap"] = ci_a[0] <= ci_b[1] and ci_b[0] <= ci_a[1]
    return checks
