"""Scoring imported profiles, blocking flagged ones, overrides and explanations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.authenticity import service
from concilia.errors import InvalidInput, NotFound
from concilia.sources.models import Profile
from tests.tracing_whereabouts import world


def _bots() -> list[dict[str, Any]]:
    return [
        world.profile(
            f"bot{n:03d}",
            f"Lola Random{n}",
            f"lolarandom{48213 + n}",
            bio="Earn $500/day from home",
            photo_hash="abcdefabcdef0123",
            created_at="2026-10-01",
            friends_count=8,
            followers_count=3,
            following_count=1900,
            posts_count=4,
        )
        for n in range(6)
    ]


def _impersonator() -> dict[str, Any]:
    return world.profile(
        "imp001",
        "Ana Egocentrica",
        "ana.ego_official",
        city="Villeurbanne",
        country="FR",
        bio="Villeurbanne forever",
        photo_hash="1234123412341234",
        created_at="2026-09-20",
        friends_count=11,
        followers_count=4,
        following_count=900,
        posts_count=2,
    )


def build_world_with_copies(db_session: Session, tmp_path: Path) -> dict[str, int]:
    """The hand-made world plus six bots, a real profile and its copy; ids by external id."""
    world.build(db_session, tmp_path)
    world.import_items(db_session, tmp_path, "profiles", [*_bots(), _impersonator()])
    # The real profile shows the same photo as the copy.
    world.import_items(
        db_session,
        tmp_path,
        "profiles",
        [
            world.profile(
                "ego001",
                "Ana Egocentrica",
                "ana.ego",
                city="Villeurbanne",
                country="FR",
                bio="Villeurbanne forever",
                photo_hash="1234123412341234",
            )
        ],
    )
    return {e: i for e, i in db_session.execute(select(Profile.external_id, Profile.id))}


@pytest.fixture
def ids(db_session: Session, tmp_path: Path) -> dict[str, int]:
    return build_world_with_copies(db_session, tmp_path)


def test_scoring_flags_bots_and_the_copy_with_reasons(
    db_session: Session, ids: dict[str, int]
) -> None:
    summary = service.score_profiles(db_session=db_session, actor="test")
    assert summary.scored == len(ids)
    bot = service.get_flag_or_raise(db_session=db_session, profile_id=ids["bot000"])
    assert bot.is_fake and bot.fake_score > 0.5
    assert any("account created" in r for r in bot.fake_reasons)
    friend = service.get_flag_or_raise(db_session=db_session, profile_id=ids["frd000"])
    assert not friend.flagged
    copy = service.get_flag_or_raise(db_session=db_session, profile_id=ids["imp001"])
    assert copy.is_impersonator and copy.impersonator_of == ids["ego001"]
    assert any("username" in r for r in copy.impersonation_reasons)
    real = service.get_flag_or_raise(db_session=db_session, profile_id=ids["ego001"])
    assert not real.is_impersonator
    entries, _ = audit_service.list_entries(db_session=db_session, object_type="authenticity_batch")
    assert entries and entries[0].detail["impersonators"] >= 1


def test_flagged_profile_is_blocked_until_an_agent_overrides_with_a_reason(
    db_session: Session, ids: dict[str, int]
) -> None:
    service.score_profiles(db_session=db_session, actor="test")
    ok, reasons = service.can_use_as_evidence(db_session=db_session, profile_id=ids["imp001"])
    assert not ok
    assert any(r.startswith(f"likely impersonates profile #{ids['ego001']}") for r in reasons)
    assert "an agent must override the flag, with a reason" in reasons
    with pytest.raises(InvalidInput):
        service.override(
            db_session=db_session, profile_id=ids["imp001"], reason="ok", actor="user:agent"
        )
    with pytest.raises(InvalidInput):  # nothing to override on a clean profile
        service.override(
            db_session=db_session,
            profile_id=ids["frd000"],
            reason="the debtor confirmed this account",
            actor="user:agent",
        )
    service.override(
        db_session=db_session,
        profile_id=ids["imp001"],
        reason="the debtor confirmed this account is hers",
        actor="user:agent",
    )
    ok, reasons = service.can_use_as_evidence(db_session=db_session, profile_id=ids["imp001"])
    assert ok
    assert "flag overridden by user:agent: the debtor confirmed this account is hers" in reasons
    entries, _ = audit_service.list_entries(
        db_session=db_session, object_type="source_profile", object_id=str(ids["imp001"])
    )
    assert [e.action for e in entries] == ["authenticity.override"]
    assert "reason" not in entries[0].detail  # free text stays out of the clear-text detail
    # A re-score keeps the override while the reasons to flag are of the same kind.
    service.score_profiles(db_session=db_session, actor="test")
    assert service.can_use_as_evidence(db_session=db_session, profile_id=ids["imp001"])[0]
    service.withdraw_override(db_session=db_session, profile_id=ids["imp001"], actor="user:agent")
    assert not service.can_use_as_evidence(db_session=db_session, profile_id=ids["imp001"])[0]


def test_explanation_lines_for_match_candidates(db_session: Session, ids: dict[str, int]) -> None:
    assert service.explain(db_session=db_session, profile_id=ids["frd000"]) == [
        "not yet checked for fake accounts or impersonation"
    ]
    service.score_profiles(db_session=db_session, actor="test")
    clean = service.explain(db_session=db_session, profile_id=ids["frd000"])
    assert clean[0].startswith("no sign of a fake account or impersonation")
    fake = service.explain(db_session=db_session, profile_id=ids["bot001"])
    assert fake[0].startswith("likely a fake account (score")
    with pytest.raises(NotFound):
        service.score_profiles(db_session=db_session, actor="test", profile_ids=[10**9])


def test_routes_read_and_override(
    client: TestClient, db_session: Session, ids: dict[str, int], auth_headers: Any
) -> None:
    service.score_profiles(db_session=db_session, actor="test")
    db_session.commit()
    agent = auth_headers("agent1", "agent", ["north"])
    auditor = auth_headers("audit1", "auditor", [])
    pid = ids["bot002"]
    got = client.get(f"/api/authenticity/profiles/{pid}", headers=agent)
    assert got.status_code == 200 and got.json()["blocked"] is True
    usable = client.get(f"/api/authenticity/profiles/{pid}/usable", headers=auditor)
    assert usable.status_code == 200 and usable.json()["usable"] is False
    url = f"/api/authenticity/profiles/{pid}/override"
    assert client.post(url, json={"reason": "seen in person"}, headers=auditor).status_code == 403
    assert client.post(url, json={"reason": "short"}, headers=agent).status_code == 422
    done = client.post(url, json={"reason": "checked with the debtor on the phone"}, headers=agent)
    assert done.status_code == 200
    assert done.json()["overridden"] is True and done.json()["override_by"] == "user:agent1"
    assert client.get(f"/api/authenticity/profiles/{pid}").status_code == 401
    assert client.post("/api/authenticity/score", json={}, headers=agent).status_code == 403
