"""Batch runs stored in the database: candidates, checkpoints, decisions, evidence."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from concilia.audit.models import AuditEntry
from concilia.errors import Conflict
from concilia.tracing import linkage, prepare, runner, scoring
from concilia.tracing import service as tracing_service
from concilia.tracing.models import Evidence, MatchCandidate, TraceChunk
from tests.certification.support import certify
from tests.tracing import testworld

FAST = linkage.LinkageOptions(train_debtors=200, train_random_profiles=5000, u_max_pairs=2e5)


@pytest.fixture(scope="module")
def world() -> testworld.World:
    return testworld.generate(120, seed=11)


@pytest.fixture(scope="module")
def model(world: testworld.World) -> dict[str, Any]:
    """Trained once: the runner's own training is exercised by the resumption test."""
    debtors = prepare.prepare_debtors(world.debtors)
    profiles = prepare.prepare_profiles(world.profiles)
    blocker = linkage.Blocker(profiles, FAST)
    try:
        return linkage.train(debtors, profiles, blocker, options=FAST)
    finally:
        blocker.close()


def _run(
    factory: sessionmaker[Session],
    world: testworld.World,
    model: dict[str, Any],
    profiles: pd.DataFrame | None = None,
) -> runner.RunResult:
    config = runner.RunConfig(
        portfolio="acme", chunk_size=40, options=FAST, actor="test", model=model
    )
    return runner.run(
        session_factory=factory,
        debtors_raw=world.debtors,
        profiles_raw=world.profiles if profiles is None else profiles,
        config=config,
    )


def _count(s: Session, table: type, **where: object) -> int:
    query = select(func.count()).select_from(table)
    for k, v in where.items():
        query = query.where(getattr(table, k) == v)
    return int(s.scalar(query) or 0)


def test_run_stores_candidates_once_per_pair_with_checkpoints(
    session_factory: sessionmaker[Session], world: testworld.World, model: dict[str, Any]
) -> None:
    result = _run(session_factory, world, model)
    with session_factory() as s:
        assert _count(s, TraceChunk, run_id=result.run_id) == 3
        first = _count(s, MatchCandidate)
        assert first > 0
        truth = world.truth
        shown = s.execute(
            select(MatchCandidate.debtor_key, MatchCandidate.profile_key).where(
                MatchCandidate.probability >= 0.9
            )
        ).all()
        assert sum((d, p) in truth for d, p in shown) / len(shown) >= 0.85
    again = _run(session_factory, world, model)
    assert again.run_id != result.run_id
    with session_factory() as s:
        assert _count(s, MatchCandidate) == first  # updated in place, never duplicated


def test_rejected_pair_stays_rejected_unless_a_record_changes(
    session_factory: sessionmaker[Session], world: testworld.World, model: dict[str, Any]
) -> None:
    _run(session_factory, world, model)
    with session_factory() as s:
        top = tracing_service.list_candidates(
            db_session=s, debtor_keys=list(world.debtors.debtor_id), review_threshold=0.5
        )[0]
        tracing_service.reject(
            db_session=s, candidate_id=top.id, actor="agent:bob", reason="other person"
        )
        s.commit()
        top_id, profile_key = top.id, top.profile_key
    _run(session_factory, world, model)
    with session_factory() as s:
        cand = tracing_service.get(db_session=s, candidate_id=top_id)
        assert cand.status == "rejected"
        assert top_id not in {
            c.id
            for c in tracing_service.list_candidates(
                db_session=s, debtor_keys=[cand.debtor_key], review_threshold=0.0
            )
        }
    # The profile changes (it now shows an e-mail address): the pair is proposed again.
    changed = world.profiles.copy()
    row = changed.index[changed.profile_id == profile_key][0]
    changed.at[row, "emails"] = ["someone.new@example.org"]
    _run(session_factory, world, model, changed)
    with session_factory() as s:
        cand = tracing_service.get(db_session=s, candidate_id=top_id)
        assert cand.status == "proposed"
        assert cand.decided_by is None


def test_nothing_becomes_evidence_without_acceptance(
    session_factory: sessionmaker[Session], world: testworld.World, model: dict[str, Any]
) -> None:
    _run(session_factory, world, model)
    with session_factory() as s:
        assert _count(s, Evidence) == 0  # a run alone creates none
        cands = tracing_service.list_candidates(
            db_session=s, debtor_keys=list(world.debtors.debtor_id), review_threshold=0.5, limit=50
        )
        with_city = [c for c in cands if c.profile_snapshot.get("city")]
        rejected, accepted = with_city[0], with_city[1]
        tracing_service.reject(
            db_session=s, candidate_id=rejected.id, actor="agent:bob", reason="namesake"
        )
        assert _count(s, Evidence) == 0
        bob = certify(s, "bob")  # accepting social evidence needs certified staff
        evidence = tracing_service.accept(
            db_session=s,
            candidate_id=accepted.id,
            actor=bob,
            reason="same employer and birthday",
        )
        s.commit()
        assert _count(s, Evidence) == len(evidence) >= 1
        city = next(e for e in evidence if e.kind == "current_city")
        assert city.value == accepted.profile_snapshot["city"]
        assert city.probability == accepted.probability
        assert city.provenance["profile_key"] == accepted.profile_key
        assert city.provenance["accepted_by"] == bob
        assert {e.debtor_key for e in evidence} == {accepted.debtor_key}
        actions = set(
            s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("tracing.%")))
        )
        assert {"tracing.candidate_accepted", "tracing.candidate_rejected"} <= actions
        with pytest.raises(Conflict):
            tracing_service.accept(
                db_session=s, candidate_id=rejected.id, actor=certify(s, "eve"), reason="x"
            )


def test_below_the_review_threshold_nothing_is_shown(
    session_factory: sessionmaker[Session], world: testworld.World, model: dict[str, Any]
) -> None:
    _run(session_factory, world, model)
    with session_factory() as s:
        keys = list(world.debtors.debtor_id)
        tracing_service.set_review_threshold(
            db_session=s, portfolio="acme", threshold=0.99, actor="admin"
        )
        threshold = tracing_service.review_threshold(db_session=s, portfolio="acme")
        assert threshold == 0.99
        shown = tracing_service.list_candidates(
            db_session=s, debtor_keys=keys, review_threshold=threshold, limit=10_000
        )
        assert shown and all(c.probability >= 0.99 for c in shown)
        everything = tracing_service.list_candidates(
            db_session=s, debtor_keys=keys, review_threshold=0.0, limit=10_000
        )
        assert len(everything) > len(shown)


def test_stored_competition_matches_resolve_competition(
    session_factory: sessionmaker[Session], world: testworld.World, model: dict[str, Any]
) -> None:
    """The run resolves competition over its stored candidates in bulk: the final weights
    are those scoring.resolve_competition gives for the same rows, and each candidate's
    rendered explanation adds up to its final weight."""
    result = _run(session_factory, world, model)
    with session_factory() as s:
        cands = list(
            s.scalars(select(MatchCandidate).where(MatchCandidate.run_id == result.run_id))
        )
        frame = pd.DataFrame(
            {
                "debtor_id": [c.debtor_key for c in cands],
                "profile_id": [c.profile_key for c in cands],
                "network_r": [c.network for c in cands],
                "match_weight": [c.match_weight for c in cands],
            }
        )
        expected = scoring.resolve_competition(
            frame,
            one_per_network=FAST.one_per_network,
            second_account_share=FAST.second_account_share,
        )
        moved = 0
        for cand, final, prob, comp in zip(
            cands,
            expected.final_weight,
            expected.final_probability,
            expected.competition_weight,
            strict=True,
        ):
            if abs(comp) > 1e-9:
                moved += 1
                assert cand.final_weight == pytest.approx(final, abs=1e-9)
                assert cand.probability == pytest.approx(prob, rel=1e-9, abs=1e-12)
            else:
                assert cand.final_weight == cand.match_weight
            lines = tracing_service.explanation(db_session=s, candidate=cand)
            assert sum(ln["weight"] for ln in lines) == pytest.approx(cand.final_weight, abs=1e-6)
            assert (lines[-1]["field"] == "competition") == (abs(comp) > 1e-9)
        assert moved > 0
