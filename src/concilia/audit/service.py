"""The audit log's only door: record an entry in the caller's transaction, list, verify."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, text
from sqlalchemy.orm import Session

from concilia.audit import personal_data as personal_data
from concilia.audit.key import audit_key
from concilia.audit.models import GENESIS_HASH, AuditEntry
from concilia.audit.schemas import VerifyResult
from concilia.db import utcnow
from concilia.errors import Conflict

# Any constant works: it only has to be the same in every process writing the chain.
_PG_CHAIN_LOCK = 7_263_001


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, Decimals and dates as strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(change: Mapping[str, Any]) -> str:
    """SHA-256 of a change's canonical JSON."""
    return hashlib.sha256(canonical_json(change).encode()).hexdigest()


def _payload(entry: AuditEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "change_digest": entry.change_digest,
        "detail": entry.detail,
    }
    return (entry.prev_hash + canonical_json(body)).encode()


def _entry_hash(entry: AuditEntry) -> str:
    # Keyed: without the key (kept outside the database) nobody can recompute the chain.
    return hmac.new(audit_key(), _payload(entry), hashlib.sha256).hexdigest()


def legacy_hash(entry: AuditEntry) -> str:
    """The unkeyed SHA-256 the chain used before it was keyed (anyone can recompute it)."""
    return hashlib.sha256(_payload(entry)).hexdigest()


@dataclass(frozen=True)
class NewEntry:
    """One entry for :func:`record_many` (the arguments of :func:`record`)."""

    actor: str
    action: str
    object_type: str
    object_id: str | int
    change: Mapping[str, Any]
    detail: Mapping[str, Any] | None = field(default=None)


def record(
    *,
    db_session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int,
    change: Mapping[str, Any],
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction; ``detail`` must hold no personal data."""
    seq, prev_hash = _chain_head(db_session)
    entry = _entry(NewEntry(actor, action, object_type, object_id, change, detail), seq, prev_hash)
    db_session.add(entry)
    db_session.flush()
    return entry


def record_many(*, db_session: Session, entries: Sequence[NewEntry]) -> None:
    """Append several entries, chained in their order, in the caller's transaction: one lock,
    one read of the chain's head and one INSERT of many rows (a batch of sends wrote three
    statements per entry). ``detail`` must hold no personal data."""
    if not entries:
        return
    seq, prev_hash = _chain_head(db_session)
    rows: list[dict[str, Any]] = []
    for offset, new in enumerate(entries):
        entry = _entry(new, seq + offset, prev_hash)
        prev_hash = entry.hash
        rows.append({c: getattr(entry, c) for c in _COLUMNS})
    # Core, not the ORM: the ORM inserted row by row to read each id back.
    db_session.execute(insert(AuditEntry), rows)


_COLUMNS = ("seq", "at", "actor", "action", "object_type", "object_id", "change_digest",
            "detail", "prev_hash", "hash")  # fmt: skip


def _chain_head(db_session: Session) -> tuple[int, str]:
    """The next entry's seq and previous hash, with the chain locked to the transaction."""
    if db_session.get_bind().dialect.name == "postgresql":
        # Serialise writers so two transactions never chain onto the same previous entry.
        # The lock is per schema: each schema holds its own chain, and a lock shared across
        # schemas made unrelated databases (test runs, benches) wait on one another.
        db_session.execute(
            text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"),
            {"k": _PG_CHAIN_LOCK},
        )
    last = db_session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)


def _entry(new: NewEntry, seq: int, prev_hash: str) -> AuditEntry:
    entry = AuditEntry(
        seq=seq,
        at=utcnow(),
        actor=new.actor,
        action=new.action,
        object_type=new.object_type,
        object_id=str(new.object_id),
        change_digest=digest(new.change),
        # A JSON round trip so what is hashed is exactly what the database gives back.
        detail=json.loads(canonical_json(dict(new.detail or {}))),
        prev_hash=prev_hash,
    )
    entry.hash = _entry_hash(entry)
    return entry


def list_entries(
    *,
    db_session: Session,
    object_type: str | None = None,
    object_id: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditEntry], int]:
    """A page of entries, newest first, optionally for one object; with the total count."""
    query = select(AuditEntry)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    total = db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db_session.scalars(
        query.order_by(AuditEntry.seq.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def entries_about(
    *, db_session: Session, objects: Sequence[tuple[str, str]], limit: int = 300
) -> list[AuditEntry]:
    """The newest entries about any of these (object type, object id), in one query and
    without a count: what a page showing several objects' history needs."""
    if not objects:
        return []
    about = or_(*(and_(AuditEntry.object_type == t, AuditEntry.object_id == i) for t, i in objects))
    query = select(AuditEntry).where(about).order_by(AuditEntry.seq.desc()).limit(limit)
    return list(db_session.scalars(query))


def verify(*, db_session: Session) -> VerifyResult:
    """Walk the chain in order; name the first entry altered, removed or reordered."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    rows = db_session.execute(
        select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000)
    ).scalars()
    for entry in rows:
        problem = None
        if entry.seq != expected_seq:
            problem = f"expected entry #{expected_seq} but found #{entry.seq}: entries removed"
        elif entry.prev_hash != prev_hash:
            problem = "previous-hash link broken: entries removed, reordered or altered"
        elif _entry_hash(entry) != entry.hash:
            problem = "content does not match its hash: entry altered"
            if legacy_hash(entry) == entry.hash:
                problem += (
                    " (its hash was computed without the audit key: rewritten by someone who"
                    " does not hold it, or written before the chain was keyed and never rekeyed)"
                )
        if problem:
            return VerifyResult(
                ok=False,
                checked=checked,
                first_bad_seq=entry.seq,
                first_bad_id=entry.id,
                reason=problem,
            )
        checked += 1
        expected_seq, prev_hash = entry.seq + 1, entry.hash
    return VerifyResult(ok=True, checked=checked)


def rekey_legacy_chain(*, db_session: Session, batch: int = 1000) -> int:
    """Convert a chain hashed without a key (before keying) to the keyed hash; the count.

    Every entry must first verify under the old unkeyed hash, else Conflict naming the first
    bad entry and nothing is changed. A chain already keyed is left alone (0). This is the
    one-time upgrade step the migration runs with the append-only triggers lifted; it is not a
    command, so a chain rewritten later without the key can never be made to verify.
    """
    first = db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq).limit(1)).first()
    if first is None or _entry_hash(first) == first.hash:
        return 0
    expected_seq, prev_hash = 1, GENESIS_HASH
    while True:
        rows = db_session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq >= expected_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq or entry.prev_hash != prev_hash:
                raise Conflict(f"audit entry #{entry.seq}: the unkeyed chain is broken here")
            if legacy_hash(entry) != entry.hash:
                raise Conflict(f"audit entry #{entry.seq}: content does not match its hash")
            expected_seq, prev_hash = entry.seq + 1, entry.hash
    # Verified whole: now rewrite, each entry linked to its keyed predecessor.
    count, new_prev, seq = 0, GENESIS_HASH, 1
    while True:
        rows = db_session.scalars(
            select(AuditEntry).where(AuditEntry.seq >= seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            entry.prev_hash = new_prev
            entry.hash = _entry_hash(entry)
            new_prev, seq, count = entry.hash, entry.seq + 1, count + 1
        db_session.flush()
    return count


def head(*, db_session: Session) -> str:
    """``SEQ:HASH`` of the newest entry (``0:<genesis>`` for an empty log)."""
    last = db_session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return f"{last[0]}:{last[1]}" if last else f"0:{GENESIS_HASH}"


def check_anchor(*, db_session: Session, anchor: str) -> str | None:
    """None when the entry named by an anchor is still in the chain, else why not."""
    seq_text, _, expected = anchor.partition(":")
    if not seq_text.isdigit() or len(expected) != 64:
        return f"malformed anchor {anchor!r}: expected SEQ:HASH"
    seq = int(seq_text)
    if seq == 0:
        return None
    found = db_session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq))
    if found is None:
        return f"entry #{seq} named by the anchor is missing: the log was cut short"
    if found != expected:
        return f"entry #{seq} does not have the anchored hash: the log was rewritten"
    return None
