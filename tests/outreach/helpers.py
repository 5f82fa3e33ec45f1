"""Communications that pass every rule of their pack, to be changed one field at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from concilia.outreach.rules import Communication, Decision, evaluate

NY = timezone(timedelta(hours=-5))
PARIS = timezone(timedelta(hours=1))

BASE: dict[str, Communication] = {
    "US": Communication(
        jurisdiction="US",
        channel="email",
        text="Hello Jane, this is Acme Recovery, a debt collector. Your balance is $120. "
        "Reply STOP to opt out of e-mails.",
        identity_verified=True,
        send_at=datetime(2026, 11, 24, 12, 0, tzinfo=NY),
        time_zones=("America/New_York",),
        debt_id="D1",
        address="jane@example.org",
        address_source="consumer_used",
    ),
    "FR": Communication(
        jurisdiction="FR",
        channel="email",
        text="Suite à notre lettre REF-1 du 02/11/2026, le solde de votre dette est de 120 €. "
        "Répondez STOP pour ne plus recevoir ces messages.",
        identity_verified=True,
        send_at=datetime(2026, 11, 24, 10, 0, tzinfo=PARIS),
        time_zones=("Europe/Paris",),
        debt_id="D1",
        first_letter_ref="REF-1",
        first_letter_date=date(2026, 11, 2),
    ),
    "ES": Communication(
        jurisdiction="ES",
        channel="sms",
        text="Su deuda pendiente es de 120 €. Responda BAJA para dejar de recibir mensajes.",
        identity_verified=True,
        send_at=datetime(2026, 11, 24, 11, 0, tzinfo=PARIS),
        time_zones=("Europe/Madrid",),
        debt_id="D1",
    ),
    "UK": Communication(
        jurisdiction="UK",
        channel="email",
        text="Your balance is £120. Reply STOP to opt out of these e-mails.",
        identity_verified=True,
        send_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        time_zones=("Europe/London",),
        debt_id="D1",
    ),
}


def make(jurisdiction: str = "US", **changes: Any) -> Communication:
    return replace(BASE[jurisdiction], **changes)


def check(jurisdiction: str = "US", tone_flags: Any = (), **changes: Any) -> Decision:
    return evaluate(make(jurisdiction, **changes), tone_flags=tone_flags)


def fired(decision: Decision) -> set[str]:
    return {r.rule for r in decision.reasons}
