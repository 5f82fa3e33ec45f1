"""The audit table: append-only, each row chained to the previous one by HMAC-SHA256 (the key
is kept outside the database: see ``concilia.audit.key``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DDL, JSON, BigInteger, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, IdPk, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """One state change: who did what to which object, and the chain hashes."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id"),)

    id: Mapped[IdPk]
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    change_digest: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


# Append-only at the database level: an UPDATE or DELETE needs a deliberate DDL change first,
# which is exactly the tampering `concilia audit verify` is there to detect.
APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END",
]
APPEND_ONLY_POSTGRES = [
    "CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
]


def append_only_statements(dialect_name: str) -> list[str]:
    """The trigger DDL for a dialect (used by the table's create event and by migrations)."""
    return APPEND_ONLY_POSTGRES if dialect_name == "postgresql" else APPEND_ONLY_SQLITE


for _statement in APPEND_ONLY_SQLITE:
    event.listen(
        AuditEntry.__table__,
        "after_create",
        DDL(_statement).execute_if(dialect="sqlite"),  # type: ignore[no-untyped-call]
    )
for _statement in APPEND_ONLY_POSTGRES:
    event.listen(
        AuditEntry.__table__,
        "after_create",
        DDL(_statement).execute_if(dialect="postgresql"),  # type: ignore[no-untyped-call]
    )
