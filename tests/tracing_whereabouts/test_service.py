"""Whereabouts through the database: aggregates only, proposals, decisions, blocking."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from concilia.db import Base
from concilia.errors import Conflict, Forbidden, InvalidInput
from concilia.tracing.whereabouts import service
from concilia.tracing.whereabouts.models import InferenceStatus, WhereaboutsInference
from tests.tracing_whereabouts import world

DEBTOR = 4242
# Tables where imported public items legitimately live (the sources domain, with retention).
SOURCE_TABLES = {
    "source_profiles",
    "source_friend_edges",
    "source_posts",
    "source_profile_contacts",
    "source_mentions",
    "sources",
}


@pytest.fixture
def ids(db_session: Session, tmp_path: Path) -> dict[str, int]:
    found = world.build(db_session, tmp_path)
    world.accept_match(db_session, DEBTOR, found["ego001"])
    return found


def test_inference_ranks_lyon_area_with_explanation(
    db_session: Session, ids: dict[str, int]
) -> None:
    row = service.run_inference(db_session=db_session, debtor_id=DEBTOR, actor="user:agent")
    assert row.status == InferenceStatus.proposed
    assert row.top_city in {"Lyon (FR)", "Villeurbanne (FR)"}
    assert row.profile_id == ids["ego001"]
    assert row.counts["friends"] == 11
    assert row.counts["friends_located_by_propagation"] == 1
    assert row.ranked[0]["probability"] > 0.5
    assert any("the profile itself says Villeurbanne" in line for line in row.explanation)
    assert any("of 11 located public friends are within 25 km" in line for line in row.explanation)


def test_privacy_no_friend_data_is_stored_outside_the_sources_tables(
    db_session: Session, ids: dict[str, int]
) -> None:
    service.run_inference(db_session=db_session, debtor_id=DEBTOR, actor="user:agent")
    db_session.flush()
    secrets = [s.casefold() for s in world.friend_secrets()]
    friend_ids = {pid for ext, pid in ids.items() if ext != "ego001"}
    leaks = []
    for table in Base.metadata.sorted_tables:
        if table.name in SOURCE_TABLES:
            continue
        for row in db_session.execute(select(table)).mappings():
            for column, value in row.items():
                blob = str(value).casefold()
                leaks += [(table.name, column, s) for s in secrets if s in blob]
    assert leaks == []
    # And the inference row holds no friend's profile id anywhere.
    inference = db_session.scalars(select(WhereaboutsInference)).one()
    assert inference.profile_id not in friend_ids
    for entry in inference.ranked:
        assert set(entry) == {
            "city",
            "city_id",
            "country",
            "probability",
            "friends_within_25km",
            "distance_to_stated_km",
        }
    assert all(isinstance(v, int) for v in inference.counts.values())
    assert set(inference.counts) <= {
        "friends",
        "friends_stating_a_city",
        "friends_located_by_propagation",
        "friends_city_not_recognised",
        "own_statements",
        "profiles_used",
    }
    # The check itself can find a leak: the sources tables do hold the friends' names.
    names = db_session.execute(text("SELECT display_name FROM source_profiles")).scalars().all()
    assert "Zorglub Friendname0" in names


def test_only_accepted_profiles_can_be_used(db_session: Session, ids: dict[str, int]) -> None:
    with pytest.raises(InvalidInput):
        service.run_inference(
            db_session=db_session, debtor_id=DEBTOR, actor="user:agent", profile_ids=[ids["frd000"]]
        )
    with pytest.raises(Conflict):
        service.run_inference(db_session=db_session, debtor_id=DEBTOR + 1, actor="user:agent")


def test_every_accepted_profile_counts_not_the_first_fifty(
    db_session: Session, tmp_path: Path
) -> None:
    """A debtor with 60 accepted profiles: the one accepted last is still theirs (an earlier
    copy of the query stopped at 50)."""
    found = world.build(db_session, tmp_path)
    for other in range(60):
        world.accept_match(db_session, DEBTOR, 9_000_000 + other)
    world.accept_match(db_session, DEBTOR, found["ego001"])
    row = service.run_inference(
        db_session=db_session,
        debtor_id=DEBTOR,
        actor="user:agent",
        profile_ids=[found["ego001"]],
    )
    assert row.profile_id == found["ego001"]
    assert row.top_city in {"Lyon (FR)", "Villeurbanne (FR)"}


def test_accept_makes_it_evidence_and_is_audited(db_session: Session, ids: dict[str, int]) -> None:
    from concilia.audit import service as audit_service

    row = service.run_inference(db_session=db_session, debtor_id=DEBTOR, actor="user:agent")
    assert service.accepted_for_debtor(db_session=db_session, debtor_id=DEBTOR) is None
    with pytest.raises(InvalidInput):
        service.decide(
            db_session=db_session, inference_id=row.id, accept=True, actor="user:agent", reason=" "
        )
    service.decide(
        db_session=db_session,
        inference_id=row.id,
        accept=True,
        actor="user:agent",
        reason="matches the address the debtor gave by phone",
    )
    assert service.accepted_for_debtor(db_session=db_session, debtor_id=DEBTOR) == row
    with pytest.raises(Conflict):
        service.decide(
            db_session=db_session,
            inference_id=row.id,
            accept=False,
            actor="user:agent",
            reason="changed my mind",
        )
    entries, _ = audit_service.list_entries(
        db_session=db_session, object_type="whereabouts_inference", object_id=str(row.id)
    )
    assert [e.action for e in entries] == [
        "tracing.whereabouts_accepted",
        "tracing.whereabouts_inferred",
    ]


def test_a_flagged_profile_cannot_feed_an_inference_until_overridden(
    db_session: Session, ids: dict[str, int]
) -> None:
    from concilia.authenticity import service as authenticity_service
    from concilia.authenticity.models import AuthenticityFlag
    from concilia.db import utcnow

    row = service.run_inference(db_session=db_session, debtor_id=DEBTOR, actor="user:agent")
    db_session.add(
        AuthenticityFlag(
            profile_id=ids["ego001"],
            fake_score=0.97,
            is_fake=True,
            fake_reasons=["account created 12 days ago"],
            is_impersonator=False,
            impersonation_reasons=[],
            model_version="test",
            scored_at=utcnow(),
            overridden=False,
        )
    )
    db_session.flush()
    with pytest.raises(Forbidden, match="account created 12 days ago"):
        service.decide(
            db_session=db_session,
            inference_id=row.id,
            accept=True,
            actor="user:agent",
            reason="looks right to me",
        )
    with pytest.raises(Conflict, match="flagged"):
        service.run_inference(db_session=db_session, debtor_id=DEBTOR, actor="user:agent")
    authenticity_service.override(
        db_session=db_session,
        profile_id=ids["ego001"],
        reason="called the debtor, it is her real account",
        actor="user:agent",
    )
    again = service.run_inference(db_session=db_session, debtor_id=DEBTOR, actor="user:agent")
    assert again.status == InferenceStatus.proposed


def test_a_recent_move_post_wins_over_the_stated_city(db_session: Session, tmp_path: Path) -> None:
    found = world.build(
        db_session, tmp_path, ego_post="Goodbye Villeurbanne, hello Bordeaux! New life in Bordeaux"
    )
    world.accept_match(db_session, DEBTOR, found["ego001"])
    row = service.run_inference(
        db_session=db_session, debtor_id=DEBTOR, actor="user:agent", as_of=world.NOW
    )
    assert row.top_city == "Bordeaux (FR)"
    assert any("moving to Bordeaux" in line for line in row.explanation)
