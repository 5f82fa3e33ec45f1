"""Candidates written by a trace run: the rows a chunk stores (what each quotes of its
profile, its compact explanation, both fingerprints), the set-based upsert that keeps agents'
decisions unless a record changed, and the run-wide competition pass at the end.

The same SQL runs on SQLite and PostgreSQL; on PostgreSQL rows go through COPY into a
temporary table first, its fastest bulk path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.tracing import explain, linkage, scoring
from concilia.tracing.models import MatchCandidate


class ProfileQuotes:
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


# Columns written per candidate, in the order of the rows candidate_rows builds.
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


def candidate_rows(
    scored: pd.DataFrame, profiles: ProfileQuotes, debtor_fp: dict[str, str]
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


def store_chunk(s: Session, portfolio: str, run_id: int, rows: list[tuple[Any, ...]]) -> int:
    """Insert new pairs, refresh proposed ones, keep decisions unless a record changed.

    One set-based upsert per chunk (ON CONFLICT ... DO UPDATE ... WHERE, on SQLite and
    PostgreSQL alike): a decided pair is left alone while both fingerprints are unchanged,
    and proposed again, decision cleared, when either record moved.
    """
    if not rows:
        return 0
    conn = s.connection()
    now = _timestamp(s, utcnow())
    head = (portfolio, run_id, "proposed", now, now)
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


def resolve(s: Session, portfolio: str, options: linkage.LinkageOptions, run_id: int) -> int:
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
        ).where(table.c.portfolio == portfolio, table.c.run_id == run_id)
    )
    frame = pd.DataFrame(
        result.fetchall(),
        columns=["id", "debtor_id", "profile_id", "network_r", "match_weight", "old_final"],
    )
    if frame.empty:
        return 0
    resolved = scoring.resolve_competition(
        frame,
        one_per_network=options.one_per_network,
        second_account_share=options.second_account_share,
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
