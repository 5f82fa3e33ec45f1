"""The audit chain: entries link up, and raw-SQL tampering is caught and located."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.audit.models import GENESIS_HASH, AuditEntry
from concilia.errors import Conflict
from tests.conftest import recorded_statements


def _fill(db_session: Session, n: int = 5) -> None:
    for i in range(n):
        audit_service.record(
            db_session=db_session,
            actor="test",
            action="test.changed",
            object_type="thing",
            object_id=i,
            change={"value": i, "amount": "12.30"},
            detail={"i": i},
        )
    db_session.flush()


def _disable_guard(db_session: Session) -> None:
    """What a tamperer with DBA rights must do first: drop the append-only trigger."""
    if db_session.get_bind().dialect.name == "sqlite":
        db_session.execute(text("DROP TRIGGER audit_entries_no_update"))
        db_session.execute(text("DROP TRIGGER audit_entries_no_delete"))
    else:
        db_session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))


def test_chain_links_and_verifies(db_session: Session) -> None:
    _fill(db_session)
    result = audit_service.verify(db_session=db_session)
    assert result.ok and result.checked == 5
    entries, total = audit_service.list_entries(db_session=db_session, limit=10)
    assert total == 5
    oldest = entries[-1]
    assert oldest.seq == 1 and oldest.prev_hash == GENESIS_HASH
    assert entries[0].prev_hash == entries[1].hash


def test_record_many_chains_a_batch_in_order_after_single_entries(db_session: Session) -> None:
    _fill(db_session, 2)
    with recorded_statements(db_session.get_bind()) as statements:
        audit_service.record_many(
            db_session=db_session,
            entries=[
                audit_service.NewEntry("worker", "outreach.sent", "outbox_message", n, {"n": n})
                for n in range(10)
            ],
        )
    written = list(db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert [e.seq for e in written] == list(range(1, 13))
    assert [e.object_id for e in written[2:]] == [str(n) for n in range(10)]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(written))
    # One lock (PostgreSQL), one read of the head and one INSERT: not three per entry.
    assert len(statements) <= 3
    _fill(db_session, 1)  # a single entry after the batch chains onto its last one
    assert audit_service.verify(db_session=db_session).checked == 13
    assert audit_service.verify(db_session=db_session).ok
    audit_service.record_many(db_session=db_session, entries=[])  # nothing, no error


def test_update_and_delete_are_refused_by_the_database(db_session: Session) -> None:
    _fill(db_session, 2)
    with pytest.raises(DBAPIError), db_session.begin_nested():
        db_session.execute(text("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 1"))
    with pytest.raises(DBAPIError), db_session.begin_nested():
        db_session.execute(text("DELETE FROM audit_entries WHERE seq = 1"))
    assert audit_service.verify(db_session=db_session).ok


def test_altered_entry_is_named(db_session: Session) -> None:
    _fill(db_session)
    _disable_guard(db_session)
    db_session.execute(text("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 3"))
    db_session.expire_all()
    result = audit_service.verify(db_session=db_session)
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.reason is not None and "altered" in result.reason
    assert result.checked == 2


def test_removed_entry_is_named(db_session: Session) -> None:
    _fill(db_session)
    _disable_guard(db_session)
    db_session.execute(text("DELETE FROM audit_entries WHERE seq = 2"))
    db_session.expire_all()
    result = audit_service.verify(db_session=db_session)
    assert not result.ok and result.first_bad_seq == 3
    assert result.reason is not None and "removed" in result.reason


def test_reordered_entries_are_caught(db_session: Session) -> None:
    _fill(db_session)
    _disable_guard(db_session)
    # Swap the sequence numbers of entries 2 and 4 (via a free value to dodge the unique key).
    db_session.execute(text("UPDATE audit_entries SET seq = 1000 WHERE seq = 2"))
    db_session.execute(text("UPDATE audit_entries SET seq = 2 WHERE seq = 4"))
    db_session.execute(text("UPDATE audit_entries SET seq = 4 WHERE seq = 1000"))
    db_session.expire_all()
    result = audit_service.verify(db_session=db_session)
    assert not result.ok and result.first_bad_seq == 2


def test_truncated_tail_is_caught_by_the_anchor(db_session: Session) -> None:
    _fill(db_session)
    anchor = audit_service.head(db_session=db_session)
    assert anchor.startswith("5:")
    assert audit_service.check_anchor(db_session=db_session, anchor=anchor) is None
    _disable_guard(db_session)
    db_session.execute(text("DELETE FROM audit_entries WHERE seq = 5"))
    db_session.expire_all()
    assert audit_service.verify(db_session=db_session).ok  # a cut tail alone still chains
    problem = audit_service.check_anchor(db_session=db_session, anchor=anchor)
    assert problem is not None and "cut short" in problem


def test_digest_is_canonical() -> None:
    assert audit_service.digest({"b": 1, "a": 2}) == audit_service.digest({"a": 2, "b": 1})
    assert audit_service.digest({"a": 1}) != audit_service.digest({"a": 2})


def _unkeyed(entry: AuditEntry) -> str:
    """The hash as the chain computed it before it was keyed: SHA-256, no secret."""
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
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((entry.prev_hash + text).encode()).hexdigest()


def _rechain_without_key(db_session: Session, from_seq: int = 1) -> None:
    """What a tamperer with database access but no key does after altering an entry."""
    entries = db_session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    prev = GENESIS_HASH
    for entry in entries:
        if entry.seq >= from_seq:
            entry.prev_hash = prev
            entry.hash = _unkeyed(entry)
        prev = entry.hash
    db_session.flush()
    db_session.expire_all()


def test_entry_altered_and_chain_recomputed_without_the_key_is_caught(
    db_session: Session,
) -> None:
    _fill(db_session)
    _disable_guard(db_session)
    db_session.execute(text("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 3"))
    db_session.expire_all()
    _rechain_without_key(db_session, from_seq=3)
    result = audit_service.verify(db_session=db_session)
    assert not result.ok
    assert result.first_bad_seq == 3 and result.checked == 2
    assert result.reason is not None and "without the audit key" in result.reason


def test_a_chain_checked_with_another_key_does_not_verify(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(db_session, 2)
    assert audit_service.verify(db_session=db_session).ok
    other = base64.urlsafe_b64encode(b"k" * 32).decode()
    monkeypatch.setenv("CONCILIA_AUDIT_KEY", other)
    result = audit_service.verify(db_session=db_session)
    assert not result.ok and result.first_bad_seq == 1


def test_an_unkeyed_chain_from_before_is_rekeyed_once(db_session: Session) -> None:
    _fill(db_session)
    _disable_guard(db_session)
    _rechain_without_key(db_session)  # as the chain was written before keying
    assert not audit_service.verify(db_session=db_session).ok
    assert audit_service.rekey_legacy_chain(db_session=db_session, batch=2) == 5
    db_session.expire_all()
    assert audit_service.verify(db_session=db_session).ok
    assert audit_service.rekey_legacy_chain(db_session=db_session) == 0  # already keyed
    audit_service.record(
        db_session=db_session,
        actor="test",
        action="test.after",
        object_type="thing",
        object_id=6,
        change={},
    )
    assert audit_service.verify(db_session=db_session).checked == 6


def test_a_broken_unkeyed_chain_is_not_rekeyed(db_session: Session) -> None:
    _fill(db_session)
    _disable_guard(db_session)
    _rechain_without_key(db_session)
    db_session.execute(text("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 4"))
    db_session.expire_all()
    before = {e.seq: e.hash for e in db_session.scalars(select(AuditEntry))}
    with pytest.raises(Conflict, match="#4"):
        audit_service.rekey_legacy_chain(db_session=db_session)
    db_session.expire_all()
    assert {e.seq: e.hash for e in db_session.scalars(select(AuditEntry))} == before


def test_entries_about_several_objects_newest_first(db_session: Session) -> None:
    for object_type, object_id in [("case", "1"), ("debt", "7"), ("case", "2"), ("debtor", "1")]:
        audit_service.record(
            db_session=db_session,
            actor="user:ann",
            action=f"{object_type}.touched",
            object_type=object_type,
            object_id=object_id,
            change={},
        )
    found = audit_service.entries_about(
        db_session=db_session, objects=[("case", "1"), ("debt", "7"), ("debtor", "1")]
    )
    assert [(e.object_type, e.object_id) for e in found] == [
        ("debtor", "1"),
        ("debt", "7"),
        ("case", "1"),
    ]
    assert audit_service.entries_about(db_session=db_session, objects=[]) == []
    assert (
        len(audit_service.entries_about(db_session=db_session, objects=[("case", "1")], limit=1))
        == 1
    )
