"""Tracing service: the review queue, decisions and evidence; the only door into tracing.

Nothing becomes evidence without a person's acceptance: evidence rows are created in
:func:`accept` only. A service never commits; the caller owns the unit of work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.authenticity import service as authenticity_service
from concilia.certification import service as certification_service
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.portfolio import service as portfolio_service
from concilia.tracing import explain
from concilia.tracing import personal_data as personal_data
from concilia.tracing.models import Evidence, MatchCandidate, TraceRun, TracingPolicy

# Where candidates shown were right at least 97 % of the time on both simulated worlds of
# bench/tracing_quality.py (docs/tracing.md), once the prior counts at most one match per
# debtor and network; a portfolio sets its own with `concilia trace threshold`.
DEFAULT_REVIEW_THRESHOLD = 0.85
EVIDENCE_FIELDS = {"city": "current_city", "employer": "employer", "handle": "contact_handle"}


def get(*, db_session: Session, candidate_id: int) -> MatchCandidate:
    """The candidate with this id, or NotFound."""
    cand = db_session.get(MatchCandidate, candidate_id)
    if cand is None:
        raise NotFound(f"match candidate {candidate_id} not found")
    return cand


def list_candidates(
    *,
    db_session: Session,
    debtor_keys: list[str],
    portfolio: str | None = None,
    status: str | None = "proposed",
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    limit: int = 10,
) -> list[MatchCandidate]:
    """A debtor's candidates at or above the review threshold, most probable first."""
    query = select(MatchCandidate).where(
        MatchCandidate.debtor_key.in_(debtor_keys),
        MatchCandidate.probability >= review_threshold,
    )
    if portfolio is not None:
        query = query.where(MatchCandidate.portfolio == portfolio)
    if status is not None:
        query = query.where(MatchCandidate.status == status)
    query = query.order_by(MatchCandidate.probability.desc(), MatchCandidate.id).limit(limit)
    return list(db_session.scalars(query))


def explanation(*, db_session: Session, candidate: MatchCandidate) -> list[dict[str, Any]]:
    """The candidate's plain-word lines, one per field, whose log2 weights add up to its
    final weight.

    Batch runs store a compact form (levels, term-frequency adjustments, quoted values),
    rendered here with the run's explanation model; other writers store the lines."""
    data = candidate.explanation_data
    if not data or isinstance(data[0], dict):
        return list(data or [])
    run = db_session.get(TraceRun, candidate.run_id)
    if run is None or run.explain_model is None:
        raise ValueError(f"match candidate {candidate.id}: its run has no explanation model")
    return explain.render(
        data,
        run.explain_model,
        match_weight=candidate.match_weight,
        final_weight=candidate.final_weight,
    )


def _require_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(problems=[InputProblem("request", 0, "reason", "a reason is required")])
    return text


def _decide(cand: MatchCandidate, status: str, actor: str, reason: str) -> None:
    if cand.status != "proposed":
        raise Conflict(f"match candidate {cand.id} is already {cand.status}")
    cand.status = status
    cand.decided_by = actor
    cand.decided_at = utcnow()
    cand.reason = reason
    cand.updated_at = cand.decided_at


def authenticity_lines(*, db_session: Session, profile_key: str) -> tuple[bool, list[str]]:
    """Whether the candidate's profile may become evidence, with the authenticity reasons.

    Runs that read the database key profiles by their numeric id; runs fed from files use
    the file's external ids, which were never scored, and say so.
    """
    if not profile_key.isdigit():
        return True, ["not checked for fake accounts: the profile was not read from the database"]
    return authenticity_service.can_use_as_evidence(
        db_session=db_session, profile_id=int(profile_key)
    )


def accept(*, db_session: Session, candidate_id: int, actor: str, reason: str) -> list[Evidence]:
    """Accept a candidate: it becomes evidence (city, employer, handle) with provenance."""
    cand = get(db_session=db_session, candidate_id=candidate_id)
    reason = _require_reason(reason)
    if cand.debtor_key.isdigit() and portfolio_service.personal_data.social_objections(
        db_session=db_session, debtor_ids=[int(cand.debtor_key)]
    ):
        raise Conflict(f"debtor {cand.debtor_key} objected to social-data processing (art. 21)")
    # A social profile becomes evidence only by certified staff (issue 20); audited if refused.
    certification_service.require_social_channels(
        db_session=db_session, action="tracing.accept", actor=actor
    )
    usable, why = authenticity_lines(db_session=db_session, profile_key=cand.profile_key)
    if not usable:
        raise Conflict(f"profile {cand.profile_key} cannot become evidence: " + "; ".join(why))
    _decide(cand, "accepted", actor, reason)
    snap = cand.profile_snapshot or {}
    provenance = {
        "profile_key": cand.profile_key,
        "network": cand.network,
        "source": snap.get("source"),
        "url": snap.get("url"),
        "captured_at": str(snap["captured_at"]) if snap.get("captured_at") else None,
        "match_candidate_id": cand.id,
        "accepted_by": actor,
    }
    created = []
    for field, kind in EVIDENCE_FIELDS.items():
        value = snap.get(field)
        if not value:
            continue
        ev = Evidence(
            candidate_id=cand.id,
            debtor_key=cand.debtor_key,
            kind=kind,
            value=str(value)[:300],
            probability=cand.probability,
            provenance=provenance,
            accepted_by=actor,
            created_at=utcnow(),
        )
        db_session.add(ev)
        created.append(ev)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="tracing.candidate_accepted",
        object_type="match_candidate",
        object_id=cand.id,
        change={
            "status": "accepted",
            "reason": cand.reason,
            "probability": cand.probability,
            "evidence": [ev.id for ev in created],
        },
        detail={"evidence_count": len(created), "probability": round(cand.probability, 4)},
    )
    return created


def reject(*, db_session: Session, candidate_id: int, actor: str, reason: str) -> MatchCandidate:
    """Reject a candidate; it is not proposed again unless either record changes."""
    cand = get(db_session=db_session, candidate_id=candidate_id)
    _decide(cand, "rejected", actor, _require_reason(reason))
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="tracing.candidate_rejected",
        object_type="match_candidate",
        object_id=cand.id,
        change={"status": "rejected", "reason": cand.reason},
        detail={"probability": round(cand.probability, 4)},
    )
    return cand


def list_evidence(*, db_session: Session, debtor_key: str) -> list[Evidence]:
    """Evidence accepted for a debtor, newest first."""
    return list(
        db_session.scalars(
            select(Evidence)
            .where(Evidence.debtor_key == debtor_key)
            .order_by(Evidence.created_at.desc(), Evidence.id.desc())
        )
    )


def decisions(*, db_session: Session, portfolio: str) -> list[dict[str, Any]]:
    """Agents' accept/reject decisions, used to refine the model's m probabilities."""
    rows = db_session.execute(
        select(MatchCandidate.debtor_key, MatchCandidate.profile_key, MatchCandidate.status).where(
            MatchCandidate.portfolio == portfolio,
            MatchCandidate.status.in_(["accepted", "rejected"]),
        )
    ).all()
    return [{"debtor_id": d, "profile_id": p, "accepted": s == "accepted"} for d, p, s in rows]


def review_threshold(*, db_session: Session, portfolio: str) -> float:
    """The portfolio's review threshold (the default when none was set)."""
    policy = db_session.scalars(
        select(TracingPolicy).where(TracingPolicy.portfolio == portfolio)
    ).first()
    return policy.review_threshold if policy else DEFAULT_REVIEW_THRESHOLD


def set_review_threshold(
    *, db_session: Session, portfolio: str, threshold: float, actor: str
) -> TracingPolicy:
    """Set the probability under which a portfolio's candidates are not shown."""
    if not 0.0 < threshold < 1.0:
        raise InvalidInput(
            problems=[InputProblem("request", 0, "review_threshold", "must be between 0 and 1")]
        )
    policy = db_session.scalars(
        select(TracingPolicy).where(TracingPolicy.portfolio == portfolio)
    ).first()
    old = policy.review_threshold if policy else None
    if policy is None:
        policy = TracingPolicy(
            portfolio=portfolio, review_threshold=threshold, updated_by=actor, updated_at=utcnow()
        )
        db_session.add(policy)
    else:
        policy.review_threshold, policy.updated_by = threshold, actor
        policy.updated_at = utcnow()
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="tracing.threshold_set",
        object_type="tracing_policy",
        object_id=policy.id,
        change={"portfolio": portfolio, "from": old, "to": threshold},
        detail={"review_threshold": threshold},
    )
    return policy


def accepted_profiles_by_debtor(
    *, db_session: Session, debtor_keys: list[str] | None = None
) -> dict[str, list[int]]:
    """Source profile ids an agent accepted as each debtor's (all debtors when keys is None).

    Only database-read runs key profiles by their source id; a file-fed run's external ids
    name no stored profile, so they are left out. Debtors with no accepted profile are absent.
    """
    query = select(MatchCandidate.debtor_key, MatchCandidate.profile_key).where(
        MatchCandidate.status == "accepted"
    )
    chunks: list[list[str] | None] = [None]
    if debtor_keys is not None:
        keys = sorted(set(debtor_keys))
        chunks = [keys[start : start + 1_000] for start in range(0, len(keys), 1_000)]
    found: dict[str, set[int]] = {}
    for chunk in chunks:
        stmt = query if chunk is None else query.where(MatchCandidate.debtor_key.in_(chunk))
        for debtor_key, profile_key in db_session.execute(stmt):
            if profile_key.isdigit():
                found.setdefault(debtor_key, set()).add(int(profile_key))
    return {key: sorted(found[key]) for key in sorted(found)}


def _handle(value: str) -> str:
    return value.strip().lstrip("@").lower()


def reject_by_contact_point(
    *, db_session: Session, debtor_key: str, handle: str | None, actor: str, reason: str
) -> list[MatchCandidate]:
    """Someone reached at a traced contact says they are not the debtor (the portal's "this
    is not me"): the accepted matches that gave the debtor this handle (every accepted match
    that gave a handle, when the person did not say which) become rejected and their evidence
    is withdrawn, so the decisions the model learns from count them as wrong."""
    reason = _require_reason(reason)
    query = select(Evidence).where(
        Evidence.debtor_key == debtor_key, Evidence.kind == "contact_handle"
    )
    wanted = _handle(handle) if handle else None
    candidate_ids = {
        ev.candidate_id
        for ev in db_session.scalars(query)
        if wanted is None or _handle(ev.value) == wanted
    }
    rejected = []
    for cand in db_session.scalars(
        select(MatchCandidate).where(
            MatchCandidate.id.in_(candidate_ids), MatchCandidate.status == "accepted"
        )
    ):
        withdrawn = list(
            db_session.scalars(select(Evidence).where(Evidence.candidate_id == cand.id))
        )
        for ev in withdrawn:
            db_session.delete(ev)
        cand.status, cand.decided_by, cand.reason = "rejected", actor, reason
        cand.decided_at = cand.updated_at = utcnow()
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="tracing.candidate_rejected",
            object_type="match_candidate",
            object_id=cand.id,
            change={"status": "rejected", "reason": reason, "withdrawn": [e.id for e in withdrawn]},
            detail={"withdrawn_evidence": len(withdrawn), "from": "accepted"},
        )
        rejected.append(cand)
    db_session.flush()
    return rejected
