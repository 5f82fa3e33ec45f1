"""What an import writes per row: encryption contexts, keyed fingerprints, row dicts.

Used by :mod:`concilia.portfolio.importer`; the encryption contexts are shared with the
readers in :mod:`concilia.portfolio.debtors`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from concilia import crypto
from concilia.config import get_settings
from concilia.portfolio.parsing import Address, PortfolioRow

# Encryption contexts (bound as associated data) and blind-index contexts.
DOB = "portfolio.debtor.dob"
NATIONAL_ID = "portfolio.debtor.national_id"
PHONE = "portfolio.contact.phone"
EMAIL = "portfolio.contact.email"
CONTACT_CONTEXT = {"phone": PHONE, "email": EMAIL}


@dataclass
class ImportResult:
    """What an import did, by debt (and by debtor)."""

    file: str
    sha256: str
    creditor: str
    team: str
    rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    debtors_created: int = 0
    debtors_updated: int = 0

    @property
    def changed(self) -> bool:
        """True when the import wrote anything."""
        return bool(self.created or self.updated or self.debtors_created or self.debtors_updated)

    def summary(self) -> str:
        """One line for people."""
        if not self.changed:
            return (
                f"{self.file}: nothing changed — all {self.unchanged} debts already imported "
                f"as they are for {self.creditor}"
            )
        return (
            f"{self.file}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged ({self.debtors_created} new debtors, "
            f"{self.debtors_updated} debtors updated) for {self.creditor}"
        )

    def as_dict(self) -> dict[str, Any]:
        """The counts, for JSON and the audit log (no personal data)."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "creditor": self.creditor,
            "team": self.team,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "debtors_created": self.debtors_created,
            "debtors_updated": self.debtors_updated,
            "changed": self.changed,
        }


class Fingerprinter:
    """HMAC of a row's canonical values: equal rows give equal prints, nothing leaks."""

    def __init__(self) -> None:
        master = get_settings().data_key_bytes
        self.key = hmac.new(master, b"concilia/portfolio-fingerprint", hashlib.sha256).digest()

    def __call__(self, values: Sequence[object]) -> str:
        text = "\x1f".join("" if v is None else str(v) for v in values)
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()


class FieldCrypto:
    """Field encryption with the data key read once per import, not once per value."""

    def __init__(self) -> None:
        self.key = get_settings().data_key_bytes

    def seal(self, value: str, context: str) -> str:
        return crypto.encrypt(value, context=context, key=self.key)

    def index(self, value: str, context: str) -> str:
        return crypto.blind_index(value, context=context, key=self.key)


def address_values(a: Address | None) -> tuple[object, ...]:
    if a is None:
        return (None,)
    return (a.line, a.postal_code, a.city, a.country, a.since, a.until)


def debtor_values(r: PortfolioRow) -> tuple[object, ...]:
    return (
        r.given_names,
        r.family_names,
        r.date_of_birth,
        r.national_id,
        *address_values(r.address),
        *address_values(r.previous_address),
        "|".join(r.phones),
        "|".join(r.emails),
        "|".join(p or "" for p in r.phones_provenance),
        "|".join(p or "" for p in r.emails_provenance),
        r.creditor_notice_date,
        r.employer,
        r.preferred_language,
        r.time_zone,
        r.jurisdiction,
    )


def debt_values(r: PortfolioRow, debtor_print: str) -> tuple[object, ...]:
    return (
        r.debtor_reference,
        debtor_print,
        r.original_creditor,
        r.principal,
        r.interest,
        r.fees,
        r.currency,
        r.interest_rate,
        r.charge_off_date,
        r.last_payment_date,
        r.status,
    )


def debtor_fields(box: FieldCrypto, r: PortfolioRow, fingerprint: str) -> dict[str, Any]:
    dob = r.date_of_birth.isoformat() if r.date_of_birth else None
    return {
        "given_names": r.given_names,
        "family_names": r.family_names,
        "dob_encrypted": box.seal(dob, DOB) if dob else None,
        "dob_index": box.index(dob, DOB) if dob else None,
        "national_id_encrypted": (box.seal(r.national_id, NATIONAL_ID) if r.national_id else None),
        "national_id_index": (box.index(r.national_id, NATIONAL_ID) if r.national_id else None),
        "employer": r.employer,
        "preferred_language": r.preferred_language,
        "time_zone": r.time_zone,
        "jurisdiction": r.jurisdiction,
        "fingerprint": fingerprint,
    }


def contact_row(
    box: FieldCrypto,
    debtor_id: int,
    kind: str,
    value: str,
    today: date,
    *,
    provenance: str | None = None,
    notice_on: date | None = None,
) -> dict[str, Any]:
    context = CONTACT_CONTEXT[kind]
    return {
        "debtor_id": debtor_id,
        "kind": kind,
        "value_encrypted": box.seal(value, context),
        "value_index": box.index(value, context),
        "source": "portfolio",
        "provenance": provenance,
        "creditor_notice_on": notice_on if provenance == "creditor_notice" else None,
        "valid_from": today,
        "valid_to": None,
    }


def contact_provenances(r: PortfolioRow) -> dict[tuple[str, str], str | None]:
    """(kind, value) -> provenance of each phone and e-mail of a row."""
    out: dict[tuple[str, str], str | None] = {
        ("phone", p): s for p, s in zip(r.phones, r.phones_provenance, strict=True)
    }
    out |= {("email", e): s for e, s in zip(r.emails, r.emails_provenance, strict=True)}
    return out


def address_row(debtor_id: int, a: Address, *, valid_to: date | None) -> dict[str, Any]:
    return {
        "debtor_id": debtor_id,
        "line": a.line,
        "postal_code": a.postal_code,
        "city": a.city,
        "country": a.country,
        "valid_from": a.since,
        "valid_to": valid_to,
        "source": "portfolio",
    }


def new_debtor_children(
    box: FieldCrypto, debtor_id: int, r: PortfolioRow, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    addresses = []
    if r.previous_address is not None:
        until = r.previous_address.until or (r.address.since if r.address else None)
        addresses.append(address_row(debtor_id, r.previous_address, valid_to=until))
    if r.address is not None:
        addresses.append(address_row(debtor_id, r.address, valid_to=None))
    contacts = [
        contact_row(
            box, debtor_id, kind, value, today, provenance=source, notice_on=r.creditor_notice_date
        )
        for (kind, value), source in contact_provenances(r).items()
    ]
    return addresses, contacts
