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
from datetime import datetime
from typing import Any

import orjson
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from concilia.audit import service as audit_service
from concilia.db import session_scope, utcnow
from concilia.tracing import explain, inputs, linkage, prepare, scoring
from concilia.tracing.models import MatchCandidate, TraceChunk, TraceRun
from concilia.tracing.service import DEFAULT_REVIEW_THRESHOLD

Progress = Callable[[str, int, int], None]


@dataclass
class RunConfig:
    portfolio: str
    engine: linkage.Engine = "duckdb"
    chunk_size: int = 5000
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD
    # Pairs under this probability before the competition step are not stored at all.
    store_threshold: float = 0.5
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
    profile_info = _Profiles(profiles_raw, profile_fps)
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
        rows = _candidate_rows(scored, profile_info, debtor_fp)
        with session_scope(session_factory) as s:
            if rows:
                _extend_explain_model(s, run_id, model, explain.level_weights(scored))
            written += _store_chunk(s, config, run_id, rows)
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
        _resolve(s, config, run_id)
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


class _Profiles:
    """What candidates quote of their profile: the snapshot (provenance, city, employer,
    handle) and the fingerprint, looked up by profile id for a chunk's candidates only."""

    COLUMNS = ("network", "city", "country", "employer", "handle", "url", "captured_at", "source")

    def __init__(self, raw: pd.DataFrame, fps: list[str]) -> None:
        self.cols = [c for c in self.COLUMNS if c in raw.columns]
        frame = raw[self.cols].copy()
        frame["_fp"] = fps
        frame.index = pd.Index(raw["profile_id"].astype(str))
        self.frame = frame

    def lookup(self, pids: list[str]) -> tuple[list[str], list[str]]:
        """(snapshot as JSON text, fingerprint) of each profile id, in order."""
        sub = self.frame.loc[pids]
        columns = [
            [None if isinstance(v, float) and v != v else v for v in sub[c].tolist()]
            for c in self.cols
        ]
        snaps = [
            orjson.dumps(dict(zip(self.cols, values, strict=True)), default=str).decode()
            for values in zip(*columns, strict=True)
        ]
        return snaps, sub["_fp"].tolist()


# Columns written per candidate, in the order of the rows _candidate_rows builds.
_ROW_COLUMNS = (
    "debtor_key",
    "profile_key",
    "network",
    "match_weight",
    "final_weight",
    "probability",
    "explanation",
    "profile_snapshot",
    "debtor_fingerprint",
    "profile_fingerprint",
)


def _candidate_rows(
    scored: pd.DataFrame, profiles: _Profiles, debtor_fp: dict[str, str]
) -> list[tuple[Any, ...]]:
    """One tuple per scored pair (see _ROW_COLUMNS), built column-wise: the explanation is
    stored compact (explain.compact_rows) and rendered when read."""
    if scored.empty:
        return []
    dids = scored["debtor_id"].astype(str).tolist()
    pids = scored["profile_id"].astype(str).tolist()
    networks = (
        [None if _missing(v) else str(v) for v in scored["network_r"].tolist()]
        if "network_r" in scored.columns
        else [None] * len(scored)
    )
    weights = scored["match_weight"].astype("float64").tolist()
    probs = scored["match_probability"].astype("float64").tolist()
    compact = [orjson.dumps(c).decode() for c in explain.compact_rows(scored)]
    snaps, pfps = profiles.lookup(pids)
    dfps = [debtor_fp[d] for d in dids]
    return list(
        zip(dids, pids, networks, weights, weights, probs, compact, snaps, dfps, pfps, strict=True)
    )


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


_UPSERT_SET = """
    network = excluded.network, run_id = excluded.run_id,
    match_weight = excluded.match_weight, final_weight = excluded.final_weight,
    probability = excluded.probability, explanation = excluded.explanation,
    profile_snapshot = excluded.profile_snapshot,
    debtor_fingerprint = excluded.debtor_fingerprint,
    profile_fingerprint = excluded.profile_fingerprint,
    updated_at = excluded.updated_at,
    status = 'proposed', decided_by = NULL, decided_at = NULL, reason = NULL
WHERE tracing_candidates.status = 'proposed'
   OR tracing_candidates.debtor_fingerprint <> excluded.debtor_fingerprint
   OR tracing_candidates.profile_fingerprint <> excluded.profile_fingerprint
"""
_INSERT_COLUMNS = (
    "portfolio, run_id, status, created_at, updated_at, debtor_key, profile_key, network, "
    "match_weight, final_weight, probability, explanation, profile_snapshot, "
    "debtor_fingerprint, profile_fingerprint"
)
_CONFLICT = "ON CONFLICT (portfolio, debtor_key, profile_key) DO UPDATE SET"


def _timestamp(s: Session, value: datetime) -> Any:
    """A timestamp as SQLAlchemy would bind it on this connection (SQLite keeps text)."""
    conn = s.connection()
    proc = MatchCandidate.__table__.c.created_at.type.bind_processor(conn.dialect)
    return proc(value) if proc is not None else value


def _store_chunk(s: Session, config: RunConfig, run_id: int, rows: list[tuple[Any, ...]]) -> int:
    """Insert new pairs, refresh proposed ones, keep decisions unless a record changed.

    One set-based upsert per chunk (ON CONFLICT ... DO UPDATE ... WHERE, on SQLite and
    PostgreSQL alike): a decided pair is left alone while both fingerprints are unchanged,
    and proposed again, decision cleared, when either record moved.
    """
    if not rows:
        return 0
    conn = s.connection()
    now = _timestamp(s, utcnow())
    head = (config.portfolio, run_id, "proposed", now, now)
    if conn.dialect.name == "postgresql":
        _copy_stage(
            s,
            "_tracing_stage",
            "debtor_key text, profile_key text, network text, match_weight float8, "
            "final_weight float8, probability float8, explanation text, "
            "profile_snapshot text, debtor_fingerprint text, profile_fingerprint text",
            rows,
        )
        conn.exec_driver_sql(
            f"INSERT INTO tracing_candidates ({_INSERT_COLUMNS}) "
            "SELECT %s, %s, %s, %s, %s, debtor_key, profile_key, network, match_weight, "
            "final_weight, probability, CAST(explanation AS JSON), "
            "CAST(profile_snapshot AS JSON), debtor_fingerprint, profile_fingerprint "
            f"FROM _tracing_stage {_CONFLICT} {_UPSERT_SET}",
            head,
        )
    else:
        marks = ", ".join(["?"] * (len(head) + len(_ROW_COLUMNS)))
        conn.exec_driver_sql(
            f"INSERT INTO tracing_candidates ({_INSERT_COLUMNS}) VALUES ({marks}) "
            f"{_CONFLICT} {_UPSERT_SET}",
            [head + r for r in rows],
        )
    return len(rows)


def _copy_stage(s: Session, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY rows into an emptied temporary table (PostgreSQL's fastest bulk path)."""
    driver = s.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns})")
        cur.execute(f"TRUNCATE {table}")
        with cur.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _resolve(s: Session, config: RunConfig, run_id: int) -> int:
    """Share odds between candidates competing for one profile (or one network) across
    the whole run (scoring.resolve_competition, vectorised), then store the final weights
    and probabilities of the pairs it moved; the competition line is derived when read
    (final_weight - match_weight). Returns how many pairs moved."""
    conn = s.connection()
    table = MatchCandidate.__table__
    result = conn.execute(
        select(
            table.c.id,
            table.c.debtor_key,
            table.c.profile_key,
            table.c.network,
            table.c.match_weight,
            table.c.final_weight,
        ).where(table.c.portfolio == config.portfolio, table.c.run_id == run_id)
    )
    frame = pd.DataFrame(
        result.fetchall(),
        columns=["id", "debtor_id", "profile_id", "network_r", "match_weight", "old_final"],
    )
    if frame.empty:
        return 0
    resolved = scoring.resolve_competition(
        frame,
        one_per_network=config.options.one_per_network,
        second_account_share=config.options.second_account_share,
    )
    moved = (resolved["final_weight"] - resolved["old_final"]).abs() > explain.COMPETITION_EPSILON
    changed = resolved[moved]
    if changed.empty:
        return 0
    updates = list(
        zip(
            changed["final_weight"].astype("float64").tolist(),
            changed["final_probability"].astype("float64").tolist(),
            changed["id"].astype("int64").tolist(),
            strict=True,
        )
    )
    if conn.dialect.name == "postgresql":
        _copy_stage(
            s, "_tracing_resolved", "final_weight float8, probability float8, id bigint", updates
        )
        conn.exec_driver_sql(
            "UPDATE tracing_candidates AS c SET final_weight = r.final_weight, "
            "probability = r.probability FROM _tracing_resolved AS r WHERE c.id = r.id"
        )
    else:
        conn.exec_driver_sql(
            "UPDATE tracing_candidates SET final_weight = ?, probability = ? WHERE id = ?",
            updates,
        )
    return len(updates)
