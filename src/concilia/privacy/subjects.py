"""Access, erasure, restriction and objection for one data subject, orchestrated over every
domain's ``personal_data`` (see :mod:`concilia.privacy.handlers`); tracked as requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.portfolio import service as portfolio_service
from concilia.privacy.contract import ExportItem, Scope, SubjectRef, TableOutcome
from concilia.privacy.handlers import HANDLERS
from concilia.privacy.models import (
    PRIVACY_TABLES,
    REQUEST_KINDS,
    Art14Notice,
    ReadLogEntry,
    SubjectRequest,
)
from concilia.privacy.reads import record_read
from concilia.privacy.retention import describe
from concilia.reads import Via
from concilia.tracing import service as tracing_service

# Art. 12(3): one month from receipt. 30 days is the shortest month, so never late.
RESPONSE_DAYS = 30


def resolve(*, db_session: Session, creditor: str, debtor_reference: str) -> SubjectRef:
    """The data subject a creditor knows by this reference, or NotFound."""
    found = portfolio_service.personal_data.find_subject(
        db_session=db_session, creditor=creditor, debtor_reference=debtor_reference
    )
    if found is None:
        raise NotFound(f"no debtor {debtor_reference!r} of creditor {creditor!r}")
    debtor_id, case_ids = found
    profiles = tracing_service.accepted_profiles_by_debtor(
        db_session=db_session, debtor_keys=[str(debtor_id)]
    )
    return SubjectRef(
        creditor=creditor,
        debtor_reference=debtor_reference,
        debtor_id=debtor_id,
        case_ids=tuple(case_ids),
        profile_ids=tuple(profiles.get(str(debtor_id), [])),
    )


def open_request(
    *,
    db_session: Session,
    subject: SubjectRef,
    kind: str,
    actor: str,
    reason: str = "",
    received_at: datetime | None = None,
) -> SubjectRequest:
    """Record a request with its one-month deadline (audited)."""
    if kind not in REQUEST_KINDS:
        raise InvalidInput(
            problems=[
                InputProblem("(request)", 0, "kind", f"{kind!r} is not one of {REQUEST_KINDS}")
            ]
        )
    received = received_at or utcnow()
    request = SubjectRequest(
        kind=kind,
        debtor_id=subject.debtor_id,
        received_at=received,
        due_at=received + timedelta(days=RESPONSE_DAYS),
        status="open",
        reason=reason.strip(),
        handled_by=actor,
        outcome={},
    )
    db_session.add(request)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="privacy.request_opened",
        object_type="debtor",
        object_id=subject.debtor_id,
        change={"request": request.id, "kind": kind, "reason": request.reason},
        detail={"request": request.id, "kind": kind, "due_at": request.due_at.isoformat()},
    )
    return request


def _pending_or_new(
    db_session: Session, subject: SubjectRef, kind: str, *, actor: str, reason: str
) -> SubjectRequest:
    """The person's oldest open request of this kind (logged when it came in, so its
    deadline runs from receipt), else a new one received now."""
    pending = db_session.scalar(
        select(SubjectRequest)
        .where(
            SubjectRequest.debtor_id == subject.debtor_id,
            SubjectRequest.kind == kind,
            SubjectRequest.status == "open",
        )
        .order_by(SubjectRequest.received_at, SubjectRequest.id)
        .limit(1)
    )
    if pending is not None:
        return pending
    return open_request(
        db_session=db_session, subject=subject, kind=kind, actor=actor, reason=reason
    )


def _close(
    db_session: Session, request: SubjectRequest, outcome: dict[str, Any], actor: str
) -> None:
    request.status, request.done_at, request.outcome = "done", utcnow(), outcome
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action=f"privacy.{request.kind}_done",
        object_type="debtor",
        object_id=request.debtor_id,
        change={"request": request.id, "outcome": outcome},
        detail={"request": request.id, **outcome},
    )


def list_requests(
    *, db_session: Session, status: str | None = None, debtor_id: int | None = None
) -> list[SubjectRequest]:
    """Requests, oldest deadline first (open ones are what the compliance officer chases)."""
    query = select(SubjectRequest)
    if status:
        query = query.where(SubjectRequest.status == status)
    if debtor_id is not None:
        query = query.where(SubjectRequest.debtor_id == debtor_id)
    return list(db_session.scalars(query.order_by(SubjectRequest.due_at, SubjectRequest.id)))


def _own_items(db_session: Session, subject: SubjectRef) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    notice = db_session.scalar(
        select(Art14Notice).where(Art14Notice.debtor_id == subject.debtor_id)
    )
    if notice is not None:
        items.append(
            {
                "domain": "privacy",
                "table": "privacy_notices",
                "record_id": notice.id,
                "data": {
                    "first_use_at": notice.first_use_at.isoformat(),
                    "due_at": notice.due_at.isoformat(),
                    "sent_at": notice.sent_at.isoformat() if notice.sent_at else None,
                    "channel": notice.channel,
                },
                "provenance": {"recorded_by": notice.recorded_by},
                "purposes": ["transparency"],
                "legal_basis": "art. 6(1)(c) and 14 GDPR",
                "retain_until": None,
            }
        )
    for r in list_requests(db_session=db_session, debtor_id=subject.debtor_id):
        items.append(
            {
                "domain": "privacy",
                "table": "privacy_requests",
                "record_id": r.id,
                "data": {
                    "kind": r.kind,
                    "received_at": r.received_at.isoformat(),
                    "due_at": r.due_at.isoformat(),
                    "status": r.status,
                },
                "provenance": {"handled_by": r.handled_by},
                "purposes": ["data_subject_rights"],
                "legal_basis": "art. 6(1)(c) GDPR (arts. 12-22)",
                "retain_until": None,
            }
        )
    reads = db_session.scalars(
        select(ReadLogEntry)
        .where(ReadLogEntry.debtor_id == subject.debtor_id)
        .order_by(ReadLogEntry.at)
    )
    for e in reads:
        items.append(
            {
                "domain": "privacy",
                "table": "privacy_reads",
                "record_id": e.id,
                "data": {
                    "at": e.at.isoformat(),
                    "by": e.actor,
                    "what": e.what,
                    "purpose": e.purpose,
                },
                "provenance": {"via": e.via},
                "purposes": ["accountability"],
                "legal_basis": "art. 6(1)(c), 5(2) and 32 GDPR",
                "retain_until": None,
            }
        )
    return items


def collect(*, db_session: Session, subject: SubjectRef) -> list[ExportItem]:
    """Every item every domain holds about the person, checked against the contract."""
    raw: list[dict[str, Any]] = []
    for _, module in HANDLERS:
        raw.extend(module.export_subject(db_session=db_session, **subject.keys()))
    raw.extend(_own_items(db_session, subject))
    items = [ExportItem.model_validate(item) for item in raw]
    return [
        item if item.retention else item.model_copy(update={"retention": describe(item.table)})
        for item in items
    ]


def export(
    *,
    db_session: Session,
    subject: SubjectRef,
    actor: str,
    reason: str = "",
    via: Via = "command",
) -> tuple[SubjectRequest, dict[str, Any]]:
    """Answer an access request (art. 15): the document, and the closed request (audited;
    the read of the decrypted data is logged)."""
    request = _pending_or_new(db_session, subject, "access", actor=actor, reason=reason)
    items = collect(db_session=db_session, subject=subject)
    record_read(
        db_session=db_session,
        actor=actor,
        debtor_ids=[subject.debtor_id],
        what="privacy export (every domain)",
        purpose="data_subject_request",
        via=via,
        items=len(items),
    )
    by_table: dict[str, int] = {}
    for item in items:
        by_table[item.table] = by_table.get(item.table, 0) + 1
    document = {
        "subject": {"creditor": subject.creditor, "debtor_reference": subject.debtor_reference},
        "request": {
            "id": request.id,
            "received_at": request.received_at.isoformat(),
            "due_at": request.due_at.isoformat(),
        },
        "generated_at": utcnow().isoformat(),
        "counts": by_table,
        "items": [item.model_dump(mode="json") for item in items],
    }
    _close(db_session, request, {"items": by_table}, actor)
    return request, document


def _secure_delete(db_session: Session) -> None:
    # SQLite leaves deleted and overwritten cells in free space until the page is reused;
    # secure_delete zeroes them, so the erased values are gone from the file itself.
    if db_session.get_bind().dialect.name == "sqlite":
        db_session.execute(text("PRAGMA secure_delete=ON"))


def _erase(
    db_session: Session, subject: SubjectRef, *, actor: str, scope: Scope
) -> list[TableOutcome]:
    _secure_delete(db_session)
    now = utcnow()
    outcomes: list[TableOutcome] = []
    for _, module in HANDLERS:
        for raw in module.erase_subject(
            db_session=db_session, actor=actor, now=now, scope=scope, **subject.keys()
        ):
            outcomes.append(TableOutcome.model_validate(raw))
    db_session.flush()
    return outcomes


def _summary(outcomes: list[TableOutcome]) -> dict[str, Any]:
    return {o.table: {"action": o.action, "rows": o.rows} for o in outcomes}


def erase(
    *, db_session: Session, subject: SubjectRef, actor: str, reason: str
) -> tuple[SubjectRequest, list[TableOutcome]]:
    """Art. 17 erasure over every domain; what each table kept and why is in the outcomes."""
    _require_reason(reason)
    request = _pending_or_new(db_session, subject, "erasure", actor=actor, reason=reason)
    outcomes = _erase_person(db_session, subject, actor=actor)
    _close(db_session, request, {"tables": _summary(outcomes)}, actor)
    return request, outcomes


def _erase_person(db_session: Session, subject: SubjectRef, *, actor: str) -> list[TableOutcome]:
    outcomes = _erase(db_session, subject, actor=actor, scope="erasure")
    notice = db_session.scalar(
        select(Art14Notice).where(Art14Notice.debtor_id == subject.debtor_id)
    )
    if notice is not None:
        db_session.delete(notice)
        db_session.flush()
    keeps, ground = PRIVACY_TABLES["privacy_notices"]
    outcomes.append(
        TableOutcome(
            domain="privacy",
            table="privacy_notices",
            action="deleted",
            rows=int(notice is not None),
            keeps=keeps,
            legal_ground=ground,
        )
    )
    return outcomes


def erase_closed(*, db_session: Session, subject: SubjectRef, actor: str) -> list[TableOutcome]:
    """Erase a person whose cases closed longer ago than the schedule keeps them (audited)."""
    outcomes = _erase_person(db_session, subject, actor=actor)
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="privacy.retention_erased",
        object_type="debtor",
        object_id=subject.debtor_id,
        change={"tables": _summary(outcomes)},
        detail={"tables": _summary(outcomes)},
    )
    return outcomes


def object_to_social(
    *, db_session: Session, subject: SubjectRef, actor: str, reason: str
) -> tuple[SubjectRequest, list[TableOutcome]]:
    """Art. 21 objection to the social-data processing: the person's objection flag is set
    (tracing and signals check it before processing them), and tracing, signals and the
    social items linked to the person are purged; the debt and its contacts stay (audited)."""
    _require_reason(reason)
    request = _pending_or_new(db_session, subject, "objection", actor=actor, reason=reason)
    # At source first: from now on tracing and signals skip the person (and say why).
    portfolio_service.personal_data.set_social_objection(
        db_session=db_session,
        debtor_id=subject.debtor_id,
        objected=True,
        actor=actor,
        reason=f"art. 21 objection (request {request.id})",
    )
    outcomes = _erase(db_session, subject, actor=actor, scope="objection")
    _close(db_session, request, {"tables": _summary(outcomes)}, actor)
    return request, outcomes


def restrict(
    *, db_session: Session, subject: SubjectRef, actor: str, reason: str
) -> SubjectRequest:
    """Art. 18 restriction: the data is only stored; no case of the person is worked or
    contacted (cease_contact on each case) until the restriction is lifted (audited)."""
    _require_reason(reason)
    request = _pending_or_new(db_session, subject, "restriction", actor=actor, reason=reason)
    if not subject.case_ids:
        raise Conflict(f"debtor {subject.debtor_reference!r} has no case to restrict")
    cases = portfolio_service.set_debtor_flag(
        db_session=db_session,
        debtor_id=subject.debtor_id,
        flag="cease_contact",
        value=True,
        actor=actor,
        reason=f"art. 18 restriction (request {request.id})",
    )
    _close(db_session, request, {"cases_restricted": len(cases)}, actor)
    return request


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidInput(
            problems=[InputProblem("(request)", 0, "reason", "a reason is required")]
        )


def _subject_by_id(db_session: Session, debtor_id: int) -> SubjectRef:
    debts = portfolio_service.list_debts_of_debtor(db_session=db_session, debtor_id=debtor_id)
    case_ids = [
        portfolio_service.get_case_for_debt(db_session=db_session, debt_id=d.id).id for d in debts
    ]
    profiles = tracing_service.accepted_profiles_by_debtor(
        db_session=db_session, debtor_keys=[str(debtor_id)]
    )
    return SubjectRef(
        creditor="",
        debtor_reference="",
        debtor_id=debtor_id,
        case_ids=tuple(case_ids),
        profile_ids=tuple(profiles.get(str(debtor_id), [])),
    )


def reapply_objections(*, db_session: Session, actor: str, dry_run: bool = False) -> int:
    """Keep art. 21 objections in force: a later import and tracing run may propose the
    person's profiles again, so each purge pass removes whatever social processing came back
    for people who objected (audited per person). The count of people concerned."""
    objecting = sorted(
        set(
            db_session.scalars(
                select(SubjectRequest.debtor_id).where(
                    SubjectRequest.kind == "objection", SubjectRequest.status == "done"
                )
            )
        )
        | portfolio_service.personal_data.social_objections(db_session=db_session)
    )
    touched = 0
    for debtor_id in objecting:
        subject = _subject_by_id(db_session, debtor_id)
        leftovers = tracing_service.personal_data.export_subject(
            db_session=db_session, debtor_id=debtor_id, case_ids=[], profile_ids=[]
        )
        if not leftovers:
            continue
        touched += 1
        if dry_run:
            continue
        outcomes = _erase(db_session, subject, actor=actor, scope="objection")
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="privacy.objection_reapplied",
            object_type="debtor",
            object_id=debtor_id,
            change={"tables": _summary(outcomes)},
            detail={"tables": _summary(outcomes)},
        )
    return touched
