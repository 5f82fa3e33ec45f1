"""Who looked: every read of a person's decrypted data is logged (who, whom, what, why,
through what), and a reader who reads far more people than usual raises an alert for the
compliance officer.

The log holds ids, never the data read. Domains before privacy cannot import it (privacy
depends on them): they record through the core hook ``concilia.reads``, which this module
fills at import; the surfaces after it (privacy's own routes and commands, the console's
pages) call it directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from concilia import reads as read_hook
from concilia.auth.schemas import Principal
from concilia.db import begin_write, utcnow
from concilia.portfolio import service as portfolio_service
from concilia.privacy.models import ReadLogEntry
from concilia.privacy.settings import get_privacy_settings
from concilia.reads import Via

BASELINE_DAYS = 30


def record_read(
    *,
    db_session: Session,
    actor: str,
    debtor_ids: Iterable[int],
    what: str,
    purpose: str,
    via: Via,
    items: int = 1,
    at: datetime | None = None,
) -> int:
    """Log that ``actor`` read decrypted data of these people, in the caller's transaction;
    the number of rows written.

    One INSERT statement whatever the number of people (a page of search results is one
    round trip), and no audit entry: the audit chain's lock serialises writers, and a lock
    per page view would make every reader wait on every other. The log is append-only
    accountability data of its own (art. 5(2)); what it records is not a state change of
    the person's data, so it needs no place in the chain. No ORM objects are made."""
    ids = sorted(set(debtor_ids))
    if not ids:
        return 0
    when = at or utcnow()
    row = {
        "at": when,
        "actor": actor[:200],
        "what": what[:100],
        "purpose": purpose[:40],
        "via": via,
        "items": items,
    }
    rows = [{**row, "debtor_id": i} for i in ids]
    if db_session.get_bind().dialect.name != "sqlite":
        db_session.execute(insert(ReadLogEntry), rows)
        return len(ids)
    # SQLite: a page's transaction has read first, so its write fails at once ("database is
    # locked", whatever the busy timeout) when another writer committed since its snapshot.
    # Tried in a savepoint, so that failure leaves the page's own transaction whole; the
    # rows then go in a short transaction of their own that waits for the write lock.
    try:
        with db_session.begin_nested():
            db_session.execute(insert(ReadLogEntry), rows)
    except OperationalError:
        bind = db_session.get_bind()
        if not isinstance(bind, Engine):
            raise  # bound to one connection: there is no other to write with
        _write_apart(bind, rows)
    return len(ids)


def _write_apart(bind: Engine, rows: list[dict[str, object]]) -> None:
    with Session(bind=bind) as apart:
        begin_write(apart)
        apart.execute(insert(ReadLogEntry), rows)
        apart.commit()


# A reader's role says why they read: agents and supervisors work the debt, the others oversee.
_OVERSIGHT_ROLES = frozenset({"compliance_officer", "auditor", "admin"})


def record_staff_read(
    *,
    db_session: Session,
    principal: Principal,
    what: str,
    via: Via,
    debtor_ids: Iterable[int] = (),
    case_ids: Iterable[int] = (),
) -> int:
    """Log a staff member's read of these people (or of the debtors of these cases: one more
    SELECT), purpose from their role; one INSERT. The rows written."""
    people = set(debtor_ids)
    cases = list(case_ids)
    if cases:
        people.update(
            portfolio_service.personal_data.debtor_ids_of_cases(
                db_session=db_session, case_ids=cases
            )
        )
    purpose = "oversight" if principal.role.value in _OVERSIGHT_ROLES else "debt_recovery"
    return record_read(
        db_session=db_session,
        actor=principal.actor,
        debtor_ids=people,
        what=what,
        purpose=purpose,
        via=via,
    )


def debtor_ids_by_reference(*, db_session: Session, debtor_reference: str) -> list[int]:
    """The debtors any creditor knows by this reference (case-insensitive)."""
    return portfolio_service.personal_data.debtor_ids_by_reference(
        db_session=db_session, debtor_reference=debtor_reference
    )


def list_reads(
    *,
    db_session: Session,
    since: datetime,
    actor: str | None = None,
    debtor_id: int | None = None,
    debtor_ids: Iterable[int] | None = None,
    limit: int = 200,
) -> list[ReadLogEntry]:
    """Reads since a time, newest first (optionally of one reader, one person or some)."""
    query = select(ReadLogEntry).where(ReadLogEntry.at >= since)
    if actor:
        query = query.where(ReadLogEntry.actor == actor)
    if debtor_id is not None:
        query = query.where(ReadLogEntry.debtor_id == debtor_id)
    if debtor_ids is not None:
        query = query.where(ReadLogEntry.debtor_id.in_(sorted(set(debtor_ids))))
    return list(
        db_session.scalars(
            query.order_by(ReadLogEntry.at.desc(), ReadLogEntry.id.desc()).limit(limit)
        )
    )


@dataclass(frozen=True)
class ReadAlert:
    """A reader who read many more distinct people on a day than on their usual day."""

    actor: str
    day: str
    people: int
    usual: float
    threshold: float


def _people_per_day(
    db_session: Session, start: datetime, end: datetime
) -> dict[str, dict[str, int]]:
    rows = db_session.execute(
        select(ReadLogEntry.actor, ReadLogEntry.at, ReadLogEntry.debtor_id).where(
            ReadLogEntry.at >= start, ReadLogEntry.at < end
        )
    )
    seen: dict[str, dict[str, set[int]]] = {}
    for actor, at, debtor_id in rows:
        seen.setdefault(actor, {}).setdefault(at.date().isoformat(), set()).add(debtor_id)
    return {a: {d: len(ids) for d, ids in days.items()} for a, days in seen.items()}


def alerts(*, db_session: Session, now: datetime | None = None) -> list[ReadAlert]:
    """Readers whose distinct people read in the last 24 hours exceed ``alert_factor`` times
    their daily mean over the previous 30 days (days without reads count as zero) and at
    least ``alert_min_people``."""
    settings = get_privacy_settings()
    now = now or utcnow()
    day_start = now - timedelta(days=1)
    recent = _people_per_day(db_session, day_start, now + timedelta(seconds=1))
    history = _people_per_day(db_session, day_start - timedelta(days=BASELINE_DAYS), day_start)
    found: list[ReadAlert] = []
    for actor in sorted(recent):
        # Distinct people over the whole last 24 hours (a window may straddle two dates).
        people = (
            db_session.scalar(
                select(func.count(func.distinct(ReadLogEntry.debtor_id))).where(
                    ReadLogEntry.actor == actor, ReadLogEntry.at >= day_start
                )
            )
            or 0
        )
        usual = sum(history.get(actor, {}).values()) / BASELINE_DAYS
        threshold = max(settings.alert_factor * usual, float(settings.alert_min_people))
        if people > threshold:
            found.append(
                ReadAlert(
                    actor=actor,
                    day=now.date().isoformat(),
                    people=people,
                    usual=round(usual, 2),
                    threshold=round(threshold, 2),
                )
            )
    return found


read_hook.register(record_staff_read)
