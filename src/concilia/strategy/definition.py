"""Strategies as data: YAML files of segments and steps, refused at load with file, line, reason.

A strategy lists segments; the first segment whose ``when`` matches a case applies, and its
steps are taken in order (channel, template, wait, conditions, escalation to a person). The
law is not a strategy's choice: disputes, cease requests, insolvency and vulnerability are
handled by the engine for every strategy (see :mod:`concilia.strategy.engine`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from concilia.yaml_lines import line_of

STRATEGIES_DIR = Path(__file__).parent / "strategies"

Channel = Literal["email", "sms", "social_dm", "letter", "call"]
# A send step's channel may also be ``digital``: the written digital channel on which the
# person's identity is verified (their preferred one first, then text, e-mail, social
# message). A person who confirmed who they are by text then hears about the debt by text,
# not on an e-mail they never answered.
SendChannel = Literal["email", "sms", "social_dm", "letter", "call", "digital"]
Template = Literal[
    "identity_request",
    "first_contact",
    "reminder",
    "plan_proposal",
    "first_letter",
]
Ability = Literal["low", "medium", "high", "unknown"]
# What a step may require of the case before it is taken; an unmet condition skips the step.
Condition = Literal[
    "verified",  # the person's identity is verified on this step's channel
    "not_verified",  # ... not yet (e.g. an identity request is pointless once verified)
    "no_reply",  # no reply or conversation since the sequence started
    "replied",  # the person answered at least once
    "no_promise",  # no pending promise to pay
    "verified_anywhere",  # the identity is verified on at least one digital channel
    "not_verified_anywhere",  # ... on none yet (asking again on another channel is useful)
]


class StrategyError(ValueError):
    """A strategy file that cannot be used: where and why."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line if line is not None else '?'}: {reason}")


class When(BaseModel):
    """Which cases a segment takes; every given test must hold (an empty one takes all)."""

    model_config = ConfigDict(extra="forbid")
    min_balance: float | None = Field(default=None, ge=0)
    max_balance: float | None = Field(default=None, ge=0)
    min_age_days: int | None = Field(default=None, ge=0)
    max_age_days: int | None = Field(default=None, ge=0)
    ability: list[Ability] | None = None
    # At least one of these channels has a known address (contactability).
    reachable_by: list[Channel] | None = None
    jurisdiction: list[Literal["FR", "ES", "UK", "US"]] | None = None

    @model_validator(mode="after")
    def _ranges(self) -> When:
        if (
            self.min_balance is not None
            and self.max_balance is not None
            and self.min_balance > self.max_balance
        ):
            raise ValueError("min_balance is above max_balance")
        if (
            self.min_age_days is not None
            and self.max_age_days is not None
            and self.min_age_days > self.max_age_days
        ):
            raise ValueError("min_age_days is above max_age_days")
        return self


class Step(BaseModel):
    """One step: send a message, have an agent call, or hand the case to a person."""

    model_config = ConfigDict(extra="forbid")
    do: Literal["send", "call", "escalate"]
    channel: SendChannel | None = None
    template: Template | None = None
    # Days to wait after the previous step (or after the case entered the sequence).
    after_days: int = Field(default=0, ge=0, le=365)
    only_if: list[Condition] = []
    # Respectful timing: the local hours this strategy chooses, inside what the law allows
    # (the rules still check the law's own hours in every zone the person may be in).
    hours: tuple[int, int] = (9, 19)
    to: Literal["agent", "specialist"] | None = None
    why: str = Field(min_length=3, max_length=300)

    @model_validator(mode="after")
    def _shape(self) -> Step:
        start, end = self.hours
        if not 0 <= start < end <= 24:
            raise ValueError("hours must be [start, end] with 0 <= start < end <= 24")
        if self.do == "send":
            if self.channel is None or self.channel == "call":
                raise ValueError(
                    "a send step needs a written channel (email, sms, social_dm, letter, digital)"
                )
            if self.template is None:
                raise ValueError("a send step needs a template")
            if self.channel == "digital" and self.template == "identity_request":
                raise ValueError(
                    "channel digital is the channel where the identity is verified: an "
                    "identity request names its channel"
                )
        elif self.do == "call":
            if self.channel not in (None, "call"):
                raise ValueError("a call step's channel is call")
            self.channel = "call"
        else:
            if self.to is None:
                raise ValueError("an escalate step says to whom: agent or specialist")
            if self.channel is not None or self.template is not None:
                raise ValueError("an escalate step has no channel or template")
        if self.do != "escalate" and self.to is not None:
            raise ValueError("only an escalate step has 'to'")
        return self


class Segment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    why: str = Field(min_length=3, max_length=300)
    when: When = When()
    steps: list[Step] = Field(min_length=1)


class Strategy(BaseModel):
    """A whole strategy as its file states it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{0,59}$")
    title: str = Field(min_length=3, max_length=120)
    description: str = ""
    # Cost assumptions of the channels a step uses live in the simulator, not here: a
    # strategy says what to do, never how its results are scored.
    segments: list[Segment] = Field(min_length=1)

    def problem(self) -> tuple[tuple[int | str, ...], str] | None:
        """The first whole-strategy problem (where, why), or None."""
        seen: set[str] = set()
        for index, segment in enumerate(self.segments):
            if segment.name in seen:
                return ("segments", index, "name"), f"segment {segment.name!r} is defined twice"
            seen.add(segment.name)
        last = len(self.segments) - 1
        if self.segments[last].when.model_dump(exclude_none=True):
            return (
                ("segments", last, "when"),
                "the last segment must take every case (no 'when'), so no case is left "
                "without a plan",
            )
        return None

    def segment(self, name: str) -> Segment:
        """The segment with this name (KeyError otherwise)."""
        for s in self.segments:
            if s.name == name:
                return s
        raise KeyError(name)


def _duplicate_key(node: yaml.Node | None) -> tuple[str, int] | None:
    """The first key written twice in one mapping (YAML would keep the last one silently)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                return str(key.value), key.start_mark.line + 1
            seen.add(key.value)
            found = _duplicate_key(value)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _duplicate_key(item)
            if found:
                return found
    return None


def parse(text: str, file: str = "<strategy>") -> Strategy:
    """Validate a strategy's YAML text; StrategyError names the line of the first problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise StrategyError(
            file, mark.line + 1 if mark else None, f"YAML syntax: {exc.problem}"
        ) from None
    if not isinstance(data, dict):
        raise StrategyError(file, 1, "a strategy is a mapping with name, title and segments")
    duplicate = _duplicate_key(root)
    if duplicate:
        raise StrategyError(file, duplicate[1], f"duplicate key {duplicate[0]!r}")
    try:
        strategy = Strategy.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc) or "(strategy)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise StrategyError(file, line_of(root, loc), f"{where}: {msg}") from None
    problem = strategy.problem()
    if problem is not None:
        loc, reason = problem
        where = ".".join(str(p) for p in loc)
        raise StrategyError(file, line_of(root, loc), f"{where}: {reason}")
    return strategy


def load(path: Path) -> Strategy:
    """Read and validate one strategy file; its name must match the file's."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StrategyError(str(path), None, f"cannot read: {exc}") from None
    strategy = parse(text, str(path))
    if strategy.name != path.stem:
        raise StrategyError(
            str(path), 1, f"name {strategy.name!r} differs from the file name {path.stem!r}"
        )
    return strategy


@lru_cache(maxsize=1)
def _shipped() -> dict[str, Strategy]:
    return {p.stem: load(p) for p in sorted(STRATEGIES_DIR.glob("*.yaml"))}


def available(directory: Path | None = None) -> dict[str, Strategy]:
    """Every strategy of a directory (default: the shipped ones) by name."""
    if directory is None:
        return dict(_shipped())
    return {p.stem: load(p) for p in sorted(directory.glob("*.yaml"))}


def get(name: str, directory: Path | None = None) -> Strategy:
    """One strategy by name; StrategyError naming the known ones otherwise."""
    known = available(directory)
    if name not in known:
        raise StrategyError(
            name, None, f"unknown strategy {name!r} (known: {', '.join(sorted(known)) or 'none'})"
        )
    return known[name]
