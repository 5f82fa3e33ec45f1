"""Portfolio's answer for a data subject (see ``concilia.privacy.contract``): export, erasure.

Erasure pseudonymises the debtor row instead of deleting it: the debts, payments, promises
and plans hang off it and are accounting and claim records the agency must keep (art. 17(3)(b)
and (e) GDPR; commercial books: FR Code de commerce L123-22, ES Código de Comercio art. 30).
What identifies the person — names, date of birth, national id, employer, addresses, contact
points, their blind indexes and the keyed fingerprint of the imported fields — goes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.errors import NotFound
from concilia.portfolio.debtors import reveal_debtor
from concilia.portfolio.models import (
    Case,
    Creditor,
    Debt,
    Debtor,
    DebtorAddress,
    DebtorContact,
    Payment,
    PaymentPlan,
    PromiseToPay,
)
from concilia.portfolio.records import CONTACT_CONTEXT

ERASED_NAME = "[erased]"
_CLAIM = "art. 17(3)(e) GDPR: establishment, exercise or defence of legal claims"
_BOOKS = "art. 17(3)(b) GDPR: legal obligation to keep accounting records"

PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "debtors": (
        "the row with the creditor's reference, jurisdiction, language and time zone; names "
        "replaced by a marker, identifiers, employer, indexes and fingerprint removed",
        f"{_CLAIM}; {_BOOKS} (the debts and payments are booked against it)",
    ),
    "debtor_addresses": ("nothing", "deleted"),
    "debtor_contacts": ("nothing (values and blind indexes)", "deleted"),
    "debts": ("amounts, balances, dates and account reference", f"{_BOOKS}; {_CLAIM}"),
    "cases": ("stage, flags and dates (no identifying data)", _CLAIM),
    "payments": ("amounts, dates, method and reference", _BOOKS),
    "payment_allocations": ("the split of each payment", _BOOKS),
    "promises_to_pay": ("amounts, dates, status", _CLAIM),
    "payment_plans": ("amounts, dates, status", _CLAIM),
    "instalments": ("due dates, amounts, status", _CLAIM),
}
_PROVENANCE = {"source": "creditor portfolio file", "legal_basis": "art. 6(1)(f) GDPR"}
_PURPOSES = ["debt_recovery"]


def _item(table: str, record_id: int, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "domain": "portfolio",
        "table": table,
        "record_id": record_id,
        "data": data,
        "provenance": _PROVENANCE,
        "purposes": _PURPOSES,
        "legal_basis": "art. 6(1)(f) GDPR (legitimate interest in recovering the debt)",
        "retain_until": None,
    }


def _debts(db_session: Session, debtor_id: int) -> list[Debt]:
    return list(db_session.scalars(select(Debt).where(Debt.debtor_id == debtor_id)))


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """The debtor (identifiers decrypted), addresses, contacts, debts, cases and money."""
    debtor = db_session.get(Debtor, debtor_id)
    if debtor is None:
        return []
    view = reveal_debtor(debtor)
    items = [
        _item(
            "debtors",
            debtor.id,
            {
                "debtor_reference": debtor.debtor_reference,
                "given_names": debtor.given_names,
                "family_names": debtor.family_names,
                "date_of_birth": view.date_of_birth.isoformat() if view.date_of_birth else None,
                "national_id": view.national_id,
                "employer": debtor.employer,
                "preferred_language": debtor.preferred_language,
                "time_zone": debtor.time_zone,
                "jurisdiction": debtor.jurisdiction,
                "social_objection_at": (
                    debtor.social_objection_at.isoformat() if debtor.social_objection_at else None
                ),
            },
        )
    ]
    for a in debtor.addresses:
        items.append(
            _item(
                "debtor_addresses",
                a.id,
                {
                    "line": a.line,
                    "postal_code": a.postal_code,
                    "city": a.city,
                    "country": a.country,
                    "valid_from": a.valid_from.isoformat() if a.valid_from else None,
                    "valid_to": a.valid_to.isoformat() if a.valid_to else None,
                    "source": a.source,
                },
            )
        )
    for c in debtor.contacts:
        items.append(
            _item(
                "debtor_contacts",
                c.id,
                {
                    "kind": c.kind,
                    "value": crypto.decrypt(c.value_encrypted, context=CONTACT_CONTEXT[c.kind]),
                    "source": c.source,
                    "valid_to": c.valid_to.isoformat() if c.valid_to else None,
                },
            )
        )
    debts = _debts(db_session, debtor_id)
    debt_ids = [d.id for d in debts]
    for d in debts:
        items.append(
            _item(
                "debts",
                d.id,
                {
                    "account_reference": d.account_reference,
                    "original_creditor": d.original_creditor,
                    "currency": d.currency,
                    "principal": str(d.principal),
                    "interest": str(d.interest),
                    "fees": str(d.fees),
                    "balance": str(d.principal_balance + d.interest_balance + d.fees_balance),
                    "status": d.status,
                    "charge_off_date": d.charge_off_date.isoformat() if d.charge_off_date else None,
                },
            )
        )
    for case in db_session.scalars(select(Case).where(Case.debt_id.in_(debt_ids))):
        items.append(
            _item(
                "cases",
                case.id,
                {
                    "debt_id": case.debt_id,
                    "stage": case.stage,
                    "disputed": case.disputed,
                    "cease_contact": case.cease_contact,
                    "vulnerable": case.vulnerable,
                    "vulnerability_possible": case.vulnerability_possible,
                    "created_at": case.created_at.isoformat(),
                },
            )
        )
    for p in db_session.scalars(select(Payment).where(Payment.debt_id.in_(debt_ids))):
        items.append(
            _item(
                "payments",
                p.id,
                {
                    "debt_id": p.debt_id,
                    "amount": str(p.amount),
                    "currency": p.currency,
                    "received_on": p.received_on.isoformat(),
                    "method": p.method,
                },
            )
        )
    for pr in db_session.scalars(select(PromiseToPay).where(PromiseToPay.debt_id.in_(debt_ids))):
        items.append(
            _item(
                "promises_to_pay",
                pr.id,
                {"amount": str(pr.amount), "due_on": pr.due_on.isoformat(), "status": pr.status},
            )
        )
    for plan in db_session.scalars(select(PaymentPlan).where(PaymentPlan.debt_id.in_(debt_ids))):
        items.append(
            _item(
                "payment_plans",
                plan.id,
                {
                    "total": str(plan.total),
                    "frequency": plan.frequency,
                    "start_on": plan.start_on.isoformat(),
                    "status": plan.status,
                    "instalments": [
                        {
                            "due_on": i.due_on.isoformat(),
                            "amount": str(i.amount),
                            "status": i.status,
                        }
                        for i in plan.instalments
                    ],
                },
            )
        )
    return items


def _outcome(table: str, action: str, rows: int) -> dict[str, Any]:
    keeps, ground = PERSONAL_DATA[table]
    return {
        "domain": "portfolio",
        "table": table,
        "action": action,
        "rows": rows,
        "keeps": keeps,
        "legal_ground": ground,
    }


def erase_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
    actor: str,
    now: datetime,
    scope: str,
) -> list[dict[str, Any]]:
    """Pseudonymise the debtor, delete addresses and contacts; keep the money records.

    An objection (art. 21) concerns the social data only: the portfolio is left alone."""
    if scope != "erasure":
        return []
    debtor = db_session.get(Debtor, debtor_id)
    if debtor is None:
        return []
    addresses = db_session.execute(
        delete(DebtorAddress).where(DebtorAddress.debtor_id == debtor_id)
    )
    contacts = db_session.execute(delete(DebtorContact).where(DebtorContact.debtor_id == debtor_id))
    debtor.given_names = ERASED_NAME
    debtor.family_names = ERASED_NAME
    debtor.dob_encrypted = debtor.dob_index = None
    debtor.national_id_encrypted = debtor.national_id_index = None
    debtor.employer = None
    # A random value: a re-import of the same person must not recognise the old fingerprint,
    # and the old one was a keyed hash of the very fields being erased.
    debtor.fingerprint = secrets.token_hex(32)
    debtor.updated_at = now
    db_session.expire(debtor, ["addresses", "contacts"])
    db_session.flush()
    debt_ids = [d.id for d in _debts(db_session, debtor_id)]

    def count(model: Any) -> int:
        return len(list(db_session.scalars(select(model.id).where(model.debt_id.in_(debt_ids)))))

    return [
        _outcome("debtors", "pseudonymised", 1),
        _outcome("debtor_addresses", "deleted", int(getattr(addresses, "rowcount", 0))),
        _outcome("debtor_contacts", "deleted", int(getattr(contacts, "rowcount", 0))),
        _outcome("debts", "kept", len(debt_ids)),
        _outcome("cases", "kept", count(Case)),
        _outcome("payments", "kept", count(Payment)),
        _outcome("promises_to_pay", "kept", count(PromiseToPay)),
        _outcome("payment_plans", "kept", count(PaymentPlan)),
    ]


def find_subject(
    *, db_session: Session, creditor: str, debtor_reference: str
) -> tuple[int, list[int]] | None:
    """The debtor id and case ids for a creditor's name and its debtor reference, or None."""
    debtor_id = db_session.scalar(
        select(Debtor.id)
        .join(Creditor, Creditor.id == Debtor.creditor_id)
        .where(Creditor.name == creditor, Debtor.debtor_reference == debtor_reference)
    )
    if debtor_id is None:
        return None
    case_ids = db_session.scalars(
        select(Case.id).join(Debt, Debt.id == Case.debt_id).where(Debt.debtor_id == debtor_id)
    )
    return debtor_id, sorted(case_ids)


def closed_debtors(*, db_session: Session, before: datetime) -> list[tuple[int, list[int]]]:
    """Debtors not yet erased whose every case is closed or paid and untouched since
    ``before``, with their case ids (the retention schedule erases them)."""
    rows = db_session.execute(
        select(Debt.debtor_id, Case.id, Case.stage, Case.updated_at)
        .join(Case, Case.debt_id == Debt.id)
        .join(Debtor, Debtor.id == Debt.debtor_id)
        .where(Debtor.given_names != ERASED_NAME)
        .order_by(Debt.debtor_id, Case.id)
    )
    cases: dict[int, list[int]] = {}
    open_debtors: set[int] = set()
    for debtor_id, case_id, stage, updated_at in rows:
        cases.setdefault(debtor_id, []).append(case_id)
        if stage not in ("closed", "paid") or updated_at >= before:
            open_debtors.add(debtor_id)
    return [(d, ids) for d, ids in cases.items() if d not in open_debtors]


# Objection at source (art. 21) -------------------------------------------------------------


def set_social_objection(
    *, db_session: Session, debtor_id: int, objected: bool, actor: str, reason: str
) -> datetime | None:
    """Set (or lift) the person's art. 21 objection to the social-data processing (audited);
    tracing and signals check it before they process the person. When it is now set."""
    debtor = db_session.get(Debtor, debtor_id)
    if debtor is None:
        raise NotFound(f"debtor {debtor_id} not found")
    before = debtor.social_objection_at
    if objected and before is None:
        debtor.social_objection_at = utcnow()
    elif not objected:
        debtor.social_objection_at = None
    if debtor.social_objection_at != before:
        db_session.flush()
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.social_objection_set",
            object_type="debtor",
            object_id=debtor_id,
            change={"objected": objected, "reason": reason},
            detail={"objected": objected},
        )
    return debtor.social_objection_at


def social_objections(*, db_session: Session, debtor_ids: Iterable[int] | None = None) -> set[int]:
    """The people (of these, or all) who objected to the social-data processing."""
    query = select(Debtor.id).where(Debtor.social_objection_at.is_not(None))
    if debtor_ids is not None:
        query = query.where(Debtor.id.in_(sorted(set(debtor_ids))))
    return set(db_session.scalars(query))


def case_objects_to_social(*, db_session: Session, case_id: int) -> bool:
    """Whether the debtor of this case objected to the social-data processing (one query)."""
    return (
        db_session.scalar(
            select(Debtor.social_objection_at)
            .join(Debt, Debt.debtor_id == Debtor.id)
            .join(Case, Case.debt_id == Debt.id)
            .where(Case.id == case_id)
        )
        is not None
    )


# Look-ups for the log of who looked ----------------------------------------------------------


def debtor_ids_of_cases(*, db_session: Session, case_ids: Iterable[int]) -> list[int]:
    """The debtors of these cases (one query)."""
    ids = sorted(set(case_ids))
    if not ids:
        return []
    return sorted(
        set(
            db_session.scalars(
                select(Debt.debtor_id).join(Case, Case.debt_id == Debt.id).where(Case.id.in_(ids))
            )
        )
    )


def debtor_ids_by_reference(*, db_session: Session, debtor_reference: str) -> list[int]:
    """Debtors any creditor knows by this reference (case-insensitive)."""
    wanted = debtor_reference.strip().lower()
    if not wanted:
        return []
    return sorted(
        db_session.scalars(select(Debtor.id).where(func.lower(Debtor.debtor_reference) == wanted))
    )


def references(*, db_session: Session, debtor_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(creditor name, debtor reference) per debtor id: pseudonyms, never decrypted data."""
    ids = sorted(set(debtor_ids))
    if not ids:
        return {}
    rows = db_session.execute(
        select(Debtor.id, Creditor.name, Debtor.debtor_reference)
        .join(Creditor, Creditor.id == Debtor.creditor_id)
        .where(Debtor.id.in_(ids))
    )
    return {debtor_id: (creditor, ref) for debtor_id, creditor, ref in rows}


# Money records after the statutory period --------------------------------------------------

ANONYMISED_PREFIX = "anon-"


@dataclass(frozen=True)
class BooksRule:
    """How long one jurisdiction keeps the books, and the text that says so."""

    years: int
    ground: str


# Counted from the end of the calendar year of the last entry (the books' financial year is
# taken as the calendar year: a later end would only keep them longer, never shorter).
BOOKS_RETENTION: dict[str, BooksRule] = {
    "FR": BooksRule(10, "Code de commerce art. L123-22: accounting documents kept 10 years"),
    "ES": BooksRule(6, "Código de Comercio art. 30: books and records kept 6 years"),
    "UK": BooksRule(
        6,
        "Companies Act 2006 s.388 (6 years for a public company, 3 for a private one) and "
        "HMRC's 6 years for tax records: 6 years",
    ),
    "US": BooksRule(
        7,
        "no single federal rule: 7 years is common practice (IRS limitation periods up to 6 "
        "years; 12 CFR 1006.100 asks 3 years of compliance evidence)",
    ),
}
DEFAULT_BOOKS = BooksRule(10, "no rule for this jurisdiction: the longest of the others")


def books_rule(jurisdiction: str) -> BooksRule:
    """The accounting retention of a jurisdiction (the longest one when unknown)."""
    return BOOKS_RETENTION.get(jurisdiction.upper(), DEFAULT_BOOKS)


def _books_end(last_entry: date, years: int) -> datetime:
    return datetime(last_entry.year + years + 1, 1, 1, tzinfo=UTC)


def expired_books(*, db_session: Session, now: datetime) -> list[tuple[int, list[int]]]:
    """Erased debtors whose money records passed their jurisdiction's accounting period
    (every case closed or paid; counted from the last payment, case change or debt
    change), not yet anonymised, with their case ids."""
    pending = (
        Debtor.given_names == ERASED_NAME,
        Debtor.debtor_reference.not_like(f"{ANONYMISED_PREFIX}%"),
    )
    rows = db_session.execute(
        select(
            Debtor.id,
            Debtor.jurisdiction,
            Case.id,
            Case.stage,
            Case.updated_at,
            Debt.updated_at,
            Debt.last_payment_date,
        )
        .join(Debt, Debt.debtor_id == Debtor.id)
        .join(Case, Case.debt_id == Debt.id)
        .where(*pending)
        .order_by(Debtor.id, Case.id)
    )
    cases: dict[int, list[int]] = {}
    last: dict[int, date] = {}
    rule: dict[int, int] = {}
    still_open: set[int] = set()
    for debtor_id, jurisdiction, case_id, stage, case_at, debt_at, paid_on in rows:
        cases.setdefault(debtor_id, []).append(case_id)
        rule[debtor_id] = books_rule(jurisdiction).years
        if stage not in ("closed", "paid"):
            still_open.add(debtor_id)
        dates = [case_at.date(), debt_at.date(), *([paid_on] if paid_on else [])]
        last[debtor_id] = max([last.get(debtor_id, date.min), *dates])
    paid = db_session.execute(
        select(Debt.debtor_id, func.max(Payment.received_on))
        .join(Payment, Payment.debt_id == Debt.id)
        .join(Debtor, Debtor.id == Debt.debtor_id)
        .where(*pending)
        .group_by(Debt.debtor_id)
    )
    for debtor_id, received_on in paid:
        if received_on is not None and debtor_id in last:
            last[debtor_id] = max(last[debtor_id], received_on)
    return [
        (d, ids)
        for d, ids in cases.items()
        if d not in still_open and _books_end(last[d], rule[d]) <= now
    ]


def anonymise_books(*, db_session: Session, debtor_id: int, now: datetime) -> dict[str, int]:
    """Cut the last links from the money records to a person: the creditor's debtor and
    account references become random, the original creditor and payment references go.
    Amounts, dates and stages stay as anonymous figures (recital 26 GDPR)."""
    debtor = db_session.get(Debtor, debtor_id)
    if debtor is None:
        return {}
    debtor.debtor_reference = f"{ANONYMISED_PREFIX}{secrets.token_hex(12)}"
    debtor.employer = None
    debtor.updated_at = now
    debts = _debts(db_session, debtor_id)
    for d in debts:
        d.account_reference = f"{ANONYMISED_PREFIX}{secrets.token_hex(12)}"
        d.original_creditor = None
    debt_ids = [d.id for d in debts]
    payments = db_session.execute(
        update(Payment)
        .where(Payment.debt_id.in_(debt_ids), Payment.reference.is_not(None))
        .values(reference=None)
    )
    db_session.flush()
    return {
        "debtors": 1,
        "debts": len(debts),
        "payments": int(getattr(payments, "rowcount", 0) or 0),
    }
