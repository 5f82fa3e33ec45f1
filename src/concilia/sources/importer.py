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
    Problem,
    check_item,
    profiles_elsewhere,
    reference_problems,
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


def _raw_refs(data: dict[str, Any], kind: ItemKind) -> set[str]:
    """Profile external ids a (possibly invalid) friend/post line points at."""
    names = ("profile_id", "friend_id") if kind == ItemKind.friends else ("profile_id",)
    return {v for n in names if isinstance(v := data.get(n), str) and v}


def _batches(
    db_session: Session,
    connector: Connector,
    *,
    kind: ItemKind,
    source: Source,
    now: datetime,
    batch_size: int,
) -> Iterator[_Batch]:
    """Checked items in batches. A friend/post line whose profiles all belong to another
    declared source is counted as ``other`` and left to that source's import, even when it
    is bad: its own source reports it, so every bad line is reported once."""
    where = connector.describe()
    days = retention_days(source, kind)
    linked = kind in (ItemKind.friends, ItemKind.posts)
    platform = source.platform if kind == ItemKind.profiles else None
    # (line, item or None, fingerprint, problems, referenced profile ids)
    pending: list[tuple[int, _Item | None, str, list[Problem], set[str]]] = []
    items = offset = other = 0

    def flush() -> _Batch:
        nonlocal pending, items, other
        refs: dict[str, int] | None = None
        good: list[tuple[_Item, str]] = []
        problems: list[InputProblem] = []
        bad = 0
        if linked and pending:
            refs = resolve_profiles(
                db_session,
                source_id=source.id,
                external_ids=set().union(*(r for *_, r in pending)),
            )
            valid = [(i, it) for i, (_, it, *_) in enumerate(pending) if it is not None]
            ref_found = reference_problems([it for _, it in valid], refs, source.name)
            for (i, _), found in zip(valid, ref_found, strict=True):
                pending[i][3].extend(found)
            missing = {ref for *_, found, ids in pending if found for ref in ids if ref not in refs}
            elsewhere = profiles_elsewhere(db_session, source_id=source.id, external_ids=missing)
        else:
            elsewhere = set()
        for line, item, fp, found, ids in pending:
            if found and ids and ids <= elsewhere:
                other += 1
            elif found or item is None:
                bad += 1
                problems.extend(InputProblem(where, line, p.field, p.reason) for p in found)
            else:
                good.append((item, fp))
        batch = _Batch(good, refs, problems, bad, items, offset, other)
        pending, items, other = [], 0, 0
        return batch

    for raw in connector.fetch(kind):
        items += 1
        offset = raw.offset
        if raw.data is None:
            problem = Problem("(line)", raw.error or "unreadable")
            pending.append((raw.position, None, "", [problem], set()))
        elif platform and isinstance(net := raw.data.get("network"), str) and net != platform:
            # A profile of another network: it belongs to the source declared for that
            # platform (whose terms differ), so it is left for that source's import.
            other += 1
        else:
            item, found = check_item(raw.data, kind=kind, source=source, now=now, retention=days)
            refs_of = _raw_refs(raw.data, kind) if linked else set()
            fp = fingerprint(raw.data) if item is not None else ""
            pending.append((raw.position, item, fp, found, refs_of))
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
