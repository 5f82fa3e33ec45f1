"""Purpose gate, bulk reads for other domains, redaction and retention purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.errors import Conflict, Forbidden
from concilia.sources import service
from concilia.sources.models import FriendEdge, Post, Profile, ProfileContact
from tests.sources.conftest import DATA, NOW


def _world(declare, run) -> None:
    declare()
    run("profiles.jsonl", "profiles")
    run("friends.jsonl", "friends")
    run("posts.jsonl", "posts")


def _ids(db_session: Session, source: str = "social-export") -> dict[str, int]:
    found = service.get_by_name(db_session=db_session, name=source)
    assert found is not None
    query = select(Profile.external_id, Profile.id).where(Profile.source_id == found.id)
    return dict(db_session.execute(query).all())


def test_purpose_gate(db_session, declare) -> None:
    pro = declare("pro-export", platform="pro", purposes=["locating", "contact"])
    social = declare()
    assert service.allowed_for(db_session=db_session, source="pro-export", purpose="locating")
    assert not service.allowed_for(
        db_session=db_session, source=pro.id, purpose="credit_assessment"
    )
    with pytest.raises(Forbidden, match="may not be used for credit_assessment"):
        service.require_purpose(db_session=db_session, source=pro, purpose="credit_assessment")
    assert service.source_ids_allowing(db_session=db_session, purpose="credit_assessment") == {
        social.id
    }
    social.active = False
    db_session.flush()
    assert not service.allowed_for(db_session=db_session, source=social, purpose="locating")
    assert service.source_ids_allowing(db_session=db_session, purpose="credit_assessment") == set()


def test_declaring_twice_needs_replace_and_is_audited(db_session, declare) -> None:
    declare()
    with pytest.raises(Conflict):
        declare()
    actions = list(
        db_session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "source"))
    )
    assert actions == ["sources.declared"]


def test_linkage_reads_decrypt_contacts_and_respect_the_gate(db_session, declare, run) -> None:
    _world(declare, run)
    declare("no-locating", platform="social", purposes=["reputation"])
    run("profiles.jsonl", "profiles", source="no-locating")
    # Authenticity scores read through here: a copied bio is one of its signals.
    db_session.execute(
        update(Profile).where(Profile.external_id == "p1").values(bio="Fière Lyonnaise")
    )
    batches = list(service.iter_profiles_for_linkage(db_session=db_session, batch_size=2))
    assert [len(b) for b in batches] == [2, 1]
    rows = {r["external_id"]: r for b in batches for r in b}
    assert rows["p1"]["phones"] == ["+33 6 12 34 56 78"]
    assert rows["p1"]["emails"] == ["jeanne.dupont@example.org"]
    assert rows["p1"]["birthday"] == "04-12" and rows["p1"]["profile_id"] == rows["p1"]["id"]
    assert rows["p2"]["phones"] == []
    assert rows["p1"]["bio"] == "Fière Lyonnaise" and rows["p2"]["bio"] is None
    assert rows["p1"]["url"] == "https://social.example/jeanne.dupont"
    ids = _ids(db_session)
    got = service.get_profiles(db_session=db_session, profile_ids=[ids["p3"]])
    assert [g["display_name"] for g in got] == ["Amy Smith"]
    hidden = _ids(db_session, "no-locating")["p3"]
    assert service.get_profiles(db_session=db_session, profile_ids=[hidden]) == []


def test_friend_edges_touch_either_side(db_session, declare, run) -> None:
    _world(declare, run)
    ids = _ids(db_session)
    edges = service.friend_edges(db_session=db_session, profile_ids=[ids["p3"]])
    assert {(e["profile_id"], e["friend_id"]) for e in edges} == {
        (ids["p1"], ids["p3"]),
        (ids["p2"], ids["p3"]),
    }


def test_posts_only_from_sources_allowing_the_purpose(db_session, declare, run) -> None:
    _world(declare, run)
    declare("pro-export", platform="social", purposes=["locating"])
    run("profiles.jsonl", "profiles", source="pro-export")
    run("posts.jsonl", "posts", source="pro-export")
    ids = [*_ids(db_session).values(), *_ids(db_session, "pro-export").values()]
    posts, skipped = service.posts_for_profiles(db_session=db_session, profile_ids=ids)
    assert len(posts) == 3 and skipped == 3
    pro_id = service.get_by_name(db_session=db_session, name="pro-export").id  # type: ignore[union-attr]
    assert all(p["source_id"] != pro_id for p in posts)


def test_redaction_removes_text_and_survives_reimport(db_session, declare, run, tmp_path) -> None:
    _world(declare, run)
    post = db_session.scalars(select(Post).where(Post.external_id == "t1")).one()
    assert service.redact_post(
        db_session=db_session, post_id=post.id, reason="special_category", actor="signals"
    )
    db_session.refresh(post)
    assert post.text is None and post.hashtags == [] and post.redacted_at is not None
    # Same file again, then a changed capture of the same post: the text never comes back.
    run("posts.jsonl", "posts")
    path = tmp_path / "posts.jsonl"
    path.write_text(
        (DATA / "posts.jsonl")
        .read_text()
        .replace("2026-11-01T10:00:00+00:00", "2026-11-02T10:00:00+00:00")
    )
    report = run(path, "posts")
    assert report.updated == 3
    db_session.refresh(post)
    assert post.text is None and post.captured_at.day == 2
    posts, _ = service.posts_for_profiles(db_session=db_session, profile_ids=[post.profile_id])
    redacted = next(p for p in posts if p["id"] == post.id)
    assert redacted["redacted"] and redacted["text"] is None
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sources.posts_redacted")
    ).one()
    assert entry.detail == {"posts": 1, "redacted": 1, "reason": "special_category"}


def test_purge_deletes_expired_items_and_dependants(db_session, declare, run) -> None:
    _world(declare, run)
    assert service.purge_expired(db_session=db_session, now=NOW)["profiles"] == 0
    # Posts and edges expire after 90 days, profiles after 180.
    counts = service.purge_expired(db_session=db_session, now=NOW + timedelta(days=80))
    assert counts["posts"] == 3 and counts["friends"] == 3 and counts["profiles"] == 0
    counts = service.purge_expired(db_session=db_session, now=NOW + timedelta(days=200))
    assert counts["profiles"] == 3 and counts["contacts"] == 2

    def n(model: type) -> int:
        return db_session.scalar(select(func.count()).select_from(model)) or 0

    assert (n(Profile), n(ProfileContact), n(Post), n(FriendEdge)) == (0, 0, 0, 0)
    purges = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sources.purged")
    ).all()
    assert len(purges) == 3
