"""Privacy's tables: data-subject requests, art. 14 notices, and who read personal data.

None holds the person's identity in clear: a request names the debtor by id (the creditor's
reference is what the requester gave and is already in portfolio), a read is logged by id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime

REQUEST_KINDS = ("access", "erasure", "restriction", "objection")
# What erasure keeps in privacy's own tables, and why (the contract's PERSONAL_DATA).
_KEPT = "art. 5(2) GDPR accountability: proof the request was answered"
PRIVACY_TABLES: dict[str, tuple[str, str]] = {
    "privacy_requests": ("kind, dates, status, counts (no personal data)", _KEPT),
    "privacy_notices": (
        "nothing (the notice record is deleted with the person)",
        "deleted",
    ),
    "privacy_reads": (
        "who read which debtor id, when and why (no personal data)",
        "art. 5(2) and 32 GDPR: accountability for access",
    ),
}


class SubjectRequest(Base):
    """A data subject's request (arts. 15, 17, 18, 21), answered within one month (art. 12(3))."""

    __tablename__ = "privacy_requests"

    id: Mapped[IdPk]
    kind: Mapped[str] = mapped_column(String(12))
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | done
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Staff's words on why (e.g. "letter of 2 Dec"); never the person's data.
    reason: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str] = mapped_column(String(200))
    # Counts per table (what was exported, erased or kept): no personal data.
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Art14Notice(Base):
    """The art. 14 notice owed to a person whose data we did not obtain from them."""

    __tablename__ = "privacy_notices"

    id: Mapped[IdPk]
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), unique=True)
    # When data not obtained from the person (a public profile, an inference) was first used.
    first_use_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # First use + one month (art. 14(3)(a)); earlier if we communicate first (art. 14(3)(b)).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lang: Mapped[str] = mapped_column(String(5))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))


class ReadLogEntry(Base):
    """Someone read decrypted personal data: who, which person, what, why, and through what."""

    __tablename__ = "privacy_reads"
    __table_args__ = (Index("ix_privacy_reads_actor_at", "actor", "at"),)

    id: Mapped[IdPk]
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    # No foreign key: the log outlives an erased debtor row's data and is never cascaded.
    debtor_id: Mapped[int] = mapped_column(BigIntId, index=True)
    what: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(40))
    via: Mapped[str] = mapped_column(String(10))  # page | api | command
    items: Mapped[int] = mapped_column(Integer, default=1)
