"""Import items from a connector: check the whole input first, then write it in one transaction.

Pass 1 reads every item and collects every problem (file, line, field, reason) without
writing. If there is any and ``skip_bad`` is off, :class:`InvalidInput` is raised and nothing
is written. Pass 2 reads the input again and upserts the good items in batches; the caller
owns the transaction, so an interrupted import leaves nothing behind. Memory stays constant:
only one batch of items (and of resolved profile ids) is held at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.sources.checks import (
    check_item,
    profiles_elsewhere,
    reference_problems,
    referenced_ids,
    resolve_profiles,
    retention_days,
)
from concilia.sources.connectors import Connector
from concilia.sources.models import Source
from concilia.sources.schemas import ItemKind, _Item
from concilia.sources.writer import Counts, fingerprint, write_batch

DEFAULT_BATCH = 5_000
MAX_LISTED_PROBLEMS = 1_000
# (phase, bytes done, bytes total or None)
Progress = Callable[[str, int, int | None], None]


@dataclass
class ImportReport:
    """What an import read, wrote and refused."""

    file: str
    kind: str
    source: str
    sha256: str | None = None
    items: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    other_source: int = 0
    skipped: int = 0
    problem_count: int = 0
    problems: list[InputProblem] = field(default_factory=list)
    written: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        out = {k: v for k, v in self.__dict__.items() if k != "problems"}
        out["problems"] = [p.as_dict() for p in self.problems]
        return out


@dataclass
class _Batch:
    good: list[tuple[_Item, str]]
    refs: dict[str, int] | None
    problems: list[InputProblem]
    bad_lines: int
    items: int
    offset: int
    other: int


def get_active_source(db_session: Session, name: str) -> Source:
    """The declared, active source with this name."""
    from sqlalchemy import select

    source = db_session.scalar(select(Source).where(Source.name == name))
    if source is None:
        raise NotFound(f"no source {name!r}: declare it first (concilia sources add)")
    if not source.active:
        raise Conflict(f"source {name!r} is deactivated: nothing may be imported from it")
    return source


def _batches(
    db_session: Session,
    connector: Connector,
    *,
    kind: ItemKind,
    source: Source,
    now: datetime,
    batch_size: int,
) -> Iterator[_Batch]:
    where = connector.describe()
    days = retention_days(source, kind)
    pending: list[tuple[int, _Item, str]] = []
    problems: list[InputProblem] = []
    bad: set[int] = set()
    items = 0
    offset = 0
    other = 0
    platform = source.platform if kind == ItemKind.profiles else None

    def flush() -> _Batch:
        nonlocal pending, problems, bad, items, other
        refs: dict[str, int] | None = None
        good: list[tuple[_Item, str]] = []
        if kind in (ItemKind.friends, ItemKind.posts) and pending:
            batch_items = [it for _, it, _ in pending]
            refs = resolve_profiles(
                db_session, source_id=source.id, external_ids=referenced_ids(batch_items)
            )
            found_all = reference_problems(batch_items, refs, source.name)
            missing = referenced_ids(it for it, f in zip(batch_items, found_all, strict=True) if f)
            elsewhere = profiles_elsewhere(db_session, source_id=source.id, external_ids=missing)
            for (line, item, fp), found in zip(pending, found_all, strict=True):
                ids = referenced_ids([item])
                if found and ids <= elsewhere:
                    # Every profile it joins belongs to another declared source (e.g. another
                    # network of the same export): that source's import takes it.
                    other += 1
                elif found:
                    bad.add(line)
                    problems.extend(InputProblem(where, line, p.field, p.reason) for p in found)
                else:
                    good.append((item, fp))
        else:
            good = [(item, fp) for _, item, fp in pending]
        batch = _Batch(good, refs, problems, len(bad), items, offset, other)
        pending, problems, bad, items, other = [], [], set(), 0, 0
        return batch

    for raw in connector.fetch(kind):
        items += 1
        offset = raw.offset
        if raw.data is None:
            bad.add(raw.position)
            problems.append(InputProblem(where, raw.position, "(line)", raw.error or "unreadable"))
        elif (
            platform
            and isinstance(raw.data.get("network"), str)
            and (raw.data["network"] != platform)
        ):
            # A profile of another network: it belongs to the source declared for that
            # platform (whose terms differ), so it is left for that source's import.
            other += 1
        else:
            item, found = check_item(raw.data, kind=kind, source=source, now=now, retention=days)
            if item is None:
                bad.add(raw.position)
                problems.extend(InputProblem(where, raw.position, p.field, p.reason) for p in found)
            else:
                pending.append((raw.position, item, fingerprint(raw.data)))
        if len(pending) >= batch_size:
            yield flush()
    yield flush()


def run_import(
    *,
    db_session: Session,
    connector: Connector,
    kind: ItemKind,
    source_name: str,
    actor: str,
    skip_bad: bool = False,
    now: datetime | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> ImportReport:
    """Check then write a connector's items; raise InvalidInput (nothing written) on bad items
    unless ``skip_bad``. Writes one audit entry; never commits."""
    started = time.perf_counter()
    now = now or utcnow()
    source = get_active_source(db_session, source_name)
    total = connector.total_bytes()
    report = ImportReport(file=connector.describe(), kind=kind.value, source=source.name)

    for batch in _batches(
        db_session, connector, kind=kind, source=source, now=now, batch_size=batch_size
    ):
        report.items += batch.items
        report.skipped += batch.bad_lines
        report.other_source += batch.other
        report.problem_count += len(batch.problems)
        room = MAX_LISTED_PROBLEMS - len(report.problems)
        report.problems.extend(batch.problems[: max(room, 0)])
        if progress:
            progress("check", batch.offset, total)
    report.sha256 = connector.digest()
    if report.problem_count and not skip_bad:
        report.seconds = time.perf_counter() - started
        raise InvalidInput(problems=report.problems)

    counts = Counts()
    for batch in _batches(
        db_session, connector, kind=kind, source=source, now=now, batch_size=batch_size
    ):
        if batch.good:
            counts.add(
                write_batch(
                    db_session,
                    kind=kind,
                    source=source,
                    items=batch.good,
                    now=now,
                    refs=batch.refs,
                )
            )
        if progress:
            progress("write", batch.offset, total)
    report.created, report.updated = counts.created, counts.updated
    report.unchanged, report.duplicates = counts.unchanged, counts.duplicates
    report.written = True
    report.seconds = round(time.perf_counter() - started, 3)
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="sources.imported",
        object_type="source",
        object_id=source.id,
        change={
            "kind": kind.value,
            "sha256": report.sha256,
            "source": source.name,
            "created": report.created,
            "updated": report.updated,
            "skipped": report.skipped,
        },
        detail={
            "kind": kind.value,
            "connector": connector.name,
            "sha256": report.sha256,
            "items": report.items,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "duplicates": report.duplicates,
            "other_source": report.other_source,
            "skipped": report.skipped,
        },
    )
    return report
