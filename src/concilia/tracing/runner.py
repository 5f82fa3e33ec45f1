"""Batch trace runs: normalise, block, train, score by chunk of debtors, store candidates.

Each chunk's candidates and its checkpoint row are committed in ONE transaction, so a run
killed at any instant leaves whole chunks only; started again with the same inputs it
resumes the same run (same model) and skips the chunks already done.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from concilia.audit import service as audit_service
from concilia.db import session_scope, utcnow
from concilia.tracing import explain, inputs, linkage, prepare, scoring, store
from concilia.tracing.models import TraceChunk, TraceRun
from concilia.tracing.service import DEFAULT_REVIEW_THRESHOLD

Progress = Callable[[str, int, int], None]


@dataclass
class RunConfig:
    portfolio: str
    engine: linkage.Engine = "duckdb"
    chunk_size: int = 5000
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD
    # Pairs under this probability before the competition step are not stored at all: no
    # threshold a portfolio sets can show them. Low, because on data the model was not
    # built on (bench/tracing_outside.py) true pairs with two of four fields mistyped sit
    # at 0.2-0.5 above every false one.
    store_threshold: float = 0.2
    actor: str = "system"
    options: linkage.LinkageOptions = field(default_factory=linkage.LinkageOptions)
    spark: Any = None
    # A model trained earlier (e.g. on the same portfolio last week) skips training.
    model: dict[str, Any] | None = None


@dataclass
class RunResult:
    run_id: int
    seconds: dict[str, float]
    pairs_compared: int
    candidates: int
    chunks_done_now: int
    # CPU seconds of the whole process (DuckDB's threads included) per stage: on a shared
    # machine, wall time alone says as much about the neighbours as about the run.
    cpu_seconds: dict[str, float] = field(default_factory=dict)


class _Clock:
    """Wall and CPU seconds per stage, accumulated lap by lap."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, stage: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[stage] = self.wall.get(stage, 0.0) + wall - self._wall
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu - self._cpu
        self._wall, self._cpu = wall, cpu


def _noop(stage: str, done: int, total: int) -> None:
    return None


def run(
    *,
    session_factory: sessionmaker[Session],
    debtors_raw: pd.DataFrame,
    profiles_raw: pd.DataFrame,
    config: RunConfig,
    labels: pd.DataFrame | None = None,
    progress: Progress = _noop,
) -> RunResult:
    """Run (or resume) the linkage of a portfolio against imported profiles."""
    clock = _Clock()
    debtors_raw = debtors_raw.sort_values("debtor_id", kind="stable").reset_index(drop=True)
    debtor_fps = inputs.row_fingerprints(debtors_raw, inputs.DEBTOR_FIELDS)
    profile_fps = inputs.row_fingerprints(profiles_raw, inputs.PROFILE_COMPARED)
    fingerprint = inputs.inputs_fingerprint(
        [f"{i}:{f}" for i, f in zip(debtors_raw["debtor_id"], debtor_fps, strict=True)],
        [f"{i}:{f}" for i, f in zip(profiles_raw["profile_id"], profile_fps, strict=True)],
    )
    n_chunks = max(1, -(-len(debtors_raw) // config.chunk_size))
    run_id, model, done = _open_run(session_factory, config, fingerprint, n_chunks)
    if model is None and config.model is not None:
        model = config.model
        with session_scope(session_factory) as s:
            s.execute(update(TraceRun).where(TraceRun.id == run_id).values(model=model))

    progress("normalise", 0, 2)
    debtors = prepare.prepare_debtors(debtors_raw)
    progress("normalise", 1, 2)
    profiles = prepare.prepare_profiles(profiles_raw)
    progress("normalise", 2, 2)
    clock.lap("normalise")

    blocker = linkage.Blocker(profiles, config.options)
    # The profiles' keys now live in the blocker's index; a million Python lists of keys
    # would otherwise stay resident through scoring.
    del profiles["block_keys"]
    clock.lap("index")
    # The prepared frames live until the end: kept out of every later garbage collection,
    # so the per-chunk collection below only walks what the chunk made.
    gc.collect()
    gc.freeze()

    if model is None:
        progress("train", 0, 1)
        model = linkage.train(debtors, profiles, blocker, options=config.options, labels=labels)
        with session_scope(session_factory) as s:
            s.execute(update(TraceRun).where(TraceRun.id == run_id).values(model=model))
        progress("train", 1, 1)
        clock.lap("train")

    scored_against: pd.DataFrame | scoring.ProfileTable = profiles
    if config.engine == "duckdb":
        scored_against = scoring.ProfileTable(profiles)
        # Loaded in DuckDB, the prepared frame (the largest object of the run) is dropped
        # before scoring; out of the frozen generation first, so it can be collected.
        del profiles
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    clock.lap("index")
    profile_info = store.ProfileQuotes(profiles_raw, profile_fps)
    debtor_fp = dict(zip(debtors_raw["debtor_id"].astype(str), debtor_fps, strict=True))
    pairs_total = 0
    written = 0
    now_done = 0
    for index in range(n_chunks):
        progress("score", index, n_chunks)
        if index in done:
            continue
        chunk = debtors.iloc[index * config.chunk_size : (index + 1) * config.chunk_size]
        clock.lap("store")  # skipping done chunks and the snapshot index count as storage
        pairs = blocker.pairs(chunk)
        clock.lap("block")
        scored = scoring.score(
            chunk,
            scored_against,
            pairs,
            model,
            engine=config.engine,
            spark=config.spark,
            keep_below=config.store_threshold,
            stored_only=True,
        )
        clock.lap("score")
        rows = store.candidate_rows(scored, profile_info, debtor_fp)
        with session_scope(session_factory) as s:
            if rows:
                _extend_explain_model(s, run_id, model, explain.level_weights(scored))
            written += store.store_chunk(s, config.portfolio, run_id, rows)
            s.add(
                TraceChunk(
                    run_id=run_id,
                    chunk_index=index,
                    pairs_compared=len(pairs),
                    candidates_written=len(rows),
                    done_at=utcnow(),
                )
            )
        pairs_total += len(pairs)
        now_done += 1
        del pairs, scored, rows
        _release_memory()
        clock.lap("store")
    progress("score", n_chunks, n_chunks)
    blocker.close()
    if isinstance(scored_against, scoring.ProfileTable):
        scored_against.close()
    clock.lap("store")
    progress("resolve", 0, 1)
    with session_scope(session_factory) as s:
        store.resolve(s, config.portfolio, config.options, run_id)
        total_pairs = sum(
            s.scalars(select(TraceChunk.pairs_compared).where(TraceChunk.run_id == run_id)).all()
        )
        s.execute(
            update(TraceRun)
            .where(TraceRun.id == run_id)
            .values(status="done", finished_at=utcnow(), stats={"pairs_compared": total_pairs})
        )
        audit_service.record(
            db_session=s,
            actor=config.actor,
            action="tracing.run_finished",
            object_type="tracing_run",
            object_id=run_id,
            change={"portfolio": config.portfolio, "pairs_compared": total_pairs},
            detail={"chunks": n_chunks, "engine": config.engine},
        )
    progress("resolve", 1, 1)
    gc.unfreeze()
    clock.lap("resolve")
    return RunResult(run_id, clock.wall, pairs_total, written, now_done, clock.cpu)


def _release_memory() -> None:
    """Free what a chunk left behind before the next one.

    Splink's linkers and their DuckDB connections sit in reference cycles, which Python
    frees only at a full collection; glibc then keeps the freed pages unless asked, so
    without this the resident size grew by about 0.3 GiB per chunk (measured at 1M
    profiles)."""
    gc.collect()
    # Not glibc (no malloc_trim): the allocator keeps its own counsel.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _extend_explain_model(
    s: Session, run_id: int, model: dict[str, Any], weights: dict[str, dict[int, float]]
) -> None:
    """Add a chunk's level weights to the run's explanation model (same transaction as the
    chunk's candidates, so a resumed run never holds candidates it cannot explain)."""
    current = s.scalar(select(TraceRun.explain_model).where(TraceRun.id == run_id))
    merged = explain.merge_weights(current, weights)
    s.execute(
        update(TraceRun)
        .where(TraceRun.id == run_id)
        .values(explain_model=explain.explain_model(model, merged))
    )


def _open_run(
    factory: sessionmaker[Session], config: RunConfig, fingerprint: str, n_chunks: int
) -> tuple[int, dict[str, Any] | None, set[int]]:
    with session_scope(factory) as s:
        existing = s.scalars(
            select(TraceRun)
            .where(
                TraceRun.portfolio == config.portfolio,
                TraceRun.inputs_fingerprint == fingerprint,
                TraceRun.status == "running",
                TraceRun.chunk_size == config.chunk_size,
                TraceRun.engine == config.engine,
            )
            .order_by(TraceRun.id.desc())
        ).first()
        if existing is not None:
            done = set(
                s.scalars(
                    select(TraceChunk.chunk_index).where(TraceChunk.run_id == existing.id)
                ).all()
            )
            return existing.id, existing.model, done
        new = TraceRun(
            portfolio=config.portfolio,
            engine=config.engine,
            inputs_fingerprint=fingerprint,
            chunk_size=config.chunk_size,
            chunk_count=n_chunks,
            model=None,
            status="running",
            stats={},
            started_by=config.actor,
            started_at=utcnow(),
        )
        s.add(new)
        s.flush()
        audit_service.record(
            db_session=s,
            actor=config.actor,
            action="tracing.run_started",
            object_type="tracing_run",
            object_id=new.id,
            change={"portfolio": config.portfolio, "inputs": fingerprint},
            detail={"engine": config.engine, "chunks": n_chunks},
        )
        return new.id, None, set()
