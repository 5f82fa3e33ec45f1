"""The purge worker: applies :data:`concilia.privacy.retention.SCHEDULE` through each domain's
service; a dry run counts what would go and changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.outreach import service as outreach_service
from concilia.portal import service as portal_service
from concilia.portfolio import service as portfolio_service
from concilia.privacy import subjects
from concilia.privacy.contract import SubjectRef
from concilia.privacy.models import ReadLogEntry
from concilia.privacy.retention import days_for
from concilia.signals import service as signals_service
from concilia.sources import service as sources_service
from concilia.tracing import service as tracing_service
from concilia.tracing.whereabouts import service as whereabouts_service


def purge(
    *,
    db_session: Session,
    now: datetime | None = None,
    dry_run: bool = False,
    actor: str = "job:privacy-purge",
) -> dict[str, Any]:
    """Apply the schedule: what went (or, dry, would go), per kind; audited when not dry."""
    now = now or utcnow()
    report: dict[str, Any] = {"now": now.isoformat(), "dry_run": dry_run}

    def cutoff(kind: str) -> datetime:
        # The schedule is the one place durations live; the register shows the same lines.
        return now - timedelta(days=days_for(kind))

    closed = portfolio_service.personal_data.closed_debtors(
        db_session=db_session, before=cutoff("portfolio")
    )
    report["portfolio"] = {"debtors": len(closed)}
    # Per jurisdiction (FR 10 years, ES 6, UK 6, US 7): portfolio knows each person's.
    books = portfolio_service.personal_data.expired_books(db_session=db_session, now=now)
    report["accounting records"] = {"debtors": len(books)}
    report["outreach"] = outreach_service.personal_data.purge_before(
        db_session=db_session, before=cutoff("outreach"), dry_run=dry_run
    )
    report["tracing"] = tracing_service.personal_data.purge_before(
        db_session=db_session, before=cutoff("tracing"), dry_run=dry_run
    )
    report["tracing"].update(
        whereabouts_service.personal_data.purge_before(
            db_session=db_session, before=cutoff("tracing"), dry_run=dry_run
        )
    )
    report["signals"] = signals_service.personal_data.purge_before(
        db_session=db_session, before=cutoff("signals"), dry_run=dry_run
    )
    report["chat"] = portal_service.personal_data.purge_before(
        db_session=db_session, before=cutoff("chat"), dry_run=dry_run
    )
    reads = select(ReadLogEntry).where(ReadLogEntry.at < cutoff("who looked"))
    report["who looked"] = {
        "privacy_reads": db_session.scalar(select(func.count()).select_from(reads.subquery())) or 0
    }
    report["objections"] = {
        "people": subjects.reapply_objections(db_session=db_session, actor=actor, dry_run=dry_run)
    }
    if dry_run:
        report["social items"] = sources_service.personal_data.count_expired(
            db_session=db_session, now=now
        )
        return report
    report["social items"] = sources_service.purge_expired(
        db_session=db_session, now=now, actor=actor
    )
    db_session.execute(delete(ReadLogEntry).where(ReadLogEntry.at < cutoff("who looked")))
    for debtor_id, case_ids in closed:
        subject = SubjectRef(
            creditor="",
            debtor_reference="",
            debtor_id=debtor_id,
            case_ids=tuple(case_ids),
            profile_ids=tuple(
                tracing_service.accepted_profiles_by_debtor(
                    db_session=db_session, debtor_keys=[str(debtor_id)]
                ).get(str(debtor_id), [])
            ),
        )
        subjects.erase_closed(db_session=db_session, subject=subject, actor=actor)
    for debtor_id, _case_ids in books:
        counts = portfolio_service.personal_data.anonymise_books(
            db_session=db_session, debtor_id=debtor_id, now=now
        )
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="privacy.books_anonymised",
            object_type="debtor",
            object_id=debtor_id,
            change=counts,
            detail=counts,
        )
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="privacy.purged",
        object_type="privacy",
        object_id="retention",
        change=report,
        detail=report,
    )
    return report
