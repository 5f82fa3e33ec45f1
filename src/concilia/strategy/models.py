"""Strategy tables: which strategy a case follows, what it decided, and what came of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class StrategyAssignment(Base):
    """The strategy a case follows; drawn at random for a champion/challenger experiment."""

    __tablename__ = "strategy_assignments"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), unique=True)
    strategy: Mapped[str] = mapped_column(String(60))
    # "champion", "challenger" or "fixed" (set by a person, outside any experiment).
    arm: Mapped[str] = mapped_column(String(12))
    experiment: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_by: Mapped[str] = mapped_column(String(200))


class StrategyAction(Base):
    """One step the scheduler took (or skipped) for a case, with its plain-words reason.

    The sequence position of a case is read from these rows: a step is done once it has a
    row, whatever its status, so a blocked message is never retried in a loop.
    """

    __tablename__ = "strategy_actions"
    __table_args__ = (UniqueConstraint("case_id", "strategy", "segment", "step"),)

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    strategy: Mapped[str] = mapped_column(String(60))
    segment: Mapped[str] = mapped_column(String(60))
    step: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # send | call | escalate | skip
    channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    template: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # queued | waiting | blocked | review | skipped | to_agent | called
    status: Mapped[str] = mapped_column(String(12))
    outbox_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    # The rules that fired: [{rule, category, severity}, ...]
    rules: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StrategyOutcome(Base):
    """Something that happened on a case, credited to the strategy it followed then."""

    __tablename__ = "strategy_outcomes"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    strategy: Mapped[str] = mapped_column(String(60), index=True)
    # right_party_contact | promise | payment | complaint | dispute
    kind: Mapped[str] = mapped_column(String(24))
    # Minor units (cents), as portfolio stores money: no float, no decimal type on SQLite.
    amount_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class NextAction(Base):
    """The latest next best action of a case with its full explanation (the worklist holds
    the score and a short reason; the case page shows this)."""

    __tablename__ = "strategy_next_actions"

    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), primary_key=True)
    strategy: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    priority: Mapped[float | None] = mapped_column(Float, nullable=True)
    explanation: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
