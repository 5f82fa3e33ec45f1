"""What the compliance officer's page shows: open requests against their deadlines, the
art. 30 register, the retention schedule (and what the next purge would do), recent
erasures, and who read whose data. Read-only: nothing here changes anything, so the
auditor sees it all too.

People appear by their creditor's reference (a pseudonym the officer needs to act on a
request), never by decrypted data: opening this page is not itself a read of anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.auth.schemas import Principal
from concilia.db import utcnow
from concilia.portfolio import service as portfolio_service
from concilia.privacy.models import SubjectRequest
from concilia.privacy.purge import purge
from concilia.privacy.reads import ReadAlert, alerts, list_reads
from concilia.privacy.register import PURPOSES, Purpose
from concilia.privacy.retention import SCHEDULE, Rule
from concilia.privacy.subjects import list_requests

READERS = frozenset({"compliance_officer", "admin", "auditor"})
ERASURE_KINDS = ("erasure", "objection", "restriction")
READS_SHOWN = 200
ERASURES_SHOWN = 25


def may_see(principal: Principal) -> bool:
    """Compliance officers and admins; auditors too (the page only reads)."""
    return principal.role.value in READERS


@dataclass(frozen=True)
class RequestLine:
    """A request with whom it concerns (creditor and reference) and its deadline."""

    id: int
    kind: str
    creditor: str
    reference: str
    received_at: datetime
    due_at: datetime
    done_at: datetime | None
    handled_by: str
    overdue: bool
    days_left: int
    outcome: dict[str, Any]


@dataclass(frozen=True)
class ReadLine:
    """One logged read, with the person's reference instead of their id alone."""

    at: datetime
    actor: str
    debtor_id: int
    creditor: str
    reference: str
    what: str
    purpose: str
    via: str
    items: int


@dataclass
class ReadFilter:
    """The who-looked filter as typed, and what it resolved to."""

    reference: str = ""
    user: str = ""
    days: int = 7
    unknown_reference: bool = False
    actor: str | None = field(default=None)


@dataclass(frozen=True)
class Overview:
    """Everything the page shows."""

    open_requests: list[RequestLine]
    erasures: list[RequestLine]
    purposes: tuple[Purpose, ...]
    schedule: tuple[Rule, ...]
    dry_run: dict[str, dict[str, int]] | None
    reads: list[ReadLine]
    read_filter: ReadFilter
    read_alerts: list[ReadAlert]
    now: datetime


def _lines(db_session: Session, requests: list[SubjectRequest], now: datetime) -> list[RequestLine]:
    refs = portfolio_service.personal_data.references(
        db_session=db_session, debtor_ids=[r.debtor_id for r in requests]
    )
    return [
        RequestLine(
            id=r.id,
            kind=r.kind,
            creditor=refs.get(r.debtor_id, ("", ""))[0],
            reference=refs.get(r.debtor_id, ("", str(r.debtor_id)))[1],
            received_at=r.received_at,
            due_at=r.due_at,
            done_at=r.done_at,
            handled_by=r.handled_by,
            overdue=r.status == "open" and r.due_at < now,
            # Whole days, rounded up: due in 29.9 days is 30 days left, late by 10.1 is -10.
            days_left=-((now - r.due_at) // timedelta(days=1)),
            outcome=dict(r.outcome or {}),
        )
        for r in requests
    ]


def _recent_erasures(db_session: Session) -> list[SubjectRequest]:
    return list(
        db_session.scalars(
            select(SubjectRequest)
            .where(SubjectRequest.kind.in_(ERASURE_KINDS), SubjectRequest.status == "done")
            .order_by(SubjectRequest.done_at.desc(), SubjectRequest.id.desc())
            .limit(ERASURES_SHOWN)
        )
    )


def _dry_run(db_session: Session, now: datetime) -> dict[str, dict[str, int]]:
    report = purge(db_session=db_session, now=now, dry_run=True)
    return {
        kind: {str(k): int(v) for k, v in counts.items() if isinstance(v, int)}
        for kind, counts in report.items()
        if isinstance(counts, dict)
    }


def _reads(db_session: Session, wanted: ReadFilter, now: datetime) -> list[ReadLine]:
    debtor_ids: list[int] | None = None
    if wanted.reference:
        debtor_ids = portfolio_service.personal_data.debtor_ids_by_reference(
            db_session=db_session, debtor_reference=wanted.reference
        )
        if not debtor_ids:
            wanted.unknown_reference = True
            return []
    user = wanted.user.strip()
    # Actors are logged as "user:<name>" (or "job:..."); a bare user name means a user.
    wanted.actor = (user if ":" in user else f"user:{user}") if user else None
    rows = list_reads(
        db_session=db_session,
        since=now - timedelta(days=wanted.days),
        actor=wanted.actor,
        debtor_ids=debtor_ids,
        limit=READS_SHOWN,
    )
    refs = portfolio_service.personal_data.references(
        db_session=db_session, debtor_ids=[r.debtor_id for r in rows]
    )
    return [
        ReadLine(
            at=r.at,
            actor=r.actor,
            debtor_id=r.debtor_id,
            creditor=refs.get(r.debtor_id, ("", ""))[0],
            reference=refs.get(r.debtor_id, ("", ""))[1],
            what=r.what,
            purpose=r.purpose,
            via=r.via,
            items=r.items,
        )
        for r in rows
    ]


def overview(
    *,
    db_session: Session,
    read_filter: ReadFilter,
    with_dry_run: bool = False,
    now: datetime | None = None,
) -> Overview:
    """The page's content (a dry run of the purge only when asked: it counts every table)."""
    now = now or utcnow()
    return Overview(
        open_requests=_lines(db_session, list_requests(db_session=db_session, status="open"), now),
        erasures=_lines(db_session, _recent_erasures(db_session), now),
        purposes=PURPOSES,
        schedule=SCHEDULE,
        dry_run=_dry_run(db_session, now) if with_dry_run else None,
        reads=_reads(db_session, read_filter, now),
        read_filter=read_filter,
        read_alerts=alerts(db_session=db_session, now=now),
        now=now,
    )
