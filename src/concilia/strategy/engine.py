"""Next best action: what to do next on a case, when, and why, in plain words.

Pure: it reads a case's facts, the strategy and the steps already taken, never the database.
The law comes first and is the same for every strategy; then the case's segment decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from concilia.strategy.definition import Step, Strategy
from concilia.strategy.segments import CLOSED_STAGES, CaseFacts, segment_of

# Kinds of action: a message the scheduler queues, a call an agent makes, a case a person
# takes over, a wait, or nothing at all.
SEND, CALL, ESCALATE, SPECIALIST, WAIT, PAUSE, NONE = (
    "send",
    "call",
    "escalate",
    "specialist",
    "wait",
    "pause",
    "none",
)
DIGITAL = ("email", "sms", "social_dm")
CHANNEL_WORDS = {
    "email": "an e-mail",
    "sms": "a text message",
    "social_dm": "a private social message",
    "letter": "a letter",
    "call": "a call",
}
# The order in which a ``digital`` step picks among the channels where the identity is
# verified, after the person's preferred one: a text is read most (behaviour.py's sources).
VERIFIED_ORDER = ("sms", "email", "social_dm")
# How likely a case of each accepted ability band is to pay, for ordering the worklist only
# (assumption: relative weights, not a forecast; the simulator measures the real effect).
PAY_WEIGHT = {"high": 0.5, "medium": 0.3, "unknown": 0.2, "low": 0.1}


@dataclass(frozen=True)
class Done:
    """A step already taken (or skipped) for the case, as the strategy's log records it."""

    segment: str
    step: int
    status: str
    channel: str | None
    at: datetime
    # rule categories that refused it (e.g. consent: the person refused the channel)
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skip:
    step: int
    reason: str


@dataclass(frozen=True)
class Action:
    """The next best action with its explanation and the worklist priority it gives."""

    kind: str
    explanation: str
    segment: str | None = None
    step: int | None = None
    channel: str | None = None
    template: str | None = None
    to: str | None = None
    at: datetime | None = None
    priority: float | None = None
    skipped: tuple[Skip, ...] = field(default_factory=tuple)

    @property
    def for_a_person(self) -> bool:
        return self.kind in (CALL, ESCALATE, SPECIALIST)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def slot(*, earliest: datetime, zone: str, hours: tuple[int, int]) -> datetime:
    """The first moment at or after ``earliest`` inside the local hours [start, end).

    Sundays are skipped: several jurisdictions forbid them and none requires them.
    """
    tz = _zone(zone)
    local = earliest.astimezone(tz)
    start, end = hours
    for _ in range(9):
        day = local.date()
        opens = datetime.combine(day, time(start), tz)
        closes = datetime.combine(day, time(0), tz) + timedelta(hours=end)
        if day.weekday() != 6:
            if local < opens:
                return opens.astimezone(UTC)
            # Leave a margin before closing: the message must still be inside the window
            # when the outbox or the agent gets to it.
            if local < closes - timedelta(minutes=30):
                return local.astimezone(UTC)
        local = datetime.combine(day + timedelta(days=1), time(0), tz)
    return earliest


def _hours(step: Step, f: CaseFacts) -> tuple[int, int]:
    if f.preferred_hours is None:
        return step.hours
    start, end = max(step.hours[0], f.preferred_hours[0]), min(step.hours[1], f.preferred_hours[1])
    # The person's hours win when they do not overlap the strategy's.
    return (start, end) if start < end else f.preferred_hours


def _verified_channel(f: CaseFacts, refused: set[str]) -> str | None:
    """The digital channel a ``digital`` step uses: where the identity is verified, the
    person's preferred channel first; None when there is none."""
    order = ((f.preferred_channel,) if f.preferred_channel else ()) + VERIFIED_ORDER
    for channel in order:
        if channel in f.verified and channel in f.addresses and channel not in refused:
            return channel
    return None


def _unmet(step: Step, channel: str | None, f: CaseFacts, refused: set[str]) -> str | None:
    """Why a step cannot be taken now, in words, or None."""
    if channel == "digital":
        return "the identity is not verified on any digital channel the person still accepts"
    if channel is not None and channel not in f.addresses:
        return f"no known address for {CHANNEL_WORDS[channel]}"
    if channel is not None and channel in refused:
        return f"the rules refused {CHANNEL_WORDS[channel]} before (opt-out or consent)"
    for cond in step.only_if:
        if cond == "verified" and channel not in f.verified:
            return "the person's identity is not verified on this channel yet"
        if cond == "not_verified" and channel in f.verified:
            return "the identity is already verified"
        if cond == "no_reply" and f.replied:
            return "the person already answered"
        if cond == "replied" and not f.replied:
            return "the person has not answered yet"
        if cond == "no_promise" and f.promise_due is not None:
            return "a promise to pay is pending"
        if cond == "verified_anywhere" and not f.verified:
            return "the person's identity is not verified on any channel yet"
        if cond == "not_verified_anywhere" and f.verified:
            return "the identity is already verified on another channel"
    return None


def _priority(kind: str, f: CaseFacts) -> float:
    """Higher first: work for a person before automated steps, larger expected value first."""
    value = float(f.balance) * PAY_WEIGHT.get(f.ability, 0.2)
    if kind == SPECIALIST:
        return 3_000_000 + value
    if kind in (CALL, ESCALATE):
        return 2_000_000 + value
    if kind == SEND:
        return 1_000_000 + value
    return value


def next_action(*, facts: CaseFacts, strategy: Strategy, done: list[Done], now: datetime) -> Action:
    """The next best action on a case under a strategy, with the reason in plain words."""
    f = facts
    if f.stage in CLOSED_STAGES:
        return Action(NONE, f"The case is {f.stage}: nothing more to do.")
    if f.deceased or f.bankrupt:
        why = "the debtor has died" if f.deceased else "the debtor is in insolvency proceedings"
        return Action(
            ESCALATE,
            f"A person handles this case: {why}; no automated contact.",
            to="specialist",
            at=now,
            priority=_priority(SPECIALIST, f),
        )
    if f.cease_contact:
        return Action(NONE, "The person asked us to stop contacting them: no contact.")
    if f.disputed_open:
        return Action(
            PAUSE, "Collection is paused: the person disputes the debt and has not had an answer."
        )
    if f.vulnerable:
        return Action(
            SPECIALIST,
            "A possible vulnerability was confirmed by a person: only a trained specialist "
            "contacts this debtor, never an automated message.",
            to="specialist",
            at=now,
            priority=_priority(SPECIALIST, f),
        )
    if f.promise_due is not None and f.promise_due >= now.date():
        return Action(
            WAIT,
            f"A promise to pay is due on {f.promise_due.isoformat()}: we wait for it.",
            at=datetime.combine(f.promise_due + timedelta(days=1), time(9), UTC),
            priority=_priority(WAIT, f),
        )
    segment = segment_of(strategy, f)
    mine = [d for d in done if d.segment == segment.name]
    start = max((d.step for d in mine), default=-1) + 1
    last_at = max((d.at for d in mine if d.status != "skipped"), default=None)
    refused = {d.channel for d in done if d.channel and "consent" in d.categories}
    skipped: list[Skip] = []
    head = f"Segment '{segment.name}' ({segment.why})"
    for index in range(start, len(segment.steps)):
        step = segment.steps[index]
        channel: str | None = step.channel
        note = ""
        if channel == "digital":
            channel = _verified_channel(f, refused) or "digital"
            if channel != "digital":
                note = f" (where the person confirmed who they are: {CHANNEL_WORDS[channel]})"
        elif (
            step.do == "send"
            and channel in DIGITAL
            and f.preferred_channel in DIGITAL
            and f.preferred_channel != channel
            and f.preferred_channel in f.addresses
        ):
            note = f" (the person prefers {CHANNEL_WORDS[f.preferred_channel]})"
            channel = f.preferred_channel
        reason = _unmet(step, channel, f, refused)
        if reason is not None:
            skipped.append(Skip(index, reason))
            continue
        # The first step taken opens the sequence at once; each later one waits its days
        # after the previous step taken (a moving "now" would never arrive).
        due = now if last_at is None else last_at + timedelta(days=step.after_days)
        at = slot(earliest=max(due, now), zone=f.time_zone, hours=_hours(step, f))
        total = len(segment.steps)
        what = (
            f"{step.why}: {CHANNEL_WORDS[channel]}"
            if step.do == "send" and channel
            else (step.why if step.do != "escalate" else f"{step.why} (to an {step.to})")
        )
        skipped_words = "".join(f" Step {s.step + 1} skipped: {s.reason}." for s in skipped)
        when = (
            "now"
            if at <= now
            else f"on {at.astimezone(_zone(f.time_zone)).strftime('%Y-%m-%d at %H:%M')} "
            f"the person's time"
        )
        kind = {"send": SEND, "call": CALL, "escalate": ESCALATE}[step.do]
        explanation = f"{head}: step {index + 1} of {total}, {what}{note}, {when}.{skipped_words}"
        return Action(
            kind,
            explanation,
            segment=segment.name,
            step=index,
            channel=channel,
            template=step.template,
            to=step.to,
            at=at,
            priority=_priority(kind, f) if at <= now else _priority(WAIT, f),
            skipped=tuple(skipped),
        )
    skipped_words = "".join(f" Step {s.step + 1} skipped: {s.reason}." for s in skipped)
    return Action(
        NONE,
        f"{head}: every step has been taken; nothing more is planned.{skipped_words}",
        segment=segment.name,
        skipped=tuple(skipped),
        priority=_priority(NONE, f),
    )


def today_of(now: datetime) -> date:
    """The scheduler's calendar day (UTC)."""
    return now.astimezone(UTC).date()
