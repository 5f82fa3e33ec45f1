"""Whereabouts service: run an inference for a debtor's accepted profiles, store aggregates,
let an agent accept or reject it.

Privacy: friends' rows are read through ``sources.service`` into local variables, turned into
an anonymous graph (integers and city names), and dropped when the function returns. What is
stored is the :class:`WhereaboutsInference` row — city names, probabilities, counts, distances,
explanation text — and an audit entry with counts. No friend's id, name, handle or post.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.authenticity import service as authenticity_service
from concilia.db import utcnow
from concilia.errors import Conflict, Forbidden, InputProblem, InvalidInput, NotFound
from concilia.portfolio import service as portfolio_service
from concilia.sources import service as sources_service
from concilia.tracing import service as tracing_service
from concilia.tracing.whereabouts import personal_data as personal_data
from concilia.tracing.whereabouts.employer import infer_employer
from concilia.tracing.whereabouts.infer import PlaceStatement, WhereaboutsResult, ego_graph, infer
from concilia.tracing.whereabouts.mentions import statements_from_posts
from concilia.tracing.whereabouts.models import InferenceStatus, WhereaboutsInference
from concilia.tracing.whereabouts.params import DEFAULT_PARAMS, Params

METHOD_VERSION = "whereabouts-1"
MAX_SECOND_HOP = 2_000
# A profile with no post for this long may state a city it left.
STALE_PROFILE_DAYS = 730
STALE_PROFILE_WEIGHT = 0.25


def _usable_profiles(db_session: Session, profile_ids: Sequence[int]) -> list[int]:
    usable = []
    for pid in profile_ids:
        ok, _ = authenticity_service.can_use_as_evidence(db_session=db_session, profile_id=pid)
        if ok:
            usable.append(pid)
    return usable


def _gather_and_infer(
    db_session: Session, own_ids: Sequence[int], as_of: datetime, params: Params
) -> tuple[WhereaboutsResult, Any]:
    """Read the friend graph into memory, infer, and return only aggregates."""
    own = sources_service.get_profiles(db_session=db_session, profile_ids=own_ids)
    own_set = {p["id"] for p in own}
    edges = sources_service.friend_edges(db_session=db_session, profile_ids=sorted(own_set))
    friend_ids = sorted(
        {e["friend_id"] if e["profile_id"] in own_set else e["profile_id"] for e in edges} - own_set
    )
    # Friends flagged as fake accounts are noise, not people: leave them out.
    flags = authenticity_service.flags_for(db_session=db_session, profile_ids=friend_ids)
    friend_ids = [f for f in friend_ids if not (f in flags and flags[f].is_fake)]
    friends = {
        p["id"]: p
        for p in sources_service.get_profiles(db_session=db_session, profile_ids=friend_ids)
    }
    local = {fid: i for i, fid in enumerate(sorted(friends), start=1)}
    second_edges = sources_service.friend_edges(db_session=db_session, profile_ids=sorted(local))
    second: dict[int, int] = {}
    pairs: list[tuple[int, int]] = []
    for e in second_edges:
        a, b = e["profile_id"], e["friend_id"]
        for x, y in ((a, b), (b, a)):
            if x in local and y not in own_set:
                if y not in local and y not in second:
                    if len(second) >= MAX_SECOND_HOP:
                        continue
                    second[y] = len(local) + len(second) + 1
                pairs.append((local[x], local.get(y) or second[y]))
    hop2 = {
        p["id"]: p
        for p in sources_service.get_profiles(db_session=db_session, profile_ids=sorted(second))
    }
    graph = ego_graph(
        [(friends[f].get("city"), friends[f].get("country")) for f in sorted(friends)],
        pairs,
        [
            (n, hop2.get(g, {}).get("city"), hop2.get(g, {}).get("country"))
            for g, n in second.items()
        ],
    )
    posts, _ = sources_service.posts_for_profiles(
        db_session=db_session, profile_ids=sorted(own_set), purpose="locating"
    )
    statements: list[PlaceStatement] = []
    for p in own:
        mine = [
            (post["posted_at"], post["text"]) for post in posts if post["profile_id"] == p["id"]
        ]
        last = max((at for at, _ in mine), default=None)
        stale = last is not None and (as_of - _aware(last)).days > STALE_PROFILE_DAYS
        if p.get("city"):
            statements.append(
                PlaceStatement(
                    p["city"],
                    p.get("country"),
                    kind="profile",
                    weight=STALE_PROFILE_WEIGHT if stale else 1.0,
                )
            )
        statements += statements_from_posts(
            [(_aware(at), text) for at, text in mine], p.get("country")
        )
    result = infer(graph, statements, as_of=as_of, params=params)
    colleagues = [f.get("employer") for f in friends.values() if f.get("network") == "pro"]
    stated_employer = next((p.get("employer") for p in own if p.get("employer")), None)
    return result, infer_employer(stated_employer, colleagues)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def run_inference(
    *,
    db_session: Session,
    debtor_id: int,
    actor: str,
    case_id: int | None = None,
    profile_ids: Sequence[int] | None = None,
    params: Params = DEFAULT_PARAMS,
    as_of: datetime | None = None,
) -> WhereaboutsInference:
    """Infer a debtor's likely city (and employer) from their accepted profiles' friend graph.

    ``profile_ids`` defaults to every accepted profile of the debtor; given ones must be
    accepted for this debtor. Profiles flagged fake or impersonating (without an override)
    are not used. Stores aggregates only, as a proposal for an agent. Conflict when the
    person objected to social-data processing (art. 21).
    """
    if portfolio_service.personal_data.social_objections(
        db_session=db_session, debtor_ids=[debtor_id]
    ):
        raise Conflict(f"debtor {debtor_id} objected to social-data processing (art. 21)")
    accepted = tracing_service.accepted_profiles_by_debtor(
        db_session=db_session, debtor_keys=[str(debtor_id)]
    ).get(str(debtor_id), [])
    wanted = list(profile_ids) if profile_ids is not None else accepted
    not_accepted = sorted(set(wanted) - set(accepted))
    if not_accepted:
        raise InvalidInput(
            [
                InputProblem(
                    "request",
                    0,
                    "profile_ids",
                    f"profile {p} is not an accepted match of debtor {debtor_id}",
                )
                for p in not_accepted
            ]
        )
    usable = _usable_profiles(db_session, wanted)
    if not usable:
        raise Conflict(
            f"debtor {debtor_id} has no accepted profile usable as evidence "
            "(none accepted, or all flagged fake/impersonating without an override)"
        )
    now = as_of or utcnow()
    result, employer = _gather_and_infer(db_session, usable, now, params)
    top = result.top
    explanation = list(result.explanation)
    if result.decline_reason:
        explanation.append(f"no guess: {result.decline_reason}")
    if employer is not None:
        explanation.append(employer.explanation)
    row = WhereaboutsInference(
        case_id=case_id,
        debtor_id=debtor_id,
        profile_id=usable[0],
        status=InferenceStatus.proposed if result.answered else InferenceStatus.declined,
        top_city=top.label if top and result.answered else None,
        top_country=top.country if top and result.answered else None,
        top_city_id=top.city_id if top and result.answered else None,
        confidence=result.confidence,
        dispersion_km=result.dispersion_km,
        ranked=[
            {
                "city": r.label,
                "city_id": r.city_id,
                "country": r.country,
                "probability": r.probability,
                "friends_within_25km": r.friends_within_25km,
                "distance_to_stated_km": r.distance_to_stated_km,
            }
            for r in result.ranked
        ],
        counts={**result.counts, "profiles_used": len(usable)},
        employer=employer.name if employer else None,
        employer_share=employer.share if employer else None,
        explanation=explanation,
        decline_reason=result.decline_reason,
        method_version=METHOD_VERSION,
        created_at=utcnow(),
        created_by=actor,
    )
    db_session.add(row)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="tracing.whereabouts_inferred",
        object_type="whereabouts_inference",
        object_id=row.id,
        change={"debtor_id": debtor_id, "status": row.status.value, "top_city": row.top_city},
        detail={
            "status": row.status.value,
            "confidence": row.confidence,
            "friends": result.counts["friends"],
            "profiles_used": len(usable),
        },
    )
    return row


def get(*, db_session: Session, inference_id: int) -> WhereaboutsInference:
    """The inference with this id, or NotFound."""
    row = db_session.get(WhereaboutsInference, inference_id)
    if row is None:
        raise missing(inference_id)
    return row


def missing(inference_id: int) -> NotFound:
    """The error for an inference that does not exist, or that the reader may not see."""
    return NotFound(f"whereabouts inference {inference_id} not found")


def list_for_debtor(*, db_session: Session, debtor_id: int) -> list[WhereaboutsInference]:
    """A debtor's inferences, newest first."""
    return list(
        db_session.scalars(
            select(WhereaboutsInference)
            .where(WhereaboutsInference.debtor_id == debtor_id)
            .order_by(WhereaboutsInference.id.desc())
        )
    )


def accepted_for_debtor(*, db_session: Session, debtor_id: int) -> WhereaboutsInference | None:
    """The latest accepted inference of a debtor: the one that counts as evidence."""
    return db_session.scalar(
        select(WhereaboutsInference)
        .where(
            WhereaboutsInference.debtor_id == debtor_id,
            WhereaboutsInference.status == InferenceStatus.accepted,
        )
        .order_by(WhereaboutsInference.decided_at.desc(), WhereaboutsInference.id.desc())
        .limit(1)
    )


def decide(
    *, db_session: Session, inference_id: int, accept: bool, actor: str, reason: str
) -> WhereaboutsInference:
    """An agent accepts (it becomes evidence) or rejects a proposed inference; audited."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput([InputProblem("request", 0, "reason", "a reason is required")])
    row = get(db_session=db_session, inference_id=inference_id)
    if row.status != InferenceStatus.proposed:
        raise Conflict(f"whereabouts inference {row.id} is {row.status.value}, not proposed")
    if accept:
        ok, why = authenticity_service.can_use_as_evidence(
            db_session=db_session, profile_id=row.profile_id
        )
        if not ok:
            raise Forbidden("the profile behind this inference is flagged: " + "; ".join(why))
    row.status = InferenceStatus.accepted if accept else InferenceStatus.rejected
    row.decided_at = utcnow()
    row.decided_by = actor
    row.decision_reason = text
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="tracing.whereabouts_accepted" if accept else "tracing.whereabouts_rejected",
        object_type="whereabouts_inference",
        object_id=row.id,
        change={"status": row.status.value, "reason": text, "top_city": row.top_city},
        detail={"status": row.status.value, "confidence": row.confidence},
    )
    return row
