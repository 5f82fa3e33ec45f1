"""Portal tables: entry attempts, verification flows, debtor sessions,
disputes with their documents, wrong-person reports and contact preferences.

No clear personal data: references and IP addresses are kept as keyed hashes, free text and
documents encrypted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime


class PortalAttempt(Base):
    """One try at the door (a reference, a knowledge check, a code, a /verify look-up)."""

    __tablename__ = "portal_attempts"

    id: Mapped[IdPk]
    step: Mapped[str] = mapped_column(String(20))
    # Keyed hashes: failures are counted per reference and per IP without storing either.
    reference_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    ip_key: Mapped[str] = mapped_column(String(64), index=True)
    success: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PortalFlow(Base):
    """A sign-in in progress, bound to the browser's flow cookie (stored hashed)."""

    __tablename__ = "portal_flows"

    id: Mapped[IdPk]
    flow_hash: Mapped[str] = mapped_column(String(64), unique=True)
    reference_key: Mapped[str] = mapped_column(String(64))
    # Set when the person came by a link: the one case the link was for.
    case_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("cases.id"), nullable=True)
    typed_reference: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the person typed, encrypted: the knowledge check looks the debts up with it.
    reference_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    debtor_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("debtors.id"), nullable=True)
    knowledge_method: Mapped[str | None] = mapped_column(String(20), nullable=True)
    knowledge_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    otp_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    otp_contact_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    otp_sends: Mapped[int] = mapped_column(Integer, default=0)
    otp_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lang: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PortalSession(Base):
    """A verified debtor's session: a principal of its own, never a staff user."""

    __tablename__ = "portal_sessions"

    id: Mapped[IdPk]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), index=True)
    lang: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PortalDispute(Base):
    """A debtor's dispute of a case, from the portal."""

    __tablename__ = "portal_disputes"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    statement_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PortalDocument(Base):
    """A document sent with a dispute: type sniffed from its bytes, content encrypted."""

    __tablename__ = "portal_documents"

    id: Mapped[IdPk]
    dispute_id: Mapped[int] = mapped_column(
        BigIntId, ForeignKey("portal_disputes.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WrongPersonReport(Base):
    """Someone reached about a case says they are not the debtor."""

    __tablename__ = "portal_wrong_person_reports"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    address_matched: Mapped[bool] = mapped_column(Boolean, default=False)
    # Tracing matches this report made rejected (their evidence withdrawn).
    matches_rejected: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactPreference(Base):
    """How a verified debtor wants to be contacted (opt-outs go to outreach's table)."""

    __tablename__ = "portal_contact_preferences"

    id: Mapped[IdPk]
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), unique=True)
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    hours_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hours_to: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lang: Mapped[str] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatMessage(Base):
    """One message of the live chat of a case; an agent's blocked message is kept (with the
    reasons) for the agent and the audit, and never delivered."""

    __tablename__ = "portal_chat_messages"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    sender: Mapped[str] = mapped_column(String(10))  # debtor | agent | assistant
    author: Mapped[str] = mapped_column(String(200))
    body_encrypted: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))  # delivered | blocked
    # A blocked message's reasons; for the assistant's replies, the FAQ entry and score.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatHandoff(Base):
    """The debtor asked the assistant for a person: waits in the agents' inbox until taken."""

    __tablename__ = "portal_chat_handoffs"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)  # open|taken
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PortalPayment(Base):
    """A card payment started in the portal: the provider holds the card, we hold its
    reference and the outcome (never a card number)."""

    __tablename__ = "portal_payments"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(30))
    provider_ref: Mapped[str] = mapped_column(String(64), unique=True)
    # What the (fake) provider says; the local provider keeps its own state here.
    provider_status: Mapped[str] = mapped_column(String(10), default="pending")
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|paid|failed
    ledger_payment_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("payments.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
