"""Outreach tables: the outbox, the contact log, inbound replies, opt-outs, identity checks.

Addresses (e-mail, phone, social handle) are personal data: stored encrypted, with a blind
index where look-ups need them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from concilia.db import Base, BigIntId, IdPk, UTCDateTime

# Outbox life cycle. queued -> sending -> sent -> delivered; or blocked / review / failed /
# cancelled. A message waiting for its hours window stays queued with next_attempt_at set.
STATUSES = ("queued", "review", "blocked", "sending", "sent", "delivered", "failed", "cancelled")


class OutboxMessage(Base):
    __tablename__ = "outreach_outbox"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(5))
    recipient: Mapped[str] = mapped_column(String(20), default="debtor")
    to_encrypted: Mapped[str] = mapped_column(Text)
    to_index: Mapped[str] = mapped_column(String(64), index=True)
    address_source: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # US text safe harbour: the consumer's last use of the number, or a reassigned-number check
    reassigned_check_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    letter_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    automated: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    verdict: Mapped[str | None] = mapped_column(String(10), nullable=True)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    provider_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A worker's claim (status sending): a lease that runs out when the worker dies, so
    # another worker takes the message over (outbox.claim).
    lease_owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProviderState(Base):
    """One provider (channel) as the workers share it: outage pause and rate-limit bucket."""

    __tablename__ = "outreach_provider_state"

    id: Mapped[IdPk]
    channel: Mapped[str] = mapped_column(String(30), unique=True)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    tokens: Mapped[float] = mapped_column(Float, default=0.0)
    refilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeliveryEvent(Base):
    """A provider's status event (webhook or bounce), kept so a replayed delivery is a no-op."""

    __tablename__ = "outreach_delivery_events"

    id: Mapped[IdPk]
    event_key: Mapped[str] = mapped_column(String(250), unique=True)
    channel: Mapped[str] = mapped_column(String(30))
    outbox_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("outreach_outbox.id"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactLog(Base):
    """Every contact and attempt, in and out: the history the frequency rules count."""

    __tablename__ = "outreach_contact_log"

    id: Mapped[IdPk]
    case_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("cases.id"), index=True)
    debt_id: Mapped[int] = mapped_column(BigIntId, index=True)
    channel: Mapped[str] = mapped_column(String(30))
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    recipient: Mapped[str] = mapped_column(String(20), default="debtor")
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # For calls: no_answer, busy, voicemail, not_connected, conversation
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    conversation: Mapped[bool] = mapped_column(Boolean, default=False)
    counts: Mapped[bool] = mapped_column(Boolean, default=True)
    outbox_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("outreach_outbox.id"), nullable=True
    )
    actor: Mapped[str] = mapped_column(String(200))


class InboundReply(Base):
    __tablename__ = "outreach_replies"

    id: Mapped[IdPk]
    provider_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("cases.id"), nullable=True, index=True
    )
    outbox_id: Mapped[int | None] = mapped_column(
        BigIntId, ForeignKey("outreach_outbox.id"), nullable=True
    )
    sender_encrypted: Mapped[str] = mapped_column(Text)
    sender_index: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OptOutEntry(Base):
    """The person asked us not to use a channel (address_index None) or one address."""

    __tablename__ = "outreach_opt_outs"

    id: Mapped[IdPk]
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    address_index: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityCheck(Base):
    """The person behind an address (or a social account) was verified to be the debtor."""

    __tablename__ = "outreach_identity_checks"

    id: Mapped[IdPk]
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    address_index: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(40))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))


class VerificationCode(Base):
    """The short code an outgoing message carries, checked by anyone at the portal's /verify
    (see :mod:`concilia.outreach.verification`)."""

    __tablename__ = "outreach_verification_codes"

    id: Mapped[IdPk]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # The message's idempotency key: known before it is queued or sent, unique per message.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(30))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set for a message sent at once (a requested one, outside the outbox); an outbox
    # message's own sent_at answers for it.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OptInEntry(Base):
    """The person agreed to be messaged on this platform address (WhatsApp requires it before
    a business starts a conversation), with how and where that was collected."""

    __tablename__ = "outreach_opt_ins"

    id: Mapped[IdPk]
    debtor_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("debtors.id"), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    address_index: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(40))  # portal, web_form, agent_call, ...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
