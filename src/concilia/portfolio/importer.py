"""Write a parsed portfolio file in one transaction: insert, update by reference, or leave.

Validation happens first (:mod:`concilia.portfolio.parsing`), so a bad file writes nothing.
Writes are bulk statements in batches, with the creditor's existing debts and debtors
pre-loaded into dicts of fingerprints: no query per row, which keeps 100,000 rows well under
a minute on SQLite. A keyed fingerprint of each row (and of each debtor's fields) tells a
re-import what changed; an unchanged file writes nothing at all, not even an audit entry.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.config import get_settings
from concilia.db import utcnow
from concilia.portfolio.models import Case, Debt, Debtor, DebtorAddress, DebtorContact
from concilia.portfolio.parsing import (
    DEFAULT_DATE_FORMAT,
    Address,
    PortfolioRow,
    parse_bytes,
)

BATCH = 2_000
DEFAULT_TEAM = "default"
T = TypeVar("T")

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
    created_references: list[str] = field(default_factory=list, repr=False)

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


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Fingerprinter:
    """HMAC of a row's canonical values: equal rows give equal prints, nothing leaks."""

    def __init__(self) -> None:
        master = get_settings().data_key_bytes
        self.key = hmac.new(master, b"concilia/portfolio-fingerprint", hashlib.sha256).digest()

    def __call__(self, values: Sequence[object]) -> str:
        text = "\x1f".join("" if v is None else str(v) for v in values)
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()


class _Crypto:
    """Field encryption with the data key read once per import, not once per value."""

    def __init__(self) -> None:
        self.key = get_settings().data_key_bytes

    def seal(self, value: str, context: str) -> str:
        return crypto.encrypt(value, context=context, key=self.key)

    def index(self, value: str, context: str) -> str:
        return crypto.blind_index(value, context=context, key=self.key)


def _address_values(a: Address | None) -> tuple[object, ...]:
    if a is None:
        return (None,)
    return (a.line, a.postal_code, a.city, a.country, a.since, a.until)


def _debtor_values(r: PortfolioRow) -> tuple[object, ...]:
    return (
        r.given_names,
        r.family_names,
        r.date_of_birth,
        r.national_id,
        *_address_values(r.address),
        *_address_values(r.previous_address),
        "|".join(r.phones),
        "|".join(r.emails),
        r.employer,
        r.preferred_language,
        r.time_zone,
        r.jurisdiction,
    )


def _debt_values(r: PortfolioRow, debtor_print: str) -> tuple[object, ...]:
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


def _debtor_fields(box: _Crypto, r: PortfolioRow, fingerprint: str) -> dict[str, Any]:
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


def _contact_row(
    box: _Crypto, debtor_id: int, kind: str, value: str, today: date
) -> dict[str, Any]:
    context = CONTACT_CONTEXT[kind]
    return {
        "debtor_id": debtor_id,
        "kind": kind,
        "value_encrypted": box.seal(value, context),
        "value_index": box.index(value, context),
        "source": "portfolio",
        "valid_from": today,
        "valid_to": None,
    }


def _address_row(debtor_id: int, a: Address, *, valid_to: date | None) -> dict[str, Any]:
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


def _new_debtor_children(
    box: _Crypto, debtor_id: int, r: PortfolioRow, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    addresses = []
    if r.previous_address is not None:
        until = r.previous_address.until or (r.address.since if r.address else None)
        addresses.append(_address_row(debtor_id, r.previous_address, valid_to=until))
    if r.address is not None:
        addresses.append(_address_row(debtor_id, r.address, valid_to=None))
    contacts = [_contact_row(box, debtor_id, "phone", p, today) for p in r.phones]
    contacts += [_contact_row(box, debtor_id, "email", e, today) for e in r.emails]
    return addresses, contacts


def _bulk_insert(db_session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    # Core executemany on the table: the ORM's RETURNING path goes row by row on SQLite.
    table = model.__table__
    for chunk in _chunks(rows):
        db_session.execute(table.insert(), list(chunk))


def _bulk_update(db_session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        db_session.execute(update(model), list(chunk))


def _reconcile_children(
    box: _Crypto, db_session: Session, changed: dict[int, PortfolioRow], today: date
) -> None:
    """Bring addresses and contacts of changed debtors in line, keeping the history."""
    ids = list(changed)
    current_addresses: dict[int, list[DebtorAddress]] = {}
    current_contacts: dict[int, list[DebtorContact]] = {}
    for chunk in _chunks(ids, 500):
        for a in db_session.scalars(
            select(DebtorAddress).where(DebtorAddress.debtor_id.in_(chunk))
        ):
            current_addresses.setdefault(a.debtor_id, []).append(a)
        for c in db_session.scalars(
            select(DebtorContact).where(
                DebtorContact.debtor_id.in_(chunk), DebtorContact.valid_to.is_(None)
            )
        ):
            current_contacts.setdefault(c.debtor_id, []).append(c)
    new_addresses: list[dict[str, Any]] = []
    new_contacts: list[dict[str, Any]] = []
    for debtor_id, r in changed.items():
        history = current_addresses.get(debtor_id, [])
        known = {Address(a.line, a.postal_code, a.city, a.country).key(): a for a in history}
        if r.previous_address is not None and r.previous_address.key() not in known:
            until = r.previous_address.until or (r.address.since if r.address else None)
            new_addresses.append(_address_row(debtor_id, r.previous_address, valid_to=until))
        current = [a for a in history if a.valid_to is None and a.source == "portfolio"]
        if r.address is not None:
            same = [a for a in current if known.get(r.address.key()) is a]
            for a in current:
                if a not in same:
                    a.valid_to = r.address.since or today
            if not same:
                new_addresses.append(_address_row(debtor_id, r.address, valid_to=None))
        wanted = {("phone", box.index(p, PHONE)): p for p in r.phones}
        wanted |= {("email", box.index(e, EMAIL)): e for e in r.emails}
        have = set()
        for c in current_contacts.get(debtor_id, []):
            key = (c.kind, c.value_index)
            if key in wanted:
                have.add(key)
            elif c.source == "portfolio":
                c.valid_to = today  # no longer in the creditor's file: kept as history
        for (kind, _), value in wanted.items():
            if (kind, _) not in have:
                new_contacts.append(_contact_row(box, debtor_id, kind, value, today))
    _bulk_insert(db_session, DebtorAddress, new_addresses)
    _bulk_insert(db_session, DebtorContact, new_contacts)


def import_rows(
    *,
    db_session: Session,
    rows: list[PortfolioRow],
    creditor_id: int,
    creditor_name: str,
    team_name: str,
    file: str,
    sha256: str,
    actor: str,
) -> ImportResult:
    """Write valid rows for a creditor in the caller's transaction; audit one entry."""
    now = utcnow()
    today = now.date()
    fingerprint = _Fingerprinter()
    box = _Crypto()
    result = ImportResult(
        file=file, sha256=sha256, creditor=creditor_name, team=team_name, rows=len(rows)
    )
    existing_debtors = {
        ref: (debtor_id, fp)
        for debtor_id, ref, fp in db_session.execute(
            select(Debtor.id, Debtor.debtor_reference, Debtor.fingerprint).where(
                Debtor.creditor_id == creditor_id
            )
        )
    }
    existing_debts = {
        row.account_reference: row
        for row in db_session.execute(
            select(
                Debt.id,
                Debt.account_reference,
                Debt.fingerprint,
                Debt.principal,
                Debt.interest,
                Debt.fees,
                Debt.principal_balance,
                Debt.interest_balance,
                Debt.fees_balance,
                Debt.status,
            ).where(Debt.creditor_id == creditor_id)
        )
    }
    # The debtor's fields come from the last row that names them (the documented rule).
    last_row: dict[str, PortfolioRow] = {}
    for r in rows:
        last_row[r.debtor_reference] = r
    debtor_prints = {ref: fingerprint(_debtor_values(r)) for ref, r in last_row.items()}

    new_refs: list[str] = []
    changed_debtors: dict[int, PortfolioRow] = {}
    debtor_updates: list[dict[str, Any]] = []
    debtor_ids: dict[str, int] = {}
    for ref, r in last_row.items():
        found = existing_debtors.get(ref)
        if found is None:
            new_refs.append(ref)
        else:
            debtor_ids[ref] = found[0]
            if found[1] != debtor_prints[ref]:
                changed_debtors[found[0]] = r
                debtor_updates.append(
                    {
                        "id": found[0],
                        "updated_at": now,
                        **_debtor_fields(box, r, debtor_prints[ref]),
                    }
                )
    new_debtor_rows = [
        {
            "creditor_id": creditor_id,
            "debtor_reference": ref,
            "created_at": now,
            "updated_at": now,
            **_debtor_fields(box, last_row[ref], debtor_prints[ref]),
        }
        for ref in new_refs
    ]
    _bulk_insert(db_session, Debtor, new_debtor_rows)
    if new_refs:
        # The ids of the rows just written, read back in one query instead of RETURNING.
        for ref, debtor_id in db_session.execute(
            select(Debtor.debtor_reference, Debtor.id).where(Debtor.creditor_id == creditor_id)
        ):
            debtor_ids[ref] = debtor_id
    addresses: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    for ref in new_refs:
        a, c = _new_debtor_children(box, debtor_ids[ref], last_row[ref], today)
        addresses += a
        contacts += c
    _bulk_insert(db_session, DebtorAddress, addresses)
    _bulk_insert(db_session, DebtorContact, contacts)
    _bulk_update(db_session, Debtor, debtor_updates)
    if changed_debtors:
        _reconcile_children(box, db_session, changed_debtors, today)
    result.debtors_created = len(new_refs)
    result.debtors_updated = len(changed_debtors)

    team_id: int | None = None
    new_debts: list[dict[str, Any]] = []
    new_debt_status: list[str] = []
    debt_updates: list[dict[str, Any]] = []
    newly_disputed: list[int] = []
    for r in rows:
        print_ = fingerprint(_debt_values(r, debtor_prints[r.debtor_reference]))
        old = existing_debts.get(r.account_reference)
        if old is None:
            new_debts.append(
                {
                    "creditor_id": creditor_id,
                    "debtor_id": debtor_ids[r.debtor_reference],
                    "account_reference": r.account_reference,
                    "original_creditor": r.original_creditor,
                    "currency": r.currency,
                    "principal": r.principal,
                    "interest": r.interest,
                    "fees": r.fees,
                    "principal_balance": r.principal,
                    "interest_balance": r.interest,
                    "fees_balance": r.fees,
                    "credit_balance": Decimal(0),
                    "interest_rate": r.interest_rate,
                    # The stated interest is as at placement: accrual runs from the import.
                    "interest_accrued_to": today,
                    "charge_off_date": r.charge_off_date,
                    "last_payment_date": r.last_payment_date,
                    "status": r.status,
                    "fingerprint": print_,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            new_debt_status.append(r.status)
            result.created_references.append(r.account_reference)
        elif old.fingerprint == print_:
            result.unchanged += 1
        else:
            # The creditor restated the amounts: move the balances by the same difference,
            # so payments and accrued interest recorded since are kept.
            debt_updates.append(
                {
                    "id": old.id,
                    "debtor_id": debtor_ids[r.debtor_reference],
                    "original_creditor": r.original_creditor,
                    "currency": r.currency,
                    "principal": r.principal,
                    "interest": r.interest,
                    "fees": r.fees,
                    "principal_balance": old.principal_balance + r.principal - old.principal,
                    "interest_balance": old.interest_balance + r.interest - old.interest,
                    "fees_balance": old.fees_balance + r.fees - old.fees,
                    "interest_rate": r.interest_rate,
                    "charge_off_date": r.charge_off_date,
                    "last_payment_date": r.last_payment_date,
                    "status": r.status,
                    "fingerprint": print_,
                    "updated_at": now,
                }
            )
            if r.status == "disputed" and old.status != "disputed":
                newly_disputed.append(old.id)
    if new_debts:
        team_id = auth_service.get_or_create_team(
            db_session=db_session, name=team_name, actor=actor
        ).id
        _bulk_insert(db_session, Debt, new_debts)
        ids_by_reference = {
            ref: debt_id
            for ref, debt_id in db_session.execute(
                select(Debt.account_reference, Debt.id).where(Debt.creditor_id == creditor_id)
            )
        }
        debt_ids = [ids_by_reference[d["account_reference"]] for d in new_debts]
        _bulk_insert(
            db_session,
            Case,
            [
                {
                    "debt_id": debt_id,
                    "team_id": team_id,
                    "assigned_agent_id": None,
                    "stage": "new",
                    "disputed": status == "disputed",
                    "cease_contact": False,
                    "vulnerable": False,
                    "vulnerability_possible": False,
                    "deceased": False,
                    "bankrupt": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for debt_id, status in zip(debt_ids, new_debt_status, strict=True)
            ],
        )
    _bulk_update(db_session, Debt, debt_updates)
    for chunk in _chunks(newly_disputed, 500):
        db_session.execute(
            update(Case).where(Case.debt_id.in_(chunk)).values(disputed=True, updated_at=now)
        )
    result.created = len(new_debts)
    result.updated = len(debt_updates)
    if result.changed:
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.imported",
            object_type="creditor",
            object_id=creditor_id,
            change=result.as_dict(),
            detail=result.as_dict(),
        )
    db_session.flush()
    return result


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


__all__ = ["DEFAULT_DATE_FORMAT", "DEFAULT_TEAM", "ImportResult", "import_rows", "parse_bytes"]
