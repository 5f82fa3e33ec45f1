"""Build :class:`ProfileRecord` batches from JSON Lines files or from imported rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from concilia.authenticity.features import ProfileRecord


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def record(
    fields: Mapping[str, Any] | Any,
    key: str,
    posts: Iterable[tuple[datetime, str | None]] = (),
    friends: Iterable[str] = (),
) -> ProfileRecord:
    """One record from a JSON object or from an ORM row with the source-format fields."""

    def get(name: str, *alts: str) -> Any:
        for n in (name, *alts):
            if isinstance(fields, Mapping):
                if n in fields:
                    return fields[n]
            elif hasattr(fields, n):
                return getattr(fields, n)
        return None

    post_list = sorted(((_dt(at), text) for at, text in posts), key=lambda p: p[0])
    return ProfileRecord(
        key=key,
        network=str(get("network") or ""),
        display_name=str(get("display_name") or ""),
        handle=get("handle"),
        city=get("city"),
        employer=get("employer"),
        job_title=get("job_title"),
        school=get("school"),
        birthday=get("birthday", "birthday_mmdd"),
        bio=get("bio"),
        photo_hash=get("photo_hash"),
        created=_date(get("created_at", "account_created")),
        friends_count=_int(get("friends_count")),
        followers_count=_int(get("followers_count")),
        following_count=_int(get("following_count")),
        posts_count=_int(get("posts_count")),
        privacy=str(get("privacy") or "public"),
        language=get("language"),
        post_times=tuple(at for at, _ in post_list),
        post_texts=tuple(text for _, text in post_list if text),
        friend_keys=frozenset(friends),
    )


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield orjson.loads(line)


def load_world(directory: Path) -> tuple[list[ProfileRecord], dict[str, dict[str, Any]]]:
    """Records of every public profile of a synthetic world, keyed by external id, and the
    raw profile objects (benchmarks and training use both)."""
    raw = {
        p["external_id"]: p
        for p in _jsonl(directory / "profiles.jsonl")
        if p.get("visibility", "public") == "public"
    }
    friends: dict[str, set[str]] = defaultdict(set)
    for edge in _jsonl(directory / "friends.jsonl"):
        if edge.get("visibility", "public") != "public":
            continue
        a, b = edge["profile_id"], edge["friend_id"]
        friends[a].add(b)
        friends[b].add(a)
    posts: dict[str, list[tuple[datetime, str | None]]] = defaultdict(list)
    for post in _jsonl(directory / "posts.jsonl"):
        if post.get("visibility", "public") == "public":
            posts[post["profile_id"]].append((_dt(post["created_at"]), post.get("text")))
    records = [
        record(p, key, posts.get(key, ()), friends.get(key, ())) for key, p in sorted(raw.items())
    ]
    return records, raw
