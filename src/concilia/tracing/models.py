"""Tracing tables: runs and their chunk checkpoints, match candidates, evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class TraceRun(Base):
    """One batch linkage of a portfolio; holds the model it used so a resumed run scores
    its remaining chunks with the same parameters."""

    __tablename__ = "tracing_runs"

    id: Mapped[IdPk]
    portfolio: Mapped[str] = mapped_column(String(200), index=True)
    engine: Mapped[str] = mapped_column(String(10))
    inputs_fingerprint: Mapped[str] = mapped_column(String(64))
    chunk_size: Mapped[int] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer)
    model: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # What the run's compact explanations are rendered with (prior, each level's words and
    # weight): see explain.render. Extended chunk by chunk, in each chunk's transaction.
    explain_model: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="running")  # running | done
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TraceChunk(Base):
    """Checkpoint: written in the same transaction as the chunk's candidates."""

    __tablename__ = "tracing_chunks"
    __table_args__ = (UniqueConstraint("run_id", "chunk_index"),)

    id: Mapped[IdPk]
    run_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("tracing_runs.id"), index=True)
    chunk_index: Mapped[int] = mapped_column(Integer)
    pairs_compared: Mapped[int] = mapped_column(Integer)
    candidates_written: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MatchCandidate(Base):
    """A (debtor, public profile) pair proposed for review, with how sure and why.

    One row per pair across runs: a re-run updates it; a rejected pair keeps its status
    while both records' fingerprints are unchanged.
    """

    __tablename__ = "tracing_candidates"
    __table_args__ = (UniqueConstraint("portfolio", "debtor_key", "profile_key"),)

    id: Mapped[IdPk]
    portfolio: Mapped[str] = mapped_column(String(200), index=True)
    # Keys as the inputs give them (debtor id, source profile id), kept as text so the
    # engine does not depend on either domain's id type.
    debtor_key: Mapped[str] = mapped_column(String(100), index=True)
    profile_key: Mapped[str] = mapped_column(String(100), index=True)
    network: Mapped[str | None] = mapped_column(String(30), nullable=True)
    run_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("tracing_runs.id"), index=True)
    match_weight: Mapped[float] = mapped_column(Float)
    final_weight: Mapped[float] = mapped_column(Float)
    probability: Mapped[float] = mapped_column(Float)
    # Either the lines themselves or, as batch runs write it, the compact form (levels,
    # term-frequency adjustments, quoted values) rendered with the run's explain_model:
    # read it through ``tracing.service.explanation``.
    explanation_data: Mapped[Any] = mapped_column("explanation", JSON)
    # What the profile showed when scored (city, employer, handle, provenance): the
    # evidence an acceptance creates is taken from here.
    profile_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="proposed", index=True)
    debtor_fingerprint: Mapped[str] = mapped_column(String(64))
    profile_fingerprint: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Evidence(Base):
    """A fact about a debtor taken from an accepted profile, with its provenance."""

    __tablename__ = "tracing_evidence"

    id: Mapped[IdPk]
    candidate_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("tracing_candidates.id"), index=True
    )
    debtor_key: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # current_city | employer | contact_handle
    value: Mapped[str] = mapped_column(String(300))
    probability: Mapped[float] = mapped_column(Float)
    provenance: Mapped[dict[str, Any]] = mapped_column(JSON)
    accepted_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TracingPolicy(Base):
    """Per-portfolio thresholds: below ``review_threshold`` nothing is shown to agents."""

    __tablename__ = "tracing_policies"

    id: Mapped[IdPk]
    portfolio: Mapped[str] = mapped_column(String(200), unique=True)
    review_threshold: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
