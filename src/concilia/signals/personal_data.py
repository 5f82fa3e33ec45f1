"""Signals' answer for a data subject (see ``concilia.privacy.contract``).

Events and assessments are inferences from the person's public posts (ability to pay,
possible vulnerability): erasure and objection delete them. The case's own
``vulnerability_possible`` flag stays in portfolio, since it protects the person from an
unsuitable approach. Runs hold counts only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.signals import vulnerability
from concilia.signals.models import SignalAssessment, SignalEvent, VulnerabilityRecord

_GONE = ("nothing", "deleted: inferences on legitimate interest, no legal duty to keep")
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "signals_events": _GONE,
    "signals_assessments": _GONE,
    "signals_vulnerability_records": (
        "nothing",
        "deleted: kept only on the person's consent, which erasure and objection end",
    ),
}
_BASIS = "art. 6(1)(f) GDPR (legitimate interest in a suitable, affordable approach)"


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """Events (flags and cue words, never a special-category detail) and assessments."""
    ids = list(case_ids)
    items: list[dict[str, Any]] = [
        {
            "domain": "signals",
            "table": "signals_events",
            "record_id": e.id,
            "data": {
                "case_id": e.case_id,
                "event_type": e.event_type,
                "confidence": e.confidence,
                "posted_at": e.posted_at.isoformat(),
                "cues": e.cues,
                "entities": e.entities,
            },
            "provenance": {"derived_by": "signals classifier", "post_id": e.post_id},
            "purposes": ["credit_assessment"],
            "legal_basis": _BASIS,
            "retain_until": None,
            "derived": True,
        }
        for e in db_session.scalars(
            select(SignalEvent).where(SignalEvent.case_id.in_(ids)).order_by(SignalEvent.id)
        )
    ]
    for a in db_session.scalars(select(SignalAssessment).where(SignalAssessment.case_id.in_(ids))):
        items.append(
            {
                "domain": "signals",
                "table": "signals_assessments",
                "record_id": a.id,
                "data": {
                    "case_id": a.case_id,
                    "band": a.band,
                    "approach": a.approach,
                    "score": a.score,
                    "vulnerability_possible": a.vulnerability_possible,
                    "evidence": a.evidence,
                    "status": a.status,
                    "decided_by": a.decided_by,
                },
                "provenance": {
                    "derived_by": "signals ability assessment",
                    "as_of": a.as_of.isoformat(),
                },
                "purposes": ["credit_assessment"],
                "legal_basis": _BASIS,
                "retain_until": None,
                "derived": True,
            }
        )
    for r in db_session.scalars(
        select(VulnerabilityRecord)
        .where(VulnerabilityRecord.case_id.in_(ids))
        .order_by(VulnerabilityRecord.id)
    ):
        # The person's own words, given to us with their consent: theirs to see.
        detail = (
            json.loads(crypto.decrypt(r.detail_encrypted, context=vulnerability.DETAIL_CONTEXT))
            if r.detail_encrypted
            else None
        )
        items.append(
            {
                "domain": "signals",
                "table": "signals_vulnerability_records",
                "record_id": r.id,
                "data": {"case_id": r.case_id, "channel": r.channel, "detail": detail},
                "provenance": {"given_by": "the data subject", "channel": r.channel},
                "purposes": ["vulnerability_support"],
                "legal_basis": "art. 9(2)(a) GDPR (explicit consent: "
                f"{r.consent_statement}, {r.consent_at.isoformat()})",
                "retain_until": None,
                "derived": False,
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
    """Delete the cases' events, assessments and vulnerability records (erasure, objection)."""
    ids = list(case_ids)
    results = (
        (
            "signals_events",
            db_session.execute(delete(SignalEvent).where(SignalEvent.case_id.in_(ids))),
        ),
        (
            "signals_assessments",
            db_session.execute(delete(SignalAssessment).where(SignalAssessment.case_id.in_(ids))),
        ),
        (
            "signals_vulnerability_records",
            db_session.execute(
                delete(VulnerabilityRecord).where(VulnerabilityRecord.case_id.in_(ids))
            ),
        ),
    )
    return [
        {
            "domain": "signals",
            "table": table,
            "action": "deleted",
            "rows": int(getattr(result, "rowcount", 0) or 0),
            "keeps": PERSONAL_DATA[table][0],
            "legal_ground": PERSONAL_DATA[table][1],
        }
        for table, result in results
    ]


def purge_before(*, db_session: Session, before: datetime, dry_run: bool) -> dict[str, int]:
    """Delete events read and assessments made before ``before`` (retention schedule)."""
    events = list(db_session.scalars(select(SignalEvent.id).where(SignalEvent.created_at < before)))
    assessments = list(
        db_session.scalars(select(SignalAssessment.id).where(SignalAssessment.updated_at < before))
    )
    if not dry_run:
        db_session.execute(delete(SignalAssessment).where(SignalAssessment.id.in_(assessments)))
        db_session.execute(delete(SignalEvent).where(SignalEvent.id.in_(events)))
    return {"signals_events": len(events), "signals_assessments": len(assessments)}
