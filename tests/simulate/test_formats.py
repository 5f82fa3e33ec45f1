"""Every line follows docs/source-format.md and docs/portfolio-format.md."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from concilia.simulate.portfolio import COLUMNS
from tests.simulate.conftest import World

MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
PROFILE_FIELDS = {
    "external_id", "network", "display_name", "handle", "city", "country", "employer",
    "job_title", "school", "birthday", "bio", "photo_hash", "created_at", "friends_count",
    "followers_count", "following_count", "posts_count", "privacy", "language", "phones",
    "emails", "provenance", "visibility",
}  # fmt: skip


def _provenance_ok(item: dict[str, object]) -> None:
    prov = item["provenance"]
    assert isinstance(prov, dict)
    assert str(prov["url"]).startswith("https://")
    assert datetime.fromisoformat(str(prov["captured_at"])).tzinfo is not None
    assert prov["captured_by"] == "connector:simulate"
    assert prov["legal_basis"] == "legitimate_interest:LIA-SIM"
    assert item["visibility"] in {"public", "friends"}


def test_profiles_follow_the_contract(world: World) -> None:
    locked = 0
    for p in world.profiles:
        assert set(p) <= PROFILE_FIELDS
        assert p["network"] in {"social", "pro", "photo"}
        assert p["display_name"].strip()
        assert p["visibility"] == "public"  # refused profiles would orphan their edges
        _provenance_ok(p)
        assert p.get("privacy", "partial") in {"public", "partial"}
        if "birthday" in p:
            assert MMDD.match(p["birthday"])
        if "photo_hash" in p:
            assert re.fullmatch(r"[0-9a-f]{16}", p["photo_hash"])
        for key in ("friends_count", "followers_count", "following_count", "posts_count"):
            assert p.get(key, 0) >= 0
        if set(p) == {"external_id", "network", "display_name", "handle", "photo_hash",
                      "privacy", "provenance", "visibility"}:  # fmt: skip
            locked += 1
            assert p["privacy"] == "partial"
    assert locked > 0


def test_edges_posts_mentions_follow_the_contract(world: World) -> None:
    for edge in world.friends:
        assert set(edge) == {"external_id", "profile_id", "friend_id", "kind", "provenance",
                             "visibility"}  # fmt: skip
        _provenance_ok(edge)
    for post in world.posts:
        assert {"external_id", "profile_id", "created_at", "text"} <= set(post)
        assert datetime.fromisoformat(post["created_at"]) <= datetime(2026, 11, 2, tzinfo=UTC)
        assert all(tag.startswith("#") and tag in post["text"] for tag in post.get("hashtags", []))
        _provenance_ok(post)
    for m in world.mentions:
        assert {"external_id", "author_handle", "network", "created_at", "text"} <= set(m)
        _provenance_ok(m)


def test_portfolio_columns_and_values(world: World) -> None:
    text = (world.root / "portfolio.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    rows = list(reader)
    assert rows
    for r in rows:
        assert r["jurisdiction"] in {"FR", "ES", "UK", "US"}
        assert (
            r["currency"] == {"FR": "EUR", "ES": "EUR", "UK": "GBP", "US": "USD"}[r["jurisdiction"]]
        )
        assert r["given_names"] and r["family_names"] and r["principal"]
        assert r["status"] in {"active", "disputed", "paid", "settled", "written_off"}
        for col in ("date_of_birth", "address_since", "charge_off_date", "last_payment_date"):
            if r[col]:
                datetime.strptime(r[col], "%Y-%m-%d")
    assert any("," in r["principal"] for r in rows)  # decimal commas are part of the dirt


def test_the_importers_accept_the_world(world: World) -> None:
    """The real importers' parsers take the files (items with `friends` visibility aside)."""
    parsing = pytest.importorskip("concilia.portfolio.parsing")
    checks = pytest.importorskip("concilia.sources.checks")
    schemas = pytest.importorskip("concilia.sources.schemas")
    rows = parsing.parse_bytes((world.root / "portfolio.csv").read_bytes(), file="portfolio.csv")
    assert len(rows) == world.summary["debts"]

    class Source:
        name = "simulate"
        platform = None
        retention_days = None

    now = datetime(2026, 11, 2, tzinfo=UTC)
    for kind, items in [("profiles", world.profiles), ("friends", world.friends),
                        ("posts", world.posts), ("mentions", world.mentions)]:  # fmt: skip
        for data in items:
            _, problems = checks.check_item(
                data, kind=schemas.ItemKind(kind), source=Source(), now=now
            )
            if data["visibility"] == "public":
                assert problems == [], (kind, data["external_id"], problems)
            else:
                assert [p.field for p in problems] == ["visibility"]
