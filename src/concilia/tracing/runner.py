"""Batch trace runs: normalise, block, train, score by chunk of debtors, store candidates.

Each chunk's candidates and its checkpoint row are committed in ONE transaction, so a run
killed at any instant leaves whole chunks only; started again with the same inputs it
resumes the same run (same model) and skips the chunks already done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from concilia.audit import service as audit_service
from concilia.db import session_scope, utcnow
from concilia.tracing import explain, inputs, linkage, prepare
from concilia.tracing import settings as st
from concilia.tracing.models import MatchCandidate, TraceChunk, TraceRun

Progress = Callable[[str, int, int], None]


@dataclass
class RunConfig:
    portfolio: str
    engine: linkage.Engine = "duckdb"
    chunk_size: int = 5000
    review_threshold: float = 0.9
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
    secs: dict[str, float] = {}
    t0 = time.perf_counter()
    debtors_raw = debtors_raw.sort_values("debtor_id", kind="stable").reset_index(drop=True)
    debtor_fps = inputs.row_fingerprints(debtors_raw, inputs.DEBTOR_FIELDS)
    profile_fps = inputs.row_fingerprints(profiles_raw, inputs.PROFILE_FIELDS)
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
    secs["normalise"] = time.perf_counter() - t0

    t = time.perf_counter()
    blocker = linkage.Blocker(profiles, config.options)
    secs["index"] = time.perf_counter() - t

    if model is None:
        t = time.perf_counter()
        progress("train", 0, 1)
        model = linkage.train(debtors, profiles, blocker, options=config.options, labels=labels)
        with session_scope(session_factory) as s:
            s.execute(update(TraceRun).where(TraceRun.id == run_id).values(model=model))
        progress("train", 1, 1)
        secs["train"] = time.perf_counter() - t

    labels_by_level = st.level_labels(model)
    snapshots = _profile_snapshots(profiles_raw, profile_fps)
    debtor_fp = dict(zip(debtors_raw["debtor_id"].astype(str), debtor_fps, strict=True))
    pairs_total = 0
    written = 0
    now_done = 0
    timing = {"block": 0.0, "score": 0.0, "store": 0.0}
    for index in range(n_chunks):
        progress("score", index, n_chunks)
        if index in done:
            continue
        chunk = debtors.iloc[index * config.chunk_size : (index + 1) * config.chunk_size]
        t = time.perf_counter()
        pairs = blocker.pairs(chunk)
        timing["block"] += time.perf_counter() - t
        t = time.perf_counter()
        scored = linkage.score(
            chunk,
            profiles,
            pairs,
            model,
            engine=config.engine,
            spark=config.spark,
            keep_below=config.store_threshold,
        )
        timing["score"] += time.perf_counter() - t
        t = time.perf_counter()
        rows = _candidate_rows(scored, model, labels_by_level, snapshots, debtor_fp)
        with session_scope(session_factory) as s:
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
        timing["store"] += time.perf_counter() - t
        pairs_total += len(pairs)
        now_done += 1
    progress("score", n_chunks, n_chunks)
    blocker.close()
    secs.update(timing)

    t = time.perf_counter()
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
    secs["resolve"] = time.perf_counter() - t
    return RunResult(run_id, secs, pairs_total, written, now_done)


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


def _profile_snapshots(raw: pd.DataFrame, fps: list[str]) -> dict[str, dict[str, Any]]:
    cols = [
        c
        for c in (
            "network",
            "city",
            "country",
            "employer",
            "handle",
            "url",
            "captured_at",
            "source",
        )
        if c in raw.columns
    ]
    out: dict[str, dict[str, Any]] = {}
    for pid, fp, values in zip(
        raw["profile_id"].astype(str),
        fps,
        raw[cols].itertuples(index=False, name=None),
        strict=True,
    ):
        snap = {
            c: (None if isinstance(v, float) and v != v else v)
            for c, v in zip(cols, values, strict=True)
        }
        snap["fingerprint"] = fp
        out[pid] = snap
    return out


def _candidate_rows(
    scored: pd.DataFrame,
    model: dict[str, Any],
    labels: dict[str, dict[int, str]],
    snapshots: dict[str, dict[str, Any]],
    debtor_fp: dict[str, str],
) -> list[dict[str, Any]]:
    if scored.empty:
        return []
    rows = []
    for rec in scored.to_dict("records"):
        pid = str(rec["profile_id"])
        did = str(rec["debtor_id"])
        snap = snapshots[pid]
        rows.append(
            {
                "debtor_key": did,
                "profile_key": pid,
                "network": rec.get("network_r"),
                "match_weight": float(rec["match_weight"]),
                "final_weight": float(rec["match_weight"]),
                "probability": float(rec["match_probability"]),
                "explanation": explain.lines(rec, model, labels),
                "profile_snapshot": {k: v for k, v in snap.items() if k != "fingerprint"},
                "debtor_fingerprint": debtor_fp[did],
                "profile_fingerprint": snap["fingerprint"],
            }
        )
    return rows


def _store_chunk(s: Session, config: RunConfig, run_id: int, rows: list[dict[str, Any]]) -> int:
    """Insert new pairs, refresh proposed ones, keep decisions unless a record changed."""
    if not rows:
        return 0
    keys = sorted({r["debtor_key"] for r in rows})
    existing: dict[tuple[str, str], MatchCandidate] = {}
    for start in range(0, len(keys), 500):
        for cand in s.scalars(
            select(MatchCandidate).where(
                MatchCandidate.portfolio == config.portfolio,
                MatchCandidate.debtor_key.in_(keys[start : start + 500]),
            )
        ):
            existing[(cand.debtor_key, cand.profile_key)] = cand
    now = utcnow()
    fresh = []
    for r in rows:
        old = existing.get((r["debtor_key"], r["profile_key"]))
        if old is None:
            fresh.append(
                {
                    **r,
                    "portfolio": config.portfolio,
                    "run_id": run_id,
                    "status": "proposed",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            continue
        changed = (
            old.debtor_fingerprint != r["debtor_fingerprint"]
            or old.profile_fingerprint != r["profile_fingerprint"]
        )
        if old.status != "proposed" and not changed:
            continue  # a decided pair stays decided while neither record moves
        for k, v in r.items():
            setattr(old, k, v)
        old.run_id = run_id
        old.updated_at = now
        if old.status != "proposed":
            old.status, old.decided_by, old.decided_at, old.reason = "proposed", None, None, None
    if fresh:
        s.execute(insert(MatchCandidate), fresh)
    return len(rows)


def _resolve(s: Session, config: RunConfig, run_id: int) -> None:
    """Share odds between candidates competing for one profile (or one network) across
    the whole run, then store final weights, probabilities and the explanation line."""
    rows = s.execute(
        select(
            MatchCandidate.id,
            MatchCandidate.debtor_key,
            MatchCandidate.profile_key,
            MatchCandidate.network,
            MatchCandidate.match_weight,
            MatchCandidate.final_weight,
        ).where(MatchCandidate.portfolio == config.portfolio, MatchCandidate.run_id == run_id)
    ).all()
    if not rows:
        return
    frame = pd.DataFrame(
        rows, columns=["id", "debtor_id", "profile_id", "network_r", "match_weight", "old_final"]
    )
    resolved = linkage.resolve_competition(frame, one_per_network=config.options.one_per_network)
    changed = resolved[(resolved["final_weight"] - resolved["old_final"]).abs() > 1e-9]
    if changed.empty:
        return
    explanations: dict[int, list[dict[str, Any]]] = dict(
        s.execute(
            select(MatchCandidate.id, MatchCandidate.explanation).where(
                MatchCandidate.portfolio == config.portfolio, MatchCandidate.run_id == run_id
            )
        ).all()
    )
    updates = []
    for rec in changed.itertuples(index=False):
        lines = [ln for ln in explanations[int(rec.id)] if ln["field"] != "competition"]
        comp = float(rec.competition_weight)
        if comp != 0.0:
            lines.append(explain.competition_line(comp))
        updates.append(
            {
                "id": int(rec.id),
                "explanation": lines,
                "final_weight": float(rec.final_weight),
                "probability": float(rec.final_probability),
            }
        )
    # ORM bulk UPDATE by primary key: one executemany instead of one round trip per row.
    s.execute(update(MatchCandidate), updates)
