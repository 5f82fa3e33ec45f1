"""Tracing's answer for a data subject (see ``concilia.privacy.contract``): export, erasure.

Match candidates and evidence are derived data (inferences about who the person is online
and what that says about them). Erasure and objection delete every candidate naming the
debtor or one of their accepted profiles (accepted, proposed or rejected), and the evidence
drawn from them: none is needed for a legal claim, and their snapshots and explanations
quote the person's name, city and employer. Runs and policies hold no personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from concilia.tracing.models import Evidence, MatchCandidate

_GONE = ("nothing", "deleted: derived data on legitimate interest, no legal duty to keep")
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "tracing_candidates": _GONE,
    "tracing_evidence": _GONE,
}


def _candidates_of(debtor_id: int, profile_ids: Sequence[int]) -> ColumnElement[bool]:
    return or_(
        MatchCandidate.debtor_key == str(debtor_id),
        MatchCandidate.profile_key.in_([str(p) for p in profile_ids]),
    )


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """The debtor's match candidates (with their explanation) and the evidence accepted."""
    items: list[dict[str, Any]] = []
    for c in db_session.scalars(
        select(MatchCandidate)
        .where(MatchCandidate.debtor_key == str(debtor_id))
        .order_by(MatchCandidate.id)
    ):
        items.append(
            {
                "domain": "tracing",
                "table": "tracing_candidates",
                "record_id": c.id,
                "data": {
                    "profile_key": c.profile_key,
                    "network": c.network,
                    "probability": c.probability,
                    "status": c.status,
                    "profile_snapshot": c.profile_snapshot,
                    "explanation": c.explanation_data,
                    "decided_by": c.decided_by,
                    "decided_at": c.decided_at.isoformat() if c.decided_at else None,
                },
                "provenance": {"derived_by": "record linkage", "run_id": c.run_id},
                "purposes": ["locating"],
                "legal_basis": "art. 6(1)(f) GDPR (legitimate interest in locating the debtor)",
                "retain_until": None,
                "derived": True,
            }
        )
    for e in db_session.scalars(
        select(Evidence).where(Evidence.debtor_key == str(debtor_id)).order_by(Evidence.id)
    ):
        items.append(
            {
                "domain": "tracing",
                "table": "tracing_evidence",
                "record_id": e.id,
                "data": {"kind": e.kind, "value": e.value, "probability": e.probability},
                "provenance": {**e.provenance, "accepted_by": e.accepted_by},
                "purposes": ["locating"],
                "legal_basis": "art. 6(1)(f) GDPR (legitimate interest in locating the debtor)",
                "retain_until": None,
                "derived": True,
            }
        )
    return items


def erase_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
    actor: str,
    now: datetime,
    scope: str,
) -> list[dict[str, Any]]:
    """Delete the candidates naming the person and their evidence (erasure and objection)."""
    candidate_ids = list(
        db_session.scalars(select(MatchCandidate.id).where(_candidates_of(debtor_id, profile_ids)))
    )
    evidence = db_session.execute(
        delete(Evidence).where(
            or_(Evidence.debtor_key == str(debtor_id), Evidence.candidate_id.in_(candidate_ids))
        )
    )
    candidates = db_session.execute(
        delete(MatchCandidate).where(MatchCandidate.id.in_(candidate_ids))
    )
    return [
        {
            "domain": "tracing",
            "table": table,
            "action": "deleted",
            "rows": int(getattr(result, "rowcount", 0) or 0),
            "keeps": PERSONAL_DATA[table][0],
            "legal_ground": PERSONAL_DATA[table][1],
        }
        for table, result in (("tracing_evidence", evidence), ("tracing_candidates", candidates))
    ]


def purge_before(*, db_session: Session, before: datetime, dry_run: bool) -> dict[str, int]:
    """Delete candidates never accepted and untouched since ``before`` (retention schedule)."""
    stale = select(MatchCandidate.id).where(
        MatchCandidate.status != "accepted", MatchCandidate.updated_at < before
    )
    ids = list(db_session.scalars(stale))
    if not dry_run and ids:
        db_session.execute(delete(Evidence).where(Evidence.candidate_id.in_(ids)))
        db_session.execute(delete(MatchCandidate).where(MatchCandidate.id.in_(ids)))
    return {"tracing_candidates": len(ids)}


def social_first_use(*, db_session: Session) -> dict[int, datetime]:
    """Per debtor id, when a public profile was first accepted as theirs: the day data not
    obtained from them started being used (art. 14(3) counts from there)."""
    rows = db_session.execute(
        select(MatchCandidate.debtor_key, MatchCandidate.decided_at).where(
            MatchCandidate.status == "accepted", MatchCandidate.decided_at.is_not(None)
        )
    )
    first: dict[int, datetime] = {}
    for key, decided_at in rows:
        if key.isdigit() and decided_at is not None:
            debtor_id = int(key)
            if debtor_id not in first or decided_at < first[debtor_id]:
                first[debtor_id] = decided_at
    return first
