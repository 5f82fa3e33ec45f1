"""Importing JSON Lines items: provenance, visibility, all-or-nothing, idempotency, retention."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.errors import Conflict, InvalidInput, NotFound
from concilia.sources.models import FriendEdge, Mention, Post, Profile, ProfileContact
from tests.sources.conftest import DATA, NOW


def _count(db_session: Session, model: type) -> int:
    return db_session.scalar(select(func.count()).select_from(model)) or 0


def test_profiles_import_with_provenance_and_retention(db_session, declare, run) -> None:
    declare(retention={"profiles": 30})
    report = run("profiles.jsonl", "profiles")
    assert (report.items, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    jeanne = db_session.scalars(select(Profile).where(Profile.external_id == "p1")).one()
    assert jeanne.url == "https://social.example/jeanne.dupont"
    assert jeanne.captured_by == "connector:social-export"
    assert jeanne.legal_basis == "legitimate_interest:LIA-2026-01"
    assert jeanne.birthday_mmdd == "04-12"
    assert jeanne.captured_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert jeanne.retain_until == jeanne.captured_at + timedelta(days=30)
    carlos = db_session.scalars(select(Profile).where(Profile.external_id == "p2")).one()
    assert carlos.country == "ES" and carlos.privacy == "partial"


def test_published_contacts_are_encrypted_with_blind_index(db_session, declare, run) -> None:
    declare()
    run("profiles.jsonl", "profiles")
    stored = db_session.scalars(select(ProfileContact)).all()
    assert sorted(c.kind for c in stored) == ["email", "phone"]
    for contact in stored:
        assert "jeanne" not in contact.value_encrypted and "34 56" not in contact.value_encrypted
        assert len(contact.value_index) == 64


def test_one_audit_entry_per_import_with_file_sha256(db_session, declare, run) -> None:
    declare()
    report = run("profiles.jsonl", "profiles")
    expected = hashlib.sha256((DATA / "profiles.jsonl").read_bytes()).hexdigest()
    assert report.sha256 == expected
    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "sources.imported")
    ).all()
    assert len(entries) == 1
    assert entries[0].detail["sha256"] == expected
    assert entries[0].detail["created"] == 3
    assert "Jeanne" not in str(entries[0].detail)


def test_reimport_is_idempotent_and_changes_update(db_session, declare, run) -> None:
    declare()
    run("profiles.jsonl", "profiles")
    again = run("profiles.jsonl", "profiles")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert _count(db_session, Profile) == 3
    assert _count(db_session, ProfileContact) == 2
    changed = run("profiles_changed.jsonl", "profiles")
    assert (changed.created, changed.updated, changed.unchanged) == (1, 1, 2)
    carlos = db_session.scalars(select(Profile).where(Profile.external_id == "p2")).one()
    db_session.refresh(carlos)
    assert carlos.city == "Barcelona"
    assert _count(db_session, Profile) == 4
    assert _count(db_session, ProfileContact) == 2


def test_bad_lines_are_all_reported_and_nothing_is_written(db_session, declare, run) -> None:
    declare()
    with pytest.raises(InvalidInput) as caught:
        run("profiles_bad.jsonl", "profiles")
    problems = {(p.row, p.field): p.reason for p in caught.value.problems}
    assert all(p.file.endswith("profiles_bad.jsonl") for p in caught.value.problems)
    assert "provenance is missing" in problems[(2, "provenance")]
    assert "only items visible to everyone" in problems[(3, "visibility")]
    assert "CNIL SAN-2024-020" in problems[(3, "visibility")]
    assert "not valid JSON" in problems[(4, "(line)")]
    assert "connector:NAME" in problems[(5, "provenance.captured_by")]
    assert "balancing test" in problems[(5, "provenance.legal_basis")]
    assert {row for row, _ in problems} == {2, 3, 4, 5}
    assert _count(db_session, Profile) == 0


def test_skip_bad_writes_good_lines_and_lists_skipped(db_session, declare, run) -> None:
    declare()
    report = run("profiles_bad.jsonl", "profiles", skip_bad=True)
    assert report.written and report.skipped == 4 and report.created == 2
    assert {p.row for p in report.problems} == {2, 3, 4, 5}
    ids = set(db_session.scalars(select(Profile.external_id)))
    assert ids == {"p1", "p6"}


def test_other_networks_are_left_to_their_own_source(db_session, declare, run) -> None:
    pro = declare("pro-export", platform="pro", purposes=["locating"])
    report = run("profiles.jsonl", "profiles", source="pro-export")
    assert (report.created, report.other_source, report.skipped) == (0, 3, 0)
    declare()
    run("profiles.jsonl", "profiles")
    # Edges and posts between profiles of another source are left to that source too;
    # references found nowhere stay errors.
    edges = run("friends.jsonl", "friends", source="pro-export")
    assert (edges.created, edges.other_source) == (0, 3)
    with pytest.raises(InvalidInput):
        run("friends_bad.jsonl", "friends", source="pro-export")
    assert db_session.scalar(select(func.count()).where(Profile.source_id == pro.id)) == 0


def test_undeclared_or_inactive_source_is_refused(db_session, declare, run) -> None:
    with pytest.raises(NotFound):
        run("profiles.jsonl", "profiles", source="nobody")
    source = declare()
    source.active = False
    db_session.flush()
    with pytest.raises(Conflict):
        run("profiles.jsonl", "profiles")


def test_items_past_retention_or_from_the_future_are_refused(db_session, declare, run) -> None:
    declare(retention={"profiles": 10})
    with pytest.raises(InvalidInput) as caught:
        run("profiles.jsonl", "profiles")
    assert all("retention" in p.reason for p in caught.value.problems)
    with pytest.raises(InvalidInput) as future:
        run("profiles.jsonl", "profiles", now=datetime(2026, 10, 1, tzinfo=UTC))
    assert all("future" in p.reason for p in future.value.problems)


def test_friends_resolve_profiles_and_refuse_unknown_or_restricted(
    db_session, declare, run
) -> None:
    declare()
    run("profiles.jsonl", "profiles")
    with pytest.raises(InvalidInput) as caught:
        run("friends_bad.jsonl", "friends")
    problems = {(p.row, p.field): p.reason for p in caught.value.problems}
    assert "no profile 'nobody'" in problems[(4, "friend_id")]
    assert "friends" in problems[(5, "visibility")]
    assert _count(db_session, FriendEdge) == 0
    report = run("friends.jsonl", "friends")
    assert report.created == 3
    ids = dict(db_session.execute(select(Profile.external_id, Profile.id)).all())
    edges = {(e.profile_id, e.friend_id, e.kind) for e in db_session.scalars(select(FriendEdge))}
    assert (ids["p1"], ids["p3"], "follows") in edges


def test_posts_get_the_post_retention_by_default(db_session, declare, run) -> None:
    declare()
    run("profiles.jsonl", "profiles")
    report = run("posts.jsonl", "posts")
    assert report.created == 3
    post = db_session.scalars(select(Post).where(Post.external_id == "t1")).one()
    assert post.retain_until - post.captured_at == timedelta(days=90)
    assert post.posted_at == datetime(2026, 10, 20, 16, 30, tzinfo=UTC)
    naive = db_session.scalars(select(Post).where(Post.external_id == "t3")).one()
    assert naive.posted_at == datetime(2026, 10, 22, 9, 0, tzinfo=UTC)
    assert post.hashtags == ["nouveaudepart"]


def test_mentions_import(db_session, declare, run) -> None:
    declare("reputation-feed", kind="data_provider", platform=None, purposes=["reputation"])
    report = run("mentions.jsonl", "mentions", source="reputation-feed")
    assert report.created == 1
    mention = db_session.scalars(select(Mention)).one()
    assert mention.agency == "Acme Recouvrement"
    assert mention.retain_until - mention.captured_at == timedelta(days=365)


def test_duplicate_lines_last_one_wins(db_session, declare, run, tmp_path) -> None:
    declare()
    lines = (DATA / "profiles.jsonl").read_text().splitlines()
    file = tmp_path / "dup.jsonl"
    file.write_text("\n".join([lines[0], lines[1].replace("Madrid", "Sevilla"), lines[1]]) + "\n")
    report = run(file, "profiles", batch_size=100)
    assert report.created == 2 and report.duplicates == 1
    city = db_session.scalar(select(Profile.city).where(Profile.external_id == "p2"))
    assert city == "Madrid"


def test_small_batches_give_the_same_result(db_session, declare, run) -> None:
    declare()
    report = run("profiles_changed.jsonl", "profiles", batch_size=1)
    assert report.created == 4
    assert max(db_session.scalars(select(Profile.captured_at))) < NOW
