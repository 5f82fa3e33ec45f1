"""Verification codes: every outgoing message carries a short code anyone can check at the
portal's ``/verify`` page, to tell the agency's messages from a scammer's imitation.

Outreach owns outgoing messages, so it owns their codes: a code is drawn when a message is
queued (or sent at once, for a requested message), written into the message's text with the
``/verify`` address, and looked up here. The answer says only whether and when the agency
sent a message with that code, and by which channel; never anything about a debt.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.errors import Conflict
from concilia.outreach.models import OutboxMessage, VerificationCode

# No 0/O, 1/I/L: codes are read aloud, or typed from a letter.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# Worded so the debt-disclosure rules never see the debt in it: the footer goes on every
# message, including those sent before the person's identity is known.
FOOTER = {
    "fr": "Ce message vient-il vraiment de nous ? Vérifiez le code {code} sur {url}",
    "es": "¿Este mensaje es realmente nuestro? Compruebe el código {code} en {url}",
    "en": "Is this message really from us? Check the code {code} at {url}",
}


class _PortalAddress(BaseSettings):
    """The portal's public address: the same ``CONCILIA_PORTAL_BASE_URL`` the portal reads
    (outreach sits below the portal and cannot import its settings)."""

    model_config = SettingsConfigDict(env_prefix="CONCILIA_PORTAL_", extra="ignore")

    base_url: str = "http://127.0.0.1:8000"


@lru_cache(maxsize=1)
def _settings() -> _PortalAddress:
    return _PortalAddress()


def verify_url() -> str:
    """Where a code is checked."""
    return _settings().base_url.rstrip("/") + "/verify"


@dataclass(frozen=True)
class VerifiedMessage:
    """What /verify may say about a code: the agency sent it, when, by which channel."""

    sent_at: datetime
    channel: str


def new_code() -> str:
    """A random code such as ``K7QM-2XHP`` (31^8 ≈ 8.5e11 values)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def normalise(code: str) -> str:
    """Codes are typed in any case, with or without the dash or spaces."""
    text = "".join(c for c in code.upper() if c.isalnum())[:32]
    return f"{text[:4]}-{text[4:]}" if len(text) == 8 else text


def issue(*, db_session: Session, idempotency_key: str, channel: str, now: datetime) -> str:
    """The code of the message sent under this idempotency key: drawn once, then reused."""
    found = db_session.scalar(
        select(VerificationCode.code).where(VerificationCode.idempotency_key == idempotency_key)
    )
    if found:
        return found
    for _ in range(5):
        code = new_code()
        taken = db_session.scalar(select(VerificationCode.id).where(VerificationCode.code == code))
        if taken is None:
            db_session.add(
                VerificationCode(
                    code=code, idempotency_key=idempotency_key, channel=channel, issued_at=now
                )
            )
            db_session.flush()
            return code
    raise Conflict("could not draw a free verification code")


def footer(*, code: str, lang: str) -> str:
    """The line a message ends with, in its language (English when unknown)."""
    return FOOTER.get(lang, FOOTER["en"]).format(code=code, url=verify_url())


def stamp(body: str, *, code: str, lang: str) -> str:
    """The body with its verification line (once: a body that carries the code is kept)."""
    if code in body:
        return body
    return f"{body.rstrip()}\n\n{footer(code=code, lang=lang)}"


def mark_sent(*, db_session: Session, idempotency_key: str, at: datetime) -> None:
    """A message sent outside the outbox (a requested one) left at ``at``."""
    row = db_session.scalar(
        select(VerificationCode).where(VerificationCode.idempotency_key == idempotency_key)
    )
    if row is not None and row.sent_at is None:
        row.sent_at = at
        db_session.flush()


def look_up(*, db_session: Session, code: str) -> VerifiedMessage | None:
    """The message sent with this code, or None (unknown, or never actually sent)."""
    typed = normalise(code)
    row = db_session.scalar(select(VerificationCode).where(VerificationCode.code == typed))
    if row is None:
        return None
    if row.sent_at is not None:
        return VerifiedMessage(sent_at=row.sent_at, channel=row.channel)
    message = db_session.scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == row.idempotency_key)
    )
    # A message that left and later bounced was still sent by us: sent_at decides.
    if message is None or message.sent_at is None:
        return None
    return VerifiedMessage(sent_at=message.sent_at, channel=message.channel)
