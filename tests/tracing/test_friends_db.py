"""Friends' places read from the database: the edges the sources domain holds, counted per
city for each profile a trace run reads (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session

from concilia.tracing import inputs, places, prepare
from tests.tracing_whereabouts.world import build


def test_a_database_run_counts_where_each_profiles_friends_live(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build(db_session, tmp_path)
    _, profiles_raw = inputs.from_database(db_session=db_session, portfolio=None)
    edges = inputs.friends_from_database(
        db_session=db_session, profile_ids=profiles_raw["profile_id"].tolist()
    )
    summaries = dict(
        zip(profiles_raw["profile_id"], places.friend_places(profiles_raw, edges), strict=True)
    )

    # Eleven friends, ten of them stating a city: six in Lyon, two in Villeurbanne, two in
    # Paris.
    ego = summaries[str(ids["ego001"])]
    assert places.parse_friend_places(ego) == (
        10,
        [("lyon", "FR", 6), ("paris", "FR", 2), ("villeurbanne", "FR", 2)],
    )
    # A friend who states no city is still placed by their own friends (three in Lyon and
    # the ego in Villeurbanne), seen in either direction of the edges.
    quiet = summaries[str(ids["frd010"])]
    assert places.parse_friend_places(quiet) == (
        4,
        [("lyon", "FR", 3), ("villeurbanne", "FR", 1)],
    )
    # Counts per city only: a total, then 'city/country=count' items; no friend's name,
    # handle or id.
    for summary in (s for s in summaries.values() if s):
        head, *items = summary.split("|")
        assert head.isdigit()
        assert all(re.fullmatch(r"[a-z0-9 ]+/[A-Z]{0,2}=\d+", item) for item in items), summary
        assert "zorglub" not in summary and "quixote" not in summary

    # The prepared profile compares those places with a debtor's city.
    prepared = prepare.prepare_profiles(
        profiles_raw.assign(friend_places=[summaries[p] for p in profiles_raw["profile_id"]])
    ).set_index("unique_id")
    row = prepared.loc[str(ids["ego001"])]
    assert list(row.friends_many) == ["lyon"]
    assert row.friends_n == 10


def test_a_database_run_keeps_the_picture_for_twins(db_session: Session, tmp_path: Path) -> None:
    build(db_session, tmp_path)
    _, profiles_raw = inputs.from_database(db_session=db_session, portfolio=None)
    # The twin pass needs the picture's hash; it used to be dropped on the database path.
    assert "photo_hash" in profiles_raw.columns
