"""Signals tables: what was read in a case's public posts, and the suggestion drawn from it.

Never a post's text: an event row keeps the event type, confidence, the post's id and date,
the cue words (none for a special-category post) and the names it mentions (idem). A
possible vulnerability is stored as the event type ``vulnerability_possible``, without
saying whether it was an illness, a bereavement or money trouble.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class SignalRun(Base):
    """One pass of ``signals run``: how many posts were read, and why others were not."""

    __tablename__ = "signals_runs"

    id: Mapped[IdPk]
    actor: Mapped[str] = mapped_column(String(200))
    model_key: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cases: Mapped[int] = mapped_column(Integer, default=0)
    posts_read: Mapped[int] = mapped_column(Integer, default=0)
    skipped_language: Mapped[int] = mapped_column(Integer, default=0)
    skipped_terms: Mapped[int] = mapped_column(Integer, default=0)
    skipped_redacted: Mapped[int] = mapped_column(Integer, default=0)
    special_category: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)


class SignalEvent(Base):
    """A life event read in one post of a profile accepted for the case's debtor."""

    __tablename__ = "signals_events"
    __table_args__ = (UniqueConstraint("case_id", "post_id"),)

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    run_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("signals_runs.id"), index=True)
    # The sources domain's post id: a reference, not a copy (the text stays there or is gone).
    post_id: Mapped[int] = mapped_column(BigIntId, index=True)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_type: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    lang: Mapped[str] = mapped_column(String(5))
    cues: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Employer and place names mentioned: candidate evidence for tracing, to be reviewed.
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    special_category: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignalAssessment(Base):
    """Ability-to-pay band and approach for a case: a suggestion for an agent (GDPR art. 22).

    ``evidence`` lists the events behind the band with each one's contribution; the
    contributions add up to ``score``. An agent accepts or rejects the suggestion.
    """

    __tablename__ = "signals_assessments"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), unique=True)
    run_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("signals_runs.id"), index=True)
    band: Mapped[str] = mapped_column(String(10))
    approach: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    vulnerability_possible: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime)
    posts_read: Mapped[int] = mapped_column(Integer, default=0)
    posts_skipped: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="suggested")
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VulnerabilityRecord(Base):
    """What a debtor told the agency directly (chat, reply, dispute) that reveals a special
    category: kept only with the person's explicit consent, encrypted, readable by a compliance
    officer only. Agents see the case's ``vulnerability_possible`` flag, never this row's detail;
    withdrawing consent erases the detail and keeps the fact that there was one."""

    __tablename__ = "signals_vulnerability_records"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    # AES-GCM token of {"text": ..., "categories": [...]}; None once consent is withdrawn.
    detail_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Which consent wording the person accepted (its identifier and version), and when.
    consent_statement: Mapped[str] = mapped_column(String(100))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
