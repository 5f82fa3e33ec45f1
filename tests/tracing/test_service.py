"""The tracing service's doors other domains use: accepted profiles, explanations."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.tracing import service as tracing_service
from concilia.tracing.models import MatchCandidate, TraceRun


def _run(db_session: Session, explain_model: dict[str, Any] | None = None) -> TraceRun:
    run = TraceRun(
        portfolio="acme", engine="duckdb", inputs_fingerprint="x", chunk_size=1, chunk_count=1,
        explain_model=explain_model, started_by="test", started_at=utcnow(),
    )  # fmt: skip
    db_session.add(run)
    db_session.flush()
    return run


def _candidate(
    db_session: Session, run: TraceRun, debtor: str, profile: str, **kw: Any
) -> MatchCandidate:
    values: dict[str, Any] = {
        "portfolio": "acme", "debtor_key": debtor, "profile_key": profile, "run_id": run.id,
        "match_weight": 9.0, "final_weight": 9.0, "probability": 0.99, "explanation_data": [],
        "profile_snapshot": {}, "status": "accepted", "debtor_fingerprint": "d",
        "profile_fingerprint": "p", "created_at": utcnow(), "updated_at": utcnow(),
    }  # fmt: skip
    cand = MatchCandidate(**{**values, **kw})
    db_session.add(cand)
    db_session.flush()
    return cand


def test_every_accepted_profile_of_a_debtor_is_returned(db_session: Session) -> None:
    """120 accepted profiles, most of them under the review threshold: all of them count."""
    run = _run(db_session)
    for n in range(120):
        _candidate(db_session, run, "7", str(1000 + n), probability=0.5 + n / 1000)
    _candidate(db_session, run, "7", "5", status="rejected")
    found = tracing_service.accepted_profiles_by_debtor(db_session=db_session, debtor_keys=["7"])
    assert found == {"7": list(range(1000, 1120))}


def test_explanation_lines_are_returned_as_stored(db_session: Session) -> None:
    lines = [{"field": "name", "text": "same name", "weight": 9.0}]
    cand = _candidate(db_session, _run(db_session), "7", "1", explanation_data=lines)
    assert tracing_service.explanation(db_session=db_session, candidate=cand) == lines


def test_a_compact_explanation_needs_its_runs_model(db_session: Session) -> None:
    cand = _candidate(db_session, _run(db_session), "7", "1", explanation_data=[[0, 1, 2]])
    with pytest.raises(ValueError, match="no explanation model"):
        tracing_service.explanation(db_session=db_session, candidate=cand)
