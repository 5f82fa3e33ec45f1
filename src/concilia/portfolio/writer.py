"""The writes of an import, batch by batch: debtors (with their addresses and contacts),
then debts and their cases.

Each batch looks up only its own references (one query per table), then writes with Core
``executemany`` statements (the ORM's RETURNING path goes row by row on SQLite). Nothing
here validates: :mod:`concilia.portfolio.importer` calls it on a file already accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from concilia.auth import service as auth_service
from concilia.db import utcnow
from concilia.portfolio.models import Case, Debt, Debtor, DebtorAddress, DebtorContact
from concilia.portfolio.parsing import Address, PortfolioRow
from concilia.portfolio.records import (
    EMAIL,
    PHONE,
    FieldCrypto,
    Fingerprinter,
    ImportResult,
    address_row,
    contact_provenances,
    contact_row,
    debt_values,
    debtor_fields,
    debtor_values,
    new_debtor_children,
)
from concilia.portfolio.worklist import refresh_worklist_keys

BATCH = 2_000
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def batches(rows: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk_insert(db_session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    # Core executemany on the table: the ORM's RETURNING path goes row by row on SQLite.
    table = model.__table__
    for chunk in _chunks(rows):
        db_session.execute(table.insert(), list(chunk))


def _bulk_update(db_session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        db_session.execute(update(model), list(chunk))


class BatchWriter:
    """One import's writes, batch by batch: its keys, its clock, its team."""

    def __init__(
        self, db_session: Session, *, creditor_id: int, team_name: str, actor: str
    ) -> None:
        self.db_session, self.creditor_id = db_session, creditor_id
        self.team_name, self.actor = team_name, actor
        self.now: datetime = utcnow()
        self.today: date = self.now.date()
        self.fingerprint = Fingerprinter()
        self.box = FieldCrypto()
        self.team_id: int | None = None
        self.postgres = db_session.get_bind().dialect.name == "postgresql"
        self.analyzed: dict[str, int] = {"debtors": 0, "debts": 0}
        self.grown: dict[str, int] = {"debtors": 0, "debts": 0}

    def _grew(self, table: str, rows: int) -> None:
        """Refresh PostgreSQL's statistics of a table this import keeps filling.

        Autovacuum never sees rows not yet committed: a table created empty keeps a size
        of 0 for the planner, which then looks references up through the creditor's index
        and filters every row of the creditor (a few seconds a batch at 500,000 rows). An
        ANALYZE each time the table doubles (inside the transaction, it counts our rows)
        keeps the lookups on the (creditor, reference) index.
        """
        self.grown[table] += rows
        if self.postgres and self.grown[table] >= max(5_000, self.analyzed[table]):
            self.db_session.execute(text(f"ANALYZE {table}"))
            self.analyzed[table] += self.grown[table]
            self.grown[table] = 0

    def debtors(self, rows: list[PortfolioRow], result: ImportResult) -> None:
        """Create or update the debtors whose last row is in ``rows`` (one row per debtor)."""
        db = self.db_session
        refs = [r.debtor_reference for r in rows]
        existing = {
            ref: (debtor_id, fp)
            for debtor_id, ref, fp in db.execute(
                select(Debtor.id, Debtor.debtor_reference, Debtor.fingerprint).where(
                    Debtor.creditor_id == self.creditor_id, Debtor.debtor_reference.in_(refs)
                )
            )
        }
        new_rows: list[PortfolioRow] = []
        changed: dict[int, PortfolioRow] = {}
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        for r in rows:
            print_ = self.fingerprint(debtor_values(r))
            found = existing.get(r.debtor_reference)
            if found is None:
                new_rows.append(r)
                inserts.append(
                    {
                        "creditor_id": self.creditor_id,
                        "debtor_reference": r.debtor_reference,
                        "created_at": self.now,
                        "updated_at": self.now,
                        **debtor_fields(self.box, r, print_),
                    }
                )
            elif found[1] != print_:
                changed[found[0]] = r
                updates.append(
                    {"id": found[0], "updated_at": self.now, **debtor_fields(self.box, r, print_)}
                )
        _bulk_insert(db, Debtor, inserts)
        self._grew("debtors", len(inserts))
        if new_rows:
            # The ids of the rows just written, read back in one query instead of RETURNING.
            ids: dict[str, int] = {
                ref: debtor_id
                for ref, debtor_id in db.execute(
                    select(Debtor.debtor_reference, Debtor.id).where(
                        Debtor.creditor_id == self.creditor_id,
                        Debtor.debtor_reference.in_([r.debtor_reference for r in new_rows]),
                    )
                )
            }
            addresses: list[dict[str, Any]] = []
            contacts: list[dict[str, Any]] = []
            for r in new_rows:
                a, c = new_debtor_children(self.box, ids[r.debtor_reference], r, self.today)
                addresses += a
                contacts += c
            _bulk_insert(db, DebtorAddress, addresses)
            _bulk_insert(db, DebtorContact, contacts)
        _bulk_update(db, Debtor, updates)
        if changed:
            self._reconcile_children(changed)
        result.debtors_created += len(new_rows)
        result.debtors_updated += len(changed)
        db.flush()

    def _reconcile_children(self, changed: dict[int, PortfolioRow]) -> None:
        """Bring addresses and contacts of changed debtors in line, keeping the history."""
        db, box, today = self.db_session, self.box, self.today
        ids = list(changed)
        current_addresses: dict[int, list[DebtorAddress]] = {}
        current_contacts: dict[int, list[DebtorContact]] = {}
        for a in db.scalars(select(DebtorAddress).where(DebtorAddress.debtor_id.in_(ids))):
            current_addresses.setdefault(a.debtor_id, []).append(a)
        for c in db.scalars(
            select(DebtorContact).where(
                DebtorContact.debtor_id.in_(ids), DebtorContact.valid_to.is_(None)
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
            sources = contact_provenances(r)
            context = {"phone": PHONE, "email": EMAIL}
            wanted = {(kind, box.index(v, context[kind])): (kind, v) for kind, v in sources}
            have = set()
            for c in current_contacts.get(debtor_id, []):
                key = (c.kind, c.value_index)
                if key in wanted:
                    have.add(key)
                    # The creditor may restate how it obtained an address it already sent.
                    source = sources[wanted[key]]
                    notice = r.creditor_notice_date if source == "creditor_notice" else None
                    if c.source == "portfolio" and (c.provenance, c.creditor_notice_on) != (
                        source,
                        notice,
                    ):
                        c.provenance, c.creditor_notice_on = source, notice
                elif c.source == "portfolio":
                    c.valid_to = today  # no longer in the creditor's file: kept as history
            for key, (kind, value) in wanted.items():
                if key not in have:
                    new_contacts.append(
                        contact_row(
                            box,
                            debtor_id,
                            kind,
                            value,
                            today,
                            provenance=sources[(kind, value)],
                            notice_on=r.creditor_notice_date,
                        )
                    )
        _bulk_insert(db, DebtorAddress, new_addresses)
        _bulk_insert(db, DebtorContact, new_contacts)

    def debts(self, rows: list[PortfolioRow], result: ImportResult) -> None:
        """Create, update or leave the debts of ``rows``; new debts get a case."""
        db, now = self.db_session, self.now
        debtors = {
            ref: (debtor_id, fp)
            for debtor_id, ref, fp in db.execute(
                select(Debtor.id, Debtor.debtor_reference, Debtor.fingerprint).where(
                    Debtor.creditor_id == self.creditor_id,
                    Debtor.debtor_reference.in_({r.debtor_reference for r in rows}),
                )
            )
        }
        existing = {
            row.account_reference: row
            for row in db.execute(
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
                ).where(
                    Debt.creditor_id == self.creditor_id,
                    Debt.account_reference.in_([r.account_reference for r in rows]),
                )
            )
        }
        new_debts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        newly_disputed: list[int] = []
        for r in rows:
            debtor_id, debtor_print = debtors[r.debtor_reference]
            print_ = self.fingerprint(debt_values(r, debtor_print))
            old = existing.get(r.account_reference)
            if old is None:
                new_debts.append(
                    {
                        "creditor_id": self.creditor_id,
                        "debtor_id": debtor_id,
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
                        "interest_accrued_to": self.today,
                        "charge_off_date": r.charge_off_date,
                        "last_payment_date": r.last_payment_date,
                        "status": r.status,
                        "fingerprint": print_,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            elif old.fingerprint == print_:
                result.unchanged += 1
            else:
                # The creditor restated the amounts: move the balances by the same difference,
                # so payments and accrued interest recorded since are kept.
                updates.append(
                    {
                        "id": old.id,
                        "debtor_id": debtor_id,
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
            self._insert_debts(new_debts)
        _bulk_update(db, Debt, updates)
        # Restated amounts move the balance the worklist sorts on.
        refresh_worklist_keys(db_session=db, debt_ids=[u["id"] for u in updates])
        if newly_disputed:
            db.execute(
                update(Case)
                .where(Case.debt_id.in_(newly_disputed))
                .values(disputed=True, dispute_answered=False, updated_at=now)
            )
        result.created += len(new_debts)
        result.updated += len(updates)
        db.flush()

    def _insert_debts(self, new_debts: list[dict[str, Any]]) -> None:
        db = self.db_session
        if self.team_id is None:
            # A new team is created (and audited, which takes the audit log's lock until the
            # import commits) only on a first import into it.
            self.team_id = auth_service.get_or_create_team(
                db_session=db, name=self.team_name, actor=self.actor
            ).id
        _bulk_insert(db, Debt, new_debts)
        self._grew("debts", len(new_debts))
        ids: dict[str, int] = {
            ref: debt_id
            for ref, debt_id in db.execute(
                select(Debt.account_reference, Debt.id).where(
                    Debt.creditor_id == self.creditor_id,
                    Debt.account_reference.in_([d["account_reference"] for d in new_debts]),
                )
            )
        }
        _bulk_insert(
            db,
            Case,
            [
                {
                    "debt_id": ids[d["account_reference"]],
                    "team_id": self.team_id,
                    "assigned_agent_id": None,
                    "stage": "new",
                    "disputed": d["status"] == "disputed",
                    "dispute_answered": False,
                    "cease_contact": False,
                    "vulnerable": False,
                    "vulnerability_possible": False,
                    "deceased": False,
                    "bankrupt": False,
                    "balance_total": d["principal_balance"]
                    + d["interest_balance"]
                    + d["fees_balance"],
                    "created_at": self.now,
                    "updated_at": self.now,
                }
                for d in new_debts
            ],
        )
