"""Debtor identifiers: decryption for authorised readers, blind-index look-ups, and the bulk
export the tracing domain reads. Re-exported by :mod:`concilia.portfolio.service`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.portfolio.models import Debtor, DebtorAddress, DebtorContact
from concilia.portfolio.records import CONTACT_CONTEXT, DOB, EMAIL, NATIONAL_ID, PHONE


@dataclass(frozen=True)
class DebtorView:
    """A debtor with identifiers decrypted, for an authorised reader."""

    debtor: Debtor
    date_of_birth: date | None
    national_id: str | None
    phones: list[str]
    emails: list[str]


def reveal_debtor(debtor: Debtor) -> DebtorView:
    """Decrypt a debtor's identifiers and current contacts (call only for authorised use)."""
    dob = crypto.decrypt(debtor.dob_encrypted, context=DOB) if debtor.dob_encrypted else None
    nid = (
        crypto.decrypt(debtor.national_id_encrypted, context=NATIONAL_ID)
        if debtor.national_id_encrypted
        else None
    )
    current = [c for c in debtor.contacts if c.valid_to is None]
    return DebtorView(
        debtor=debtor,
        date_of_birth=date.fromisoformat(dob) if dob else None,
        national_id=nid,
        phones=[
            crypto.decrypt(c.value_encrypted, context=PHONE) for c in current if c.kind == "phone"
        ],
        emails=[
            crypto.decrypt(c.value_encrypted, context=EMAIL) for c in current if c.kind == "email"
        ],
    )


def find_debtors_by_contact(*, db_session: Session, kind: str, value: str) -> list[Debtor]:
    """Debtors with this phone (E.164) or e-mail, found by blind index without decrypting."""
    context = CONTACT_CONTEXT[kind]
    index = crypto.blind_index(value, context=context)
    query = (
        select(Debtor)
        .join(DebtorContact, DebtorContact.debtor_id == Debtor.id)
        .where(DebtorContact.kind == kind, DebtorContact.value_index == index)
        .distinct()
    )
    return list(db_session.scalars(query))


@dataclass(frozen=True)
class ContactProvenance:
    """How an address was obtained (12 CFR 1006.6(d)(3)-(4)) and the creditor's notice day."""

    provenance: str | None
    creditor_notice_on: date | None


def contact_provenance(
    *, db_session: Session, debtor_id: int, kind: str, value: str
) -> ContactProvenance:
    """The provenance the creditor stated for a debtor's current phone or e-mail (both None
    when the address is not one of theirs or nothing was stated)."""
    index = crypto.blind_index(value, context=CONTACT_CONTEXT[kind])
    row = db_session.execute(
        select(DebtorContact.provenance, DebtorContact.creditor_notice_on)
        .where(
            DebtorContact.debtor_id == debtor_id,
            DebtorContact.kind == kind,
            DebtorContact.value_index == index,
            DebtorContact.valid_to.is_(None),
            DebtorContact.provenance.is_not(None),
        )
        .order_by(DebtorContact.id.desc())
        .limit(1)
    ).first()
    return ContactProvenance(row[0], row[1]) if row else ContactProvenance(None, None)


def retire_contact(
    *, db_session: Session, debtor_id: int, kind: str, value: str, actor: str, reason: str
) -> int:
    """Stop using a debtor's phone or e-mail (e.g. a wrong number): its current entries end
    today and stay as history (audited; the value is hashed, never stored in clear).
    Returns how many entries ended."""
    index = crypto.blind_index(value, context=CONTACT_CONTEXT[kind])
    current = list(
        db_session.scalars(
            select(DebtorContact).where(
                DebtorContact.debtor_id == debtor_id,
                DebtorContact.kind == kind,
                DebtorContact.value_index == index,
                DebtorContact.valid_to.is_(None),
            )
        )
    )
    today = utcnow().date()
    for contact in current:
        contact.valid_to = today
    if current:
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.contact_retired",
            object_type="debtor",
            object_id=debtor_id,
            change={"kind": kind, "value_index": index, "reason": reason},
            detail={"kind": kind, "reason": reason, "entries": len(current)},
        )
    return len(current)


def find_debtors_by_national_id(*, db_session: Session, national_id: str) -> list[Debtor]:
    """Debtors with this national identifier, by blind index."""
    index = crypto.blind_index(national_id, context=NATIONAL_ID)
    return list(db_session.scalars(select(Debtor).where(Debtor.national_id_index == index)))


def iter_debtors_for_tracing(
    *, db_session: Session, creditor_id: int | None = None, batch_size: int = 2_000
) -> Iterator[dict[str, Any]]:
    """Every debtor as a plain dict for record linkage, current contacts decrypted.

    Keys: debtor_id, creditor_id, debtor_reference, given_names, family_names, date_of_birth
    (ISO or None), birth_day, birth_month, birth_year, city, postal_code, country,
    previous_cities (older addresses, newest first), phones, emails (current ones), employer,
    jurisdiction, preferred_language. Reads plain rows (no ORM objects, so memory stays flat
    over 100,000 debtors) in id-ordered batches, three queries per batch.
    """
    last_id = 0
    while True:
        query = (
            select(
                Debtor.id,
                Debtor.creditor_id,
                Debtor.debtor_reference,
                Debtor.given_names,
                Debtor.family_names,
                Debtor.dob_encrypted,
                Debtor.employer,
                Debtor.jurisdiction,
                Debtor.preferred_language,
            )
            .where(Debtor.id > last_id)
            .order_by(Debtor.id)
            .limit(batch_size)
        )
        if creditor_id is not None:
            query = query.where(Debtor.creditor_id == creditor_id)
        debtors = db_session.execute(query).all()
        if not debtors:
            return
        ids = [d.id for d in debtors]
        addresses: dict[int, list[Any]] = {}
        for a in db_session.execute(
            select(
                DebtorAddress.debtor_id,
                DebtorAddress.city,
                DebtorAddress.postal_code,
                DebtorAddress.country,
                DebtorAddress.valid_to,
            )
            .where(DebtorAddress.debtor_id.in_(ids))
            .order_by(DebtorAddress.id)
        ):
            addresses.setdefault(a.debtor_id, []).append(a)
        contacts: dict[int, list[Any]] = {}
        for c in db_session.execute(
            select(DebtorContact.debtor_id, DebtorContact.kind, DebtorContact.value_encrypted)
            .where(DebtorContact.debtor_id.in_(ids), DebtorContact.valid_to.is_(None))
            .order_by(DebtorContact.id)
        ):
            contacts.setdefault(c.debtor_id, []).append(c)
        for d in debtors:
            yield _tracing_record(d, addresses.get(d.id, []), contacts.get(d.id, []))
        last_id = ids[-1]


def _tracing_record(d: Any, addresses: list[Any], contacts: list[Any]) -> dict[str, Any]:
    dob = crypto.decrypt(d.dob_encrypted, context=DOB) if d.dob_encrypted else None
    current = [a for a in addresses if a.valid_to is None]
    older = sorted(
        (a for a in addresses if a.valid_to is not None), key=lambda a: a.valid_to, reverse=True
    )
    here = current[-1] if current else None
    return {
        "debtor_id": d.id,
        "creditor_id": d.creditor_id,
        "debtor_reference": d.debtor_reference,
        "given_names": d.given_names,
        "family_names": d.family_names,
        "date_of_birth": dob,
        "birth_year": int(dob[:4]) if dob else None,
        "birth_month": int(dob[5:7]) if dob else None,
        "birth_day": int(dob[8:10]) if dob else None,
        "city": here.city if here else None,
        "postal_code": here.postal_code if here else None,
        "country": here.country if here else None,
        "previous_cities": [a.city for a in older if a.city],
        "phones": [
            crypto.decrypt(c.value_encrypted, context=PHONE) for c in contacts if c.kind == "phone"
        ],
        "emails": [
            crypto.decrypt(c.value_encrypted, context=EMAIL) for c in contacts if c.kind == "email"
        ],
        "employer": d.employer,
        "jurisdiction": d.jurisdiction,
        "preferred_language": d.preferred_language,
    }
