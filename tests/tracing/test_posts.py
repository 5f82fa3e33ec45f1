"""The places a profile's public posts name: read from a file or the database, kept as city
names only, and weighed on the city line ("New life in Lyon" on a profile still stating
Marseille)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from concilia.errors import InvalidInput
from concilia.tracing import inputs, places, prepare, scoring
from concilia.tracing import settings as st
from concilia.tracing.cli import app as trace_app
from tests.tracing_whereabouts.world import build

from .conftest import Scored


def _jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    text = [ln if isinstance(ln, str) else orjson.dumps(ln).decode() for ln in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def _post(profile: str, text: str | None, at: str, **more: Any) -> dict[str, Any]:
    return {"external_id": f"{profile}-{at}", "profile_id": profile, "created_at": at,
            "text": text, **more}  # fmt: skip


def test_read_posts_keeps_public_posts_with_text(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "posts.jsonl",
        [
            _post("A", "New life in Lyon", "2026-05-01"),
            "",
            _post("A", "Off to Lisbon", "2026-06-01", visibility="public"),
            _post("A", "Moving to Leeds", "2026-07-01", visibility="friends"),
            _post("B", None, "2026-07-01"),  # a picture without a caption
            _post("B", "   ", "2026-07-02"),
        ],
    )
    posts = inputs.read_posts_jsonl(path)
    assert list(posts.columns) == ["profile_id", "posted_at", "text"]
    assert list(posts.text) == ["New life in Lyon", "Off to Lisbon"]


def test_read_posts_refuses_the_whole_file_on_a_bad_line(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "posts.jsonl",
        [_post("A", "New life in Lyon", "2026-05-01"), {"text": "Who wrote me?"}, "{oops"],
    )
    with pytest.raises(InvalidInput) as caught:
        inputs.read_posts_jsonl(path)
    problems = caught.value.problems
    assert [(p.file, p.row, p.field) for p in problems] == [
        (str(path), 2, "profile_id"),
        (str(path), 3, "-"),
    ]


def test_post_places_are_cities_only_latest_first() -> None:
    profiles = pd.DataFrame({"profile_id": ["A", "B", "C"]})
    posts = pd.DataFrame(
        {
            "profile_id": ["A", "A", "A", "B", "X"],
            "posted_at": ["2025-01-01", "2026-03-01", "2026-02-01", "2026-01-01", "2026-01-01"],
            "text": [
                "Goodbye Marseille, hello Lyon!",
                "Anyone up for drinks in Villeurbanne tonight?",
                "Back in Lyon, my new home",
                "What a lovely day, nothing planned",
                "New life in Nantes",  # a profile not read: ignored
            ],
        }
    )
    summaries = places.post_places(profiles, posts)
    assert summaries == ["villeurbanne/FR|lyon/FR|marseille/FR", None, None]
    assert places.post_cities(summaries[0]) == ["villeurbanne", "lyon", "marseille"]
    assert places.post_places(profiles, None) == [None, None, None]
    # What a rejected pair depends on: it comes back when the posts name another place.
    assert "post_places" in inputs.PROFILE_COMPARED


def test_cli_posts_needs_profiles(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "posts.jsonl", [_post("A", "New life in Lyon", "2026-05-01")])
    result = CliRunner().invoke(trace_app, ["run", "--posts", str(path)])
    assert result.exit_code != 0
    assert "--posts goes with --profiles" in result.output


def test_a_database_run_reads_the_places_of_public_posts(
    db_session: Session, tmp_path: Path
) -> None:
    ids = build(db_session, tmp_path, ego_post="Leaving Marseille for Nantes, so many emotions")
    _, profiles_raw = inputs.from_database(db_session=db_session, portfolio=None)
    posts = inputs.posts_from_database(
        db_session=db_session, profile_ids=profiles_raw["profile_id"].tolist()
    )
    summaries = dict(
        zip(profiles_raw["profile_id"], places.post_places(profiles_raw, posts), strict=True)
    )
    assert summaries[str(ids["ego001"])] == "marseille/FR|nantes/FR"
    # The friends' posts name no place: nothing is kept for them.
    assert summaries[str(ids["frd001"])] is None


DEBTOR = {
    "debtor_id": "D-posts",
    "given_names": "Margaud",
    "family_names": "Roger",
    "city": "Lyon",
    "country": "FR",
}
PROFILE = {"network": "social", "display_name": "Margaud Roger", "country": "FR"}


def _score(model: dict[str, Any], profiles: list[dict[str, Any]]) -> pd.DataFrame:
    d = prepare.prepare_debtors(pd.DataFrame([DEBTOR]))
    p = prepare.prepare_profiles(pd.DataFrame(profiles))
    pairs = pd.DataFrame({"debtor_id": DEBTOR["debtor_id"], "profile_id": p["unique_id"]})
    out = scoring.resolve_competition(scoring.score(d, p, pairs, model, keep_below=0.0))
    return out.set_index("profile_id")


def test_a_city_named_in_the_posts_is_weighed(scored_world: Scored) -> None:
    model = scored_world.model
    out = _score(
        model,
        [
            # A mover: the stated city is stale, the posts name the new one.
            {**PROFILE, "profile_id": "mover", "city": "Marseille",
             "post_places": "lyon/FR|marseille/FR"},
            {**PROFILE, "profile_id": "stale", "city": "Marseille"},
            # No city stated; the posts name only a holiday.
            {**PROFILE, "profile_id": "holiday", "post_places": "barcelona/ES"},
            {**PROFILE, "profile_id": "silent"},
        ],
    )  # fmt: skip
    labels = st.level_labels(model)["city"]
    level = {pid: labels[int(out.loc[pid].gamma_city)] for pid in out.index if pid != "silent"}
    assert level == {
        "mover": "named in the profile's posts",
        "stale": "other",
        "holiday": "not stated; its posts name other places",
    }
    assert int(out.loc["silent"].gamma_city) == -1
    assert out.loc["mover"].mw_city > 0 > out.loc["stale"].mw_city
    assert out.loc["mover"].match_weight > out.loc["stale"].match_weight


def test_friends_do_not_say_again_the_city_the_posts_name(scored_world: Scored) -> None:
    """Friends live where their friend lives: when the posts already place the profile in
    the debtor's city, the friends' city would count that one fact twice."""
    model = scored_world.model
    friends = "12|lyon/FR=8|paris/FR=4"
    out = _score(
        model,
        [
            {**PROFILE, "profile_id": "posts", "post_places": "lyon/FR",
             "friend_places": friends},
            {**PROFILE, "profile_id": "friends-only", "friend_places": friends},
        ],
    )  # fmt: skip
    labels = st.level_labels(model)["friends"]
    assert int(out.loc["posts"].gamma_friends) == -1
    assert labels[int(out.loc["friends-only"].gamma_friends)] == (
        "many of them live in the debtor's city"
    )


def test_a_large_city_is_told_apart_from_a_town(scored_world: Scored) -> None:
    """Posts and friends name Paris for many reasons besides living there; a town, rarely."""
    d = prepare.prepare_debtors(
        pd.DataFrame(
            [{**DEBTOR, "city": "Paris", "previous_city": "Tournefeuille",
              "previous_country": "FR"},
             {**DEBTOR, "debtor_id": "D-unknown", "city": "Nowhereville"}]
        )
    )  # fmt: skip
    assert d.iloc[0].places == ["paris", "tournefeuille"]
    assert d.iloc[0].places_small == ["tournefeuille"]
    # A place the gazetteer does not know is not known to be large.
    assert d.iloc[1].places_small == d.iloc[1].places == ["nowhereville"]

    model = scored_world.model
    p = prepare.prepare_profiles(
        pd.DataFrame(
            [{**PROFILE, "profile_id": "paris", "post_places": "paris/FR"},
             {**PROFILE, "profile_id": "town", "post_places": "tournefeuille/FR"}]
        )
    )  # fmt: skip
    pairs = pd.DataFrame({"debtor_id": DEBTOR["debtor_id"], "profile_id": p["unique_id"]})
    out = scoring.score(d.iloc[:1], p, pairs, model, keep_below=0.0).set_index("profile_id")
    labels = st.level_labels(model)["city"]
    assert labels[int(out.loc["paris"].gamma_city)] == "named in the profile's posts, a large city"
    assert labels[int(out.loc["town"].gamma_city)] == "named in the profile's posts"
    # Each weighed as EM learns it (the test world's posts do not favour towns; the
    # simulate worlds' do: bench/tracing_levels.py).
    assert out.loc["paris"].mw_city > 0 and out.loc["town"].mw_city > 0
