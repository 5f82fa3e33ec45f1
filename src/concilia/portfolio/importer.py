"""Write a parsed portfolio file in one transaction: insert, update by reference, or leave.

Validation happens first (:mod:`concilia.portfolio.parsing`), so a bad file writes nothing.
Writes are bulk statements in batches, with the creditor's existing debts and debtors
pre-loaded into dicts of fingerprints: no query per row, which keeps 100,000 rows well under
a minute on SQLite. A keyed fingerprint of each row (and of each debtor's fields) tells a
re-import what changed; an unchanged file writes nothing at all, not even an audit entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.db import utcnow
from concilia.portfolio.models import Case, Debt, Debtor, DebtorAddress, DebtorContact
from concilia.portfolio.parsing import (
    DEFAULT_DATE_FORMAT,
    Address,
    PortfolioRow,
    parse_bytes,
)
from concilia.portfolio.records import (
    EMAIL,
    PHONE,
    FieldCrypto,
    Fingerprinter,
    ImportResult,
    address_row,
    contact_row,
    debt_values,
    debtor_fields,
    debtor_values,
    new_debtor_children,
)

BATCH = 2_000
DEFAULT_TEAM = "default"
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk_insert(db_session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    # Core executemany on the table: the ORM's RETURNING path goes row by row on SQLite.
    table = model.__table__
    for chunk in _chunks(rows):
        db_session.execute(table.insert(), list(chunk))


def _bulk_update(db_session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        db_session.execute(update(model), list(chunk))


def _reconcile_children(
    box: FieldCrypto, db_session: Session, changed: dict[int, PortfolioRow], today: date
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
            new_addresses.append(address_row(debtor_id, r.previous_address, valid_to=until))
        current = [a for a in history if a.valid_to is None and a.source == "portfolio"]
        if r.address is not None:
            same = [a for a in current if known.get(r.address.key()) is a]
            for a in current:
                if a not in same:
                    a.valid_to = r.address.since or today
            if not same:
                new_addresses.append(address_row(debtor_id, r.address, valid_to=None))
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
                new_contacts.append(contact_row(box, debtor_id, kind, value, today))
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
    fingerprint = Fingerprinter()
    box = FieldCrypto()
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
    debtor_prints = {ref: fingerprint(debtor_values(r)) for ref, r in last_row.items()}

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
                        **debtor_fields(box, r, debtor_prints[ref]),
                    }
                )
    new_debtor_rows = [
        {
            "creditor_id": creditor_id,
            "debtor_reference": ref,
            "created_at": now,
            "updated_at": now,
            **debtor_fields(box, last_row[ref], debtor_prints[ref]),
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
        a, c = new_debtor_children(box, debtor_ids[ref], last_row[ref], today)
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
        print_ = fingerprint(debt_values(r, debtor_prints[r.debtor_reference]))
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
                    "dispute_answered": False,
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
            update(Case)
            .where(Case.debt_id.in_(chunk))
            .values(disputed=True, dispute_answered=False, updated_at=now)
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
