"""A simulated world imports consistently: every public item lands in its network's source."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia.simulate import service as simulate_service
from concilia.sources import service
from concilia.sources.models import FriendEdge, Mention, Post, Profile, Source
from concilia.sources.world import import_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    simulate_service.generate(out_dir=out, people=200, seed=1, workers=1)
    return out


def _lines(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_simulated_world_imports_consistently(db_session: Session, world: Path) -> None:
    as_of = datetime.fromisoformat(
        orjson.loads((world / "truth.json").read_bytes())["settings"]["as_of"]
    ).replace(tzinfo=UTC)
    reports = import_world(
        db_session=db_session, directory=world, actor="test", now=as_of + timedelta(days=1)
    )
    profiles = _lines(world / "profiles.jsonl")
    by_network = Counter(str(p["network"]) for p in profiles)
    stored = dict(
        db_session.execute(
            select(Source.platform, func.count(Profile.id))
            .join(Profile, Profile.source_id == Source.id)
            .group_by(Source.platform)
        ).all()
    )
    assert stored == dict(by_network)

    for kind, model in (("friends", FriendEdge), ("posts", Post), ("mentions", Mention)):
        lines = _lines(world / f"{kind}.jsonl")
        public = sum(1 for line in lines if line["visibility"] == "public")
        restricted = len(lines) - public
        assert db_session.scalar(select(func.count()).select_from(model)) == public, kind
        skipped = sum(r.skipped for r in reports if r.kind == kind)
        assert skipped == restricted, kind  # each restricted line reported exactly once
        if kind != "mentions":
            # Each line was imported by exactly one source and left by the two others.
            assert sum(r.other_source for r in reports if r.kind == kind) == 2 * len(lines)

    # Edges never cross networks, and every post hangs on a profile of its own source.
    crossing = db_session.scalar(
        select(func.count())
        .select_from(FriendEdge)
        .join(Profile, Profile.id == FriendEdge.friend_id)
        .where(Profile.source_id != FriendEdge.source_id)
    )
    assert crossing == 0
    # The professional network's terms forbid credit assessment: signals never see its posts.
    pro_posts = db_session.scalar(
        select(func.count())
        .select_from(Post)
        .join(Source, Source.id == Post.source_id)
        .where(Source.platform == "pro")
    )
    all_ids = list(db_session.scalars(select(Profile.id)))
    posts, left_out = service.posts_for_profiles(db_session=db_session, profile_ids=all_ids)
    assert (
        left_out == pro_posts
        and pro_posts
        and len(posts) + left_out
        == len([x for x in _lines(world / "posts.jsonl") if x["visibility"] == "public"])
    )

    again = import_world(
        db_session=db_session, directory=world, actor="test", now=as_of + timedelta(days=1)
    )
    assert sum(r.created + r.updated for r in again) == 0
