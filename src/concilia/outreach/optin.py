"""Opt-ins: the person agreed to be messaged on a platform address (WhatsApp's business policy
asks for it before a business starts a conversation). Audited; checked by the outbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.outreach import context
from concilia.outreach.models import OptInEntry


def record_opt_in(
    *, db_session: Session, debtor_id: int, channel: str, address: str, source: str, actor: str
) -> OptInEntry:
    """Record the person's opt-in for this address (the same address twice: the first entry)."""
    index = context.address_index(address)
    existing = db_session.scalars(
        select(OptInEntry).where(
            OptInEntry.debtor_id == debtor_id,
            OptInEntry.channel == channel,
            OptInEntry.address_index == index,
        )
    ).first()
    if existing is not None:
        return existing
    entry = OptInEntry(
        debtor_id=debtor_id,
        channel=channel,
        address_index=index,
        source=source,
        created_at=utcnow(),
        actor=actor,
    )
    db_session.add(entry)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="outreach.opt_in",
        object_type="debtor",
        object_id=debtor_id,
        change={"channel": channel, "address_index": index, "source": source},
        detail={"channel": channel, "source": source},
    )
    return entry


def has_opt_in(*, db_session: Session, channel: str, address_index: str) -> bool:
    """Whether anyone recorded an opt-in for this address on this channel."""
    return (
        db_session.scalar(
            select(OptInEntry.id).where(
                OptInEntry.channel == channel, OptInEntry.address_index == address_index
            )
        )
        is not None
    )
