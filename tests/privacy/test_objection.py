"""An art. 21 objection works at source: it sets the person's flag in portfolio, and tracing
(the run's inputs, accepting a candidate, whereabouts) and signals check it before they
process that person — skipped with a recorded reason — not only a purge after the fact."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.errors import Conflict
from concilia.portfolio import service as portfolio_service
from concilia.privacy import service as privacy_service
from concilia.signals import service as signals_service
from concilia.signals.models import SignalEvent
from concilia.tracing import inputs
from concilia.tracing import service as tracing_service
from concilia.tracing.models import MatchCandidate, TraceRun
from concilia.tracing.whereabouts import service as whereabouts_service
from tests.privacy.world import CREDITOR, NOW, build


def _actions(db_session: Session, action: str) -> list[AuditEntry]:
    return list(db_session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_objection_stops_tracing_and_signals_before_they_process(
    db_session: Session, tmp_path: Path
) -> None:
    world = build(db_session, tmp_path)
    # Before: both people go into a tracing run.
    debtors, _ = inputs.from_database(db_session=db_session, portfolio=CREDITOR)
    assert set(debtors["debtor_id"]) == {str(world.debtor_id), str(world.other_debtor_id)}

    jeanne = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    privacy_service.object_to_social(
        db_session=db_session, subject=jeanne, actor="user:olga", reason="letter of 2 Dec"
    )
    assert portfolio_service.personal_data.social_objections(db_session=db_session) == {
        world.debtor_id
    }
    [flag_set] = _actions(db_session, "portfolio.social_objection_set")
    assert flag_set.object_id == str(world.debtor_id) and flag_set.actor == "user:olga"
    exported = [
        i.data
        for i in privacy_service.collect(db_session=db_session, subject=jeanne)
        if i.table == "debtors"
    ]
    assert exported[0]["social_objection_at"] is not None

    # Tracing: she is left out of the run's inputs, and the run says why.
    debtors, _ = inputs.from_database(db_session=db_session, portfolio=CREDITOR)
    assert set(debtors["debtor_id"]) == {str(world.other_debtor_id)}
    [skipped] = _actions(db_session, "tracing.debtors_skipped")
    assert skipped.detail == {"reason": "art. 21 objection", "debtors": [world.debtor_id]}

    # A candidate proposed for her (say by a run before the objection) cannot be accepted.
    run_id = db_session.scalar(select(TraceRun.id).limit(1))
    candidate = MatchCandidate(
        portfolio=CREDITOR, debtor_key=str(world.debtor_id), profile_key="999", network="social",
        run_id=run_id, match_weight=9.0, final_weight=9.0, probability=0.98, explanation_data=[],
        profile_snapshot={}, status="proposed", debtor_fingerprint="d", profile_fingerprint="p",
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    db_session.add(candidate)
    db_session.flush()
    with pytest.raises(Conflict, match=r"art\. 21"):
        tracing_service.accept(
            db_session=db_session, candidate_id=candidate.id, actor="agent1", reason="same"
        )
    with pytest.raises(Conflict, match=r"art\. 21"):
        whereabouts_service.run_inference(
            db_session=db_session, debtor_id=world.debtor_id, actor="agent1"
        )

    # Signals: her case is skipped before any post is read; Paul's is processed.
    run = signals_service.start_run(db_session=db_session, actor="job:test", model_key="test")
    result = signals_service.run_case(
        db_session=db_session, case_id=world.case_id, actor="job:test", run=run, profile_ids=[1]
    )
    assert result.skipped == {"objection": 1} and result.posts_read == 0
    assert not list(
        db_session.scalars(select(SignalEvent).where(SignalEvent.case_id == world.case_id))
    )
    [case_skipped] = _actions(db_session, "signals.case_skipped")
    assert case_skipped.object_id == str(world.case_id)
    assert case_skipped.detail == {"reason": "art. 21 objection"}
    [(paul_case, *_)] = [
        portfolio_service.personal_data.find_subject(
            db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-2"
        )[1]  # type: ignore[index]
    ]
    paul = signals_service.run_case(
        db_session=db_session, case_id=paul_case, actor="job:test", run=run, profile_ids=[]
    )
    assert "objection" not in paul.skipped

    # Lifting the objection (the person withdraws it) lets processing resume.
    portfolio_service.personal_data.set_social_objection(
        db_session=db_session, debtor_id=world.debtor_id, objected=False, actor="user:olga",
        reason="withdrawn by letter",
    )  # fmt: skip
    debtors, _ = inputs.from_database(db_session=db_session, portfolio=CREDITOR)
    assert str(world.debtor_id) in set(debtors["debtor_id"])
