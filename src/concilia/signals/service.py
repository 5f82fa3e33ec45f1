"""The signals domain's door: read a case's public posts, store events, suggest an approach.

Inputs come through other domains' services only: the case and its debtor from portfolio,
the profiles an agent accepted for that debtor from tracing, their posts (only from
sources whose terms allow ``credit_assessment``) from sources. A service never commits.

Privacy order for every post: classify in memory, run the special-category guard, and only
then write; a special-category post's text is also redacted at the source.

Text the debtor gives directly (portal chat, replies, dispute reasons) goes through
:func:`screen_debtor_text` before it is stored (see ``vulnerability.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.portfolio import service as portfolio_service
from concilia.signals import ability, classify
from concilia.signals import personal_data as personal_data
from concilia.signals.labels import VULNERABILITY_EVENT, VULNERABILITY_LABELS
from concilia.signals.model import EventModel
from concilia.signals.models import SignalAssessment, SignalEvent, SignalRun
from concilia.signals.vulnerability import REDACTED as REDACTED
from concilia.signals.vulnerability import Consent as Consent
from concilia.signals.vulnerability import Reading as Reading
from concilia.signals.vulnerability import Screened as Screened
from concilia.signals.vulnerability import VulnerabilityFlag as VulnerabilityFlag
from concilia.signals.vulnerability import list_vulnerability_flags as list_vulnerability_flags
from concilia.signals.vulnerability import read_debtor_text as read_debtor_text
from concilia.signals.vulnerability import read_vulnerability_detail as read_vulnerability_detail
from concilia.signals.vulnerability import screen_debtor_text as screen_debtor_text
from concilia.signals.vulnerability import withdraw_consent as withdraw_consent
from concilia.sources import service as sources_service
from concilia.tracing import service as tracing_service

PURPOSE = "credit_assessment"
DECISIONS = ("accepted", "rejected")


@dataclass
class CaseResult:
    """What one case's pass read, skipped and suggested."""

    case_id: int
    posts_read: int = 0
    skipped: dict[str, int] = field(
        default_factory=lambda: {"language": 0, "terms": 0, "redacted": 0}
    )
    special_category: int = 0
    events: int = 0
    band: str = "medium"
    approach: str = "standard_plan"
    vulnerability_possible: bool = False


def traced_cases(*, db_session: Session) -> Iterator[tuple[int, list[int]]]:
    """(case id, accepted profile ids) for every case whose debtor has an accepted profile."""
    accepted = tracing_service.accepted_profiles_by_debtor(db_session=db_session)
    # Debtor keys are the portfolio's debtor ids as text; any other key names no debtor here.
    for debtor_id, key in sorted((int(key), key) for key in accepted if key.isdigit()):
        for debt in portfolio_service.list_debts_of_debtor(
            db_session=db_session, debtor_id=debtor_id
        ):
            case = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id)
            yield case.id, accepted[key]


def _accepted_profiles_of_case(*, db_session: Session, case_id: int) -> list[int]:
    debtor_key = str(
        portfolio_service.get_case(db_session=db_session, case_id=case_id).debt.debtor_id
    )
    found = tracing_service.accepted_profiles_by_debtor(
        db_session=db_session, debtor_keys=[debtor_key]
    )
    return found.get(debtor_key, [])


def start_run(*, db_session: Session, actor: str, model_key: str) -> SignalRun:
    """Open a run record (its counts are filled as cases are processed)."""
    run = SignalRun(actor=actor, model_key=model_key, started_at=utcnow())
    db_session.add(run)
    db_session.flush()
    return run


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def process_posts(
    *,
    db_session: Session,
    case_id: int,
    run: SignalRun,
    posts: Sequence[dict[str, Any]],
    skipped_terms: int,
    actor: str,
    model: EventModel | None = None,
    as_of: datetime | None = None,
) -> CaseResult:
    """Classify posts, guard them, replace the case's events and assessment (audited)."""
    result = CaseResult(case_id=case_id)
    result.skipped["terms"] = skipped_terms
    readable = [p for p in posts if not p.get("redacted") and p.get("text")]
    result.skipped["redacted"] = len(posts) - len(readable)
    readings = classify.read([p["text"] for p in readable], model=model) if readable else []
    now = utcnow()
    db_session.execute(delete(SignalEvent).where(SignalEvent.case_id == case_id))
    events: list[SignalEvent] = []
    special_posts: list[int] = []
    for post, reading in zip(readable, readings, strict=True):
        # Before the language skip: a post the guard flags or cannot read loses its text
        # whatever its language.
        if reading.special or reading.refused:
            result.special_category += 1
            special_posts.append(int(post["id"]))
        if reading.skipped:
            result.skipped["language"] += 1
            continue
        result.posts_read += 1
        if reading.label == "none":
            continue
        vulnerable = reading.label in VULNERABILITY_LABELS
        # Cues and names of a special-category post are already empty (classify.read).
        event = SignalEvent(
            case_id=case_id,
            run_id=run.id,
            post_id=int(post["id"]),
            posted_at=_aware(post["posted_at"]),
            event_type=VULNERABILITY_EVENT if vulnerable else reading.label,
            confidence=reading.confidence,
            lang=reading.lang,
            cues=[] if vulnerable else reading.cues,
            entities=[]
            if vulnerable
            else [{"kind": e.kind, "name": e.name, "country": e.country} for e in reading.entities],
            special_category=bool(reading.special),
            created_at=now,
        )
        db_session.add(event)
        events.append(event)
    # Posts whose text revealed health at import were redacted then (sources writes them with
    # this reason): all that is left, and all that is needed, is a possible vulnerability.
    for post in posts:
        if post.get("redacted") and post.get("redaction_reason") == VULNERABILITY_EVENT:
            result.special_category += 1
            event = SignalEvent(
                case_id=case_id,
                run_id=run.id,
                post_id=int(post["id"]),
                posted_at=_aware(post["posted_at"]),
                event_type=VULNERABILITY_EVENT,
                # The guard's verdict, not a probability: the text named a health matter.
                confidence=1.0,
                lang=(post.get("language") or "")[:5],
                cues=[],
                entities=[],
                special_category=True,
                created_at=now,
            )
            db_session.add(event)
            events.append(event)
    db_session.flush()
    if special_posts:
        sources_service.redact_posts(
            db_session=db_session, post_ids=special_posts, reason="special_category", actor=actor
        )
    result.events = len(events)
    assessment = _assess(
        db_session=db_session, case_id=case_id, run=run, events=events, as_of=as_of or now
    )
    assessment.posts_read = result.posts_read
    assessment.posts_skipped = dict(result.skipped)
    result.band, result.approach = assessment.band, assessment.approach
    result.vulnerability_possible = assessment.vulnerability_possible
    if assessment.vulnerability_possible:
        portfolio_service.set_case_flag(
            db_session=db_session,
            case_id=case_id,
            flag="vulnerability_possible",
            value=True,
            actor=actor,
            reason="signals: public posts suggest a possible vulnerability",
        )
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="signals.case_assessed",
        object_type="case",
        object_id=case_id,
        change={
            "run_id": run.id,
            "band": assessment.band,
            "approach": assessment.approach,
            "score": assessment.score,
            "events": [e.id for e in events],
        },
        detail={
            "band": assessment.band,
            "approach": assessment.approach,
            "events": len(events),
            "posts_read": result.posts_read,
            "special_category": result.special_category,
        },
    )
    run.cases += 1
    run.posts_read += result.posts_read
    run.skipped_language += result.skipped["language"]
    run.skipped_terms += skipped_terms
    run.skipped_redacted += result.skipped["redacted"]
    run.special_category += result.special_category
    run.events += len(events)
    return result


def _assess(
    *,
    db_session: Session,
    case_id: int,
    run: SignalRun,
    events: Sequence[SignalEvent],
    as_of: datetime,
) -> SignalAssessment:
    inputs = [
        ability.EventInput(e.id, e.post_id, e.event_type, e.confidence, e.posted_at, e.cues)
        for e in events
    ]
    result = ability.assess(inputs, as_of=as_of)
    row = db_session.scalar(select(SignalAssessment).where(SignalAssessment.case_id == case_id))
    now = utcnow()
    if row is None:
        row = SignalAssessment(case_id=case_id, created_at=now)
        db_session.add(row)
    row.run_id = run.id
    row.band = result.band
    row.approach = result.approach
    row.score = result.score
    row.vulnerability_possible = result.vulnerability_possible
    row.evidence = result.evidence
    row.as_of = as_of
    # A new reading is a new suggestion: any earlier decision was about other evidence.
    row.status = "suggested"
    row.decided_by = None
    row.decided_at = None
    row.updated_at = now
    db_session.flush()
    return row


def run_case(
    *,
    db_session: Session,
    case_id: int,
    actor: str,
    run: SignalRun | None = None,
    profile_ids: Sequence[int] | None = None,
    model: EventModel | None = None,
    as_of: datetime | None = None,
) -> CaseResult:
    """Read the posts of the case's accepted profiles and store events and the suggestion;
    a case whose debtor objected (art. 21) is skipped, reading nothing (audited)."""
    if portfolio_service.personal_data.case_objects_to_social(
        db_session=db_session, case_id=case_id
    ):
        audit_service.record(
            db_session=db_session, actor=actor, action="signals.case_skipped", object_type="case",
            object_id=case_id, change={"reason": "art. 21 objection"},
            detail={"reason": "art. 21 objection"},
        )  # fmt: skip
        return CaseResult(case_id=case_id, skipped={"objection": 1})
    if profile_ids is None:
        profile_ids = _accepted_profiles_of_case(db_session=db_session, case_id=case_id)
    if run is None:
        key = model.fingerprint if model is not None else classify.model_key(synthetic=True)
        run = start_run(db_session=db_session, actor=actor, model_key=key)
    posts, skipped = sources_service.posts_for_profiles(
        db_session=db_session, profile_ids=profile_ids, purpose=PURPOSE
    )
    return process_posts(
        db_session=db_session,
        case_id=case_id,
        run=run,
        posts=posts,
        skipped_terms=skipped,
        actor=actor,
        model=model,
        as_of=as_of,
    )


def run_all(
    *,
    db_session: Session,
    actor: str,
    model: EventModel | None = None,
    on_case: Callable[[CaseResult], None] | None = None,
) -> SignalRun:
    """Run every traced case (see :func:`traced_cases`); one run record with the counts."""
    fitted = model or classify.get_model()
    run = start_run(db_session=db_session, actor=actor, model_key=fitted.fingerprint)
    for case_id, profile_ids in list(traced_cases(db_session=db_session)):
        result = run_case(
            db_session=db_session,
            case_id=case_id,
            actor=actor,
            run=run,
            profile_ids=profile_ids,
            model=fitted,
        )
        if on_case is not None:
            on_case(result)
    finish_run(db_session=db_session, run=run, actor=actor)
    return run


def finish_run(*, db_session: Session, run: SignalRun, actor: str) -> SignalRun:
    """Close a run and audit its counts (how many posts were read, skipped and why)."""
    run.finished_at = utcnow()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="signals.run_finished",
        object_type="signals_run",
        object_id=run.id,
        change={"cases": run.cases, "events": run.events},
        detail={
            "cases": run.cases,
            "posts_read": run.posts_read,
            "skipped_language": run.skipped_language,
            "skipped_terms": run.skipped_terms,
            "skipped_redacted": run.skipped_redacted,
            "special_category": run.special_category,
        },
    )
    db_session.flush()
    return run


def list_events(*, db_session: Session, case_id: int) -> list[SignalEvent]:
    """A case's stored events, newest post first."""
    return list(
        db_session.scalars(
            select(SignalEvent)
            .where(SignalEvent.case_id == case_id)
            .order_by(SignalEvent.posted_at.desc(), SignalEvent.id.desc())
        )
    )


def get_assessment(*, db_session: Session, case_id: int) -> SignalAssessment | None:
    """The case's current ability-to-pay suggestion, if signals ran on it."""
    return db_session.scalar(select(SignalAssessment).where(SignalAssessment.case_id == case_id))


def decide(
    *, db_session: Session, case_id: int, decision: str, actor: str, reason: str
) -> SignalAssessment:
    """An agent accepts or rejects the suggestion (the person decides; audited)."""
    if decision not in DECISIONS:
        raise InvalidInput(
            problems=[InputProblem("(request)", 0, "decision", f"must be one of {DECISIONS}")]
        )
    if not reason.strip():
        raise InvalidInput(
            problems=[InputProblem("(request)", 0, "reason", "a reason is required")]
        )
    row = get_assessment(db_session=db_session, case_id=case_id)
    if row is None:
        raise NotFound(f"no signals assessment for case {case_id}")
    if row.status != "suggested":
        raise Conflict(f"the suggestion for case {case_id} is already {row.status}")
    row.status = decision
    row.decided_by = actor
    row.decided_at = utcnow()
    row.updated_at = row.decided_at
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action=f"signals.suggestion_{decision}",
        object_type="case",
        object_id=case_id,
        change={"band": row.band, "approach": row.approach, "reason": reason},
        detail={"band": row.band, "approach": row.approach},
    )
    db_session.flush()
    return row
