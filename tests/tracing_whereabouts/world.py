"""A tiny hand-made public world, imported through the sources service like any file.

The debtor's profile (``ego``) states Villeurbanne; eight friends state Lyon or Villeurbanne,
two Paris, one states nothing but has three friends in Lyon (label propagation places it).
Every friend has a distinctive name, handle, bio and a post, so a scan of the database can
tell whether any of it was stored with the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.sources import service as sources_service
from concilia.sources.connectors import spool
from concilia.sources.models import Profile
from concilia.sources.schemas import ItemKind, SourceDeclaration

SOURCE = "social-test"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FRIEND_CITIES = ["Lyon"] * 6 + ["Villeurbanne"] * 2 + ["Paris"] * 2 + [None]


def _prov(path: str) -> dict[str, str]:
    return {
        "url": f"https://social.example/{path}",
        "captured_at": "2026-11-01T10:00:00+00:00",
        "captured_by": "connector:test",
        "legal_basis": "legitimate_interest:LIA-TEST",
    }


def profile(ext: str, name: str, handle: str, **fields: Any) -> dict[str, Any]:
    """A public profile line."""
    return {
        "external_id": ext,
        "network": fields.pop("network", "social"),
        "display_name": name,
        "handle": handle,
        "created_at": fields.pop("created_at", "2015-03-01"),
        "friends_count": fields.pop("friends_count", 150),
        "followers_count": fields.pop("followers_count", 140),
        "following_count": fields.pop("following_count", 120),
        "posts_count": fields.pop("posts_count", 40),
        "privacy": "public",
        "visibility": "public",
        "provenance": _prov(handle),
        **fields,
    }


def edge(a: str, b: str) -> dict[str, Any]:
    """A public friend edge."""
    return {
        "external_id": f"{a}~{b}",
        "profile_id": a,
        "friend_id": b,
        "kind": "friend",
        "visibility": "public",
        "provenance": _prov(f"{a}/friends"),
    }


def post(ext: str, author: str, text: str, at: str = "2026-10-01T09:00:00+00:00") -> dict[str, Any]:
    """A public post."""
    return {
        "external_id": ext,
        "profile_id": author,
        "created_at": at,
        "text": text,
        "visibility": "public",
        "provenance": _prov(f"p/{ext}"),
    }


def friend_secrets() -> list[str]:
    """Every friend's and friend-of-friend's identifying strings (for the privacy scan)."""
    out = []
    for i in range(len(FRIEND_CITIES)):
        out += [
            f"frd{i:03d}",
            f"Zorglub Friendname{i}",
            f"zorglub.handle{i}",
            f"Private bio of friend number {i}",
            f"Unique friend post marker {i}",
        ]
    for j in range(3):
        out += [f"fof{j:03d}", f"Quixote Secondhop{j}", f"quixote.hop{j}"]
    return out


def declare_source(db_session: Session) -> None:
    """The test source, allowed for locating, contact and credit assessment."""
    sources_service.declare(
        db_session=db_session,
        declaration=SourceDeclaration.model_validate(
            {
                "name": SOURCE,
                "kind": "platform_export",
                "platform": "social",
                "allowed_purposes": ["locating", "contact", "credit_assessment"],
            }
        ),
        actor="test",
    )


def import_items(
    db_session: Session, tmp_path: Path, kind: str, items: Iterable[dict[str, Any]]
) -> None:
    """Import lines through the sources service (same checks as any file)."""
    path = tmp_path / f"{kind}-{datetime.now().timestamp()}.jsonl"
    sources_service.run_import(
        db_session=db_session,
        connector=spool(items, path, name=path.name),
        kind=ItemKind(kind),
        source_name=SOURCE,
        actor="test",
        now=NOW,
    )


def build(db_session: Session, tmp_path: Path, ego_post: str | None = None) -> dict[str, int]:
    """Import the world; returns database ids by external id."""
    declare_source(db_session)
    profiles = [
        profile(
            "ego001",
            "Ana Egocentrica",
            "ana.ego",
            city="Villeurbanne",
            country="FR",
            bio="Villeurbanne forever",
        )
    ]
    for i, city in enumerate(FRIEND_CITIES):
        extra: dict[str, Any] = {"bio": f"Private bio of friend number {i}"}
        if city:
            extra.update(city=city, country="FR")
        profiles.append(
            profile(f"frd{i:03d}", f"Zorglub Friendname{i}", f"zorglub.handle{i}", **extra)
        )
    for j in range(3):
        profiles.append(
            profile(
                f"fof{j:03d}", f"Quixote Secondhop{j}", f"quixote.hop{j}", city="Lyon", country="FR"
            )
        )
    import_items(db_session, tmp_path, "profiles", profiles)
    edges = [edge("ego001", f"frd{i:03d}") for i in range(len(FRIEND_CITIES))]
    last = f"frd{len(FRIEND_CITIES) - 1:03d}"
    edges += [edge(last, f"fof{j:03d}") for j in range(3)]
    import_items(db_session, tmp_path, "friends", edges)
    posts = [
        post(f"pst{i:03d}", f"frd{i:03d}", f"Unique friend post marker {i}")
        for i in range(len(FRIEND_CITIES))
    ]
    if ego_post:
        posts.append(post("pstego", "ego001", ego_post))
    import_items(db_session, tmp_path, "posts", posts)
    db_session.flush()
    return {ext: pid for ext, pid in db_session.execute(select(Profile.external_id, Profile.id))}


def accept_match(db_session: Session, debtor_id: int, profile_id: int) -> None:
    """Record that an agent accepted ``profile_id`` as the debtor's (tracing's review queue)."""
    candidate(db_session, debtor_id, profile_id, status="accepted")


def candidate(
    db_session: Session,
    debtor_id: int,
    profile_id: int,
    *,
    status: str = "proposed",
    snapshot: dict[str, Any] | None = None,
) -> Any:
    """A match candidate as a linkage run (and, when decided, the review flow) leaves it.

    Tracing has no service to create a candidate outside a linkage run, so tests write the
    row themselves.
    """
    from concilia.tracing.models import MatchCandidate, TraceRun

    run = TraceRun(
        portfolio="test",
        engine="duckdb",
        inputs_fingerprint="0" * 64,
        chunk_size=1,
        chunk_count=1,
        status="done",
        started_by="test",
        started_at=NOW,
    )
    db_session.add(run)
    db_session.flush()
    decided = status != "proposed"
    cand = MatchCandidate(
        portfolio="test",
        debtor_key=str(debtor_id),
        profile_key=str(profile_id),
        network="social",
        run_id=run.id,
        match_weight=10.0,
        final_weight=10.0,
        probability=0.99,
        explanation_data=[],
        profile_snapshot=snapshot or {},
        status=status,
        debtor_fingerprint="0" * 64,
        profile_fingerprint="0" * 64,
        decided_by="user:agent" if decided else None,
        decided_at=NOW if decided else None,
        reason="same person" if decided else None,
        created_at=NOW,
        updated_at=NOW,
    )
    db_session.add(cand)
    db_session.flush()
    return cand
