"""Scoring chunk by chunk against profiles loaded once in DuckDB (what a batch run does)
gives the rows scoring against the pandas frame gives, and leaves nothing behind."""

from __future__ import annotations

import pandas as pd
import pytest

from concilia.tracing import scoring

from .conftest import Scored


def _key(df: pd.DataFrame) -> pd.DataFrame:
    cols = ["debtor_id", "profile_id", "match_weight", "gamma_city", "gamma_family_name"]
    return df[cols].sort_values(["debtor_id", "profile_id"]).reset_index(drop=True)


def test_profile_table_scores_the_same_rows_chunk_after_chunk(scored_world: Scored) -> None:
    w = scored_world
    direct = scoring.score(w.debtors, w.profiles, w.pairs, w.model, keep_below=0.0)
    table = scoring.ProfileTable(w.profiles)
    try:
        before = set(table.con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
        halves = [w.debtors.iloc[: len(w.debtors) // 2], w.debtors.iloc[len(w.debtors) // 2 :]]
        parts = []
        for chunk in halves:
            pairs = w.pairs[w.pairs.debtor_id.isin(chunk.unique_id)]
            parts.append(
                scoring.score(chunk, table, pairs, w.model, keep_below=0.0, stored_only=True)
            )
        after = set(table.con.execute("SELECT table_name FROM duckdb_tables()").fetchall())
        views = table.con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal")
        left_views = views.fetchall()
    finally:
        table.close()
    chunked = pd.concat(parts, ignore_index=True)
    assert len(direct) > 100
    pd.testing.assert_frame_equal(_key(chunked), _key(direct), check_dtype=False)
    # Only what a run stores comes back: no compared lists, but every quoted value.
    assert set(chunked.columns) == {c for c in direct.columns if scoring.stored_column(c)}
    assert "cells_l" in direct.columns and "cells_l" not in chunked.columns
    assert {"city_l", "city_r", "friends_summary_r", "network_r"} <= set(chunked.columns)
    # Splink's intermediate tables of each chunk are dropped: memory stays flat over a run.
    assert after == before
    assert left_views == []


def test_profile_table_holds_profiles_and_frequencies(scored_world: Scored) -> None:
    table = scoring.ProfileTable(scored_world.profiles.head(50))
    try:
        names = {
            n for (n,) in table.con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        assert scoring.ProfileTable.TABLE in names
        assert {f"__concilia_tf_{c}" for c in scoring.TF_COLUMNS} <= names
        tf = table.con.execute("SELECT sum(tf_given) FROM __concilia_tf_given").fetchone()
        assert tf is not None and tf[0] == pytest.approx(1.0)
    finally:
        table.close()


def test_profile_table_is_refused_by_the_spark_engine(scored_world: Scored) -> None:
    table = scoring.ProfileTable(scored_world.profiles.head(50))
    try:
        with pytest.raises(ValueError, match="DuckDB"):
            scoring.score(
                scored_world.debtors, table, scored_world.pairs, scored_world.model, engine="spark"
            )
    finally:
        table.close()
