"""Paying from the portal through a payment provider, and the receipt.

The provider interface is two calls: start a checkout (the person pays on the provider's
page) and ask its status. The local fake provider stands in for a real one: its "hosted
page" is a confirmation button served by the portal, and it never sees a card number
either. A paid checkout is recorded once in portfolio's ledger, which allocates it to the
cent; the receipt (PDF) is built from that allocation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from fpdf import FPDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.portal.casework import get_case_for_debtor
from concilia.portal.entry import debtor_actor
from concilia.portal.models import PortalPayment
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.money import Money


class PaymentProvider(Protocol):
    name: str

    def checkout_url(self, payment: PortalPayment) -> str:
        """Where the person pays (the provider's page)."""
        ...

    def status(self, db_session: Session, provider_ref: str) -> str:
        """``paid``, ``pending`` or ``failed`` as the provider sees it."""
        ...


class FakeProvider:
    """The local provider: pays on a button press, declines amounts ending in .13 (to test
    the refusal path)."""

    name = "fake"

    def checkout_url(self, payment: PortalPayment) -> str:
        return f"/portal/fake-provider/{payment.provider_ref}"

    def status(self, db_session: Session, provider_ref: str) -> str:
        row = db_session.scalar(
            select(PortalPayment).where(PortalPayment.provider_ref == provider_ref)
        )
        return row.provider_status if row is not None else "failed"

    def pay(self, db_session: Session, provider_ref: str) -> str:
        """The person presses "pay" on the provider's page."""
        row = db_session.scalar(
            select(PortalPayment).where(PortalPayment.provider_ref == provider_ref)
        )
        if row is None:
            raise NotFound("no such checkout")
        if row.provider_status == "pending":
            row.provider_status = "failed" if row.amount_cents % 100 == 13 else "paid"
        return row.provider_status


def find_checkout(*, db_session: Session, provider_ref: str) -> PortalPayment | None:
    """The portal payment of a provider reference, if any."""
    return db_session.scalar(
        select(PortalPayment).where(PortalPayment.provider_ref == provider_ref)
    )


def get_provider() -> PaymentProvider:
    """The configured provider (only the local fake one ships)."""
    return FakeProvider()


@dataclass(frozen=True)
class Receipt:
    payment: PortalPayment
    creditor: str
    account_reference: str
    allocations: list[tuple[str, Money]]
    unapplied: Money
    balance_after: Money


def _get(db_session: Session, debtor_id: int, case_id: int, payment_id: int) -> PortalPayment:
    get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    row = db_session.get(PortalPayment, payment_id)
    if row is None or row.case_id != case_id or row.debtor_id != debtor_id:
        raise NotFound(f"payment {payment_id} not found")
    return row


def start_payment(
    *,
    db_session: Session,
    debtor_id: int,
    case_id: int,
    amount: Decimal,
    provider: PaymentProvider,
    now: datetime,
) -> PortalPayment:
    """A checkout for at most the balance; InvalidInput names the amount when it is not."""
    case = get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    owed = portfolio_service.balance_of(case.debt).total
    if amount <= 0 or amount > owed.amount or amount != amount.quantize(Decimal("0.01")):
        reason = f"more than 0 and at most {owed.amount}, in cents"
        raise InvalidInput(problems=[InputProblem("(form)", 0, "amount", reason)])
    row = PortalPayment(
        case_id=case.id,
        debtor_id=debtor_id,
        amount_cents=int(amount * 100),
        currency=owed.currency,
        provider=provider.name,
        provider_ref=secrets.token_urlsafe(24),
        provider_status="pending",
        status="pending",
        created_at=now,
    )
    db_session.add(row)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=debtor_actor(debtor_id),
        action="portal.payment_started",
        object_type="portal_payment",
        object_id=row.id,
        change={"case_id": case.id, "amount_cents": row.amount_cents, "currency": row.currency},
        detail={"case_id": case.id, "provider": provider.name},
    )
    return row


def complete_payment(
    *,
    db_session: Session,
    debtor_id: int,
    case_id: int,
    payment_id: int,
    provider: PaymentProvider,
    now: datetime,
) -> PortalPayment:
    """Ask the provider; a paid checkout goes into the ledger exactly once (idempotent)."""
    row = _get(db_session, debtor_id, case_id, payment_id)
    if row.status != "pending":
        return row
    outcome = provider.status(db_session, row.provider_ref)
    if outcome == "pending":
        return row
    if outcome != "paid":
        row.status = "failed"
    else:
        case = get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
        payment, _split = portfolio_service.record_payment(
            db_session=db_session,
            debt_id=case.debt_id,
            amount=Money(Decimal(row.amount_cents).scaleb(-2), row.currency),
            received_on=now.date(),
            actor=debtor_actor(debtor_id),
            method="card",
            reference=f"portal-{row.id}",
        )
        row.status, row.paid_at, row.ledger_payment_id = "paid", now, payment.id
    audit_service.record(
        db_session=db_session,
        actor=debtor_actor(debtor_id),
        action=f"portal.payment_{row.status}",
        object_type="portal_payment",
        object_id=row.id,
        change={"status": row.status, "ledger_payment_id": row.ledger_payment_id},
        detail={"case_id": row.case_id, "status": row.status},
    )
    return row


def receipt(*, db_session: Session, debtor_id: int, case_id: int, payment_id: int) -> Receipt:
    """The receipt of a paid checkout, from the ledger's allocation of it."""
    row = _get(db_session, debtor_id, case_id, payment_id)
    if row.status != "paid" or row.ledger_payment_id is None:
        raise Conflict("this payment has not been made")
    case = get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    ledger = next(
        p
        for p in portfolio_service.list_payments(db_session=db_session, debt_id=case.debt_id)
        if p.id == row.ledger_payment_id
    )
    cur = row.currency
    creditor = portfolio_service.get_creditor(
        db_session=db_session, creditor_id=case.debt.creditor_id
    )
    return Receipt(
        payment=row,
        creditor=creditor.name,
        account_reference=case.debt.account_reference,
        allocations=[(a.component, Money(a.amount, cur)) for a in ledger.allocations],
        unapplied=Money(ledger.unapplied, cur),
        balance_after=portfolio_service.balance_of(case.debt).total,
    )


_LABELS = {
    "fr": ("Reçu de paiement", "Créancier", "Référence", "Date", "Montant payé", "Imputé sur",
           "Reste dû après ce paiement", "Reçu n°", {"principal": "Principal",
           "interest": "Intérêts", "fees": "Frais"}, "Non imputé"),
    "es": ("Recibo de pago", "Acreedor", "Referencia", "Fecha", "Importe pagado", "Imputado a",
           "Saldo pendiente tras este pago", "Recibo n.º", {"principal": "Principal",
           "interest": "Intereses", "fees": "Gastos"}, "No imputado"),
    "en": ("Payment receipt", "Creditor", "Reference", "Date", "Amount paid", "Allocated to",
           "Balance after this payment", "Receipt no.", {"principal": "Principal",
           "interest": "Interest", "fees": "Fees"}, "Not applied"),
}  # fmt: skip


def _amount(m: Money) -> str:
    # The PDF core fonts are Latin-1: the ISO code, not the currency sign.
    return f"{m.amount:,.2f} {m.currency}"


def _latin(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def receipt_pdf(data: Receipt, lang: str) -> bytes:
    """The receipt as a one-page PDF."""
    title, creditor, ref, day, paid, alloc, after, number, parts, unapplied = _LABELS[lang]
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    paid_at = data.payment.paid_at
    lines = [
        (number, f"R-{data.payment.id:08d}"),
        (creditor, data.creditor),
        (ref, data.account_reference),
        (day, paid_at.strftime("%Y-%m-%d %H:%M UTC") if paid_at else ""),
        (
            paid,
            _amount(Money(Decimal(data.payment.amount_cents).scaleb(-2), data.payment.currency)),
        ),
    ]
    lines += [(f"{alloc}: {parts.get(c, c)}", _amount(m)) for c, m in data.allocations]
    if data.unapplied.amount:
        lines.append((unapplied, _amount(data.unapplied)))
    lines.append((after, _amount(data.balance_after)))
    for label, value in lines:
        pdf.cell(80, 8, _latin(label))
        pdf.cell(0, 8, _latin(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
