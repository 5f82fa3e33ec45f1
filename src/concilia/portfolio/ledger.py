"""Money on a debt: interest accrual, payments and their allocation, promises, payment plans.

Re-exported by :mod:`concilia.portfolio.service`, the domain's door.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.portfolio import allocation
from concilia.portfolio.allocation import Allocation, Balance, Component
from concilia.portfolio.models import (
    Case,
    Creditor,
    Debt,
    Debtor,
    Instalment,
    Payment,
    PaymentAllocation,
    PaymentPlan,
    PromiseToPay,
)
from concilia.portfolio.money import Money, quantum
from concilia.portfolio.worklist import refresh_worklist_keys

FREQUENCIES = ("weekly", "monthly")
PROMISE_STATUSES = ("pending", "kept", "broken", "cancelled")
MAX_INSTALMENTS = 120


def _bad(field: str, reason: str) -> InvalidInput:
    return InvalidInput(problems=[InputProblem("(request)", 0, field, reason)])


def _get_debt(db_session: Session, debt_id: int) -> Debt:
    debt = db_session.get(Debt, debt_id)
    if debt is None:
        raise NotFound(f"debt {debt_id} not found")
    return debt


def balance_of(debt: Debt) -> Balance:
    """What is owed on a debt now, by component."""
    return Balance(
        principal=Money(debt.principal_balance, debt.currency),
        interest=Money(debt.interest_balance, debt.currency),
        fees=Money(debt.fees_balance, debt.currency),
    )


def accrue_interest(*, db_session: Session, debt: Debt, to: date) -> Money:
    """Add simple Actual/365 interest on the principal balance up to ``to`` (inclusive)."""
    accrued = Money.zero(debt.currency)
    start = debt.interest_accrued_to
    if debt.interest_rate and start is not None and to > start:
        accrued = allocation.accrued_interest(
            principal=Money(debt.principal_balance, debt.currency),
            annual_rate_percent=debt.interest_rate,
            start=start,
            end=to,
        )
        debt.interest_balance = debt.interest_balance + accrued.amount
    if start is None or to > start:
        debt.interest_accrued_to = to
    return accrued


def allocation_order_for(*, db_session: Session, debt: Debt) -> tuple[Component, ...]:
    """The order a payment on this debt follows: the creditor's, else the jurisdiction's."""
    creditor = db_session.get(Creditor, debt.creditor_id)
    debtor = db_session.get(Debtor, debt.debtor_id)
    assert creditor is not None and debtor is not None
    return allocation.order_for(
        jurisdiction=debtor.jurisdiction, creditor_order=creditor.allocation_order
    )


def record_payment(
    *,
    db_session: Session,
    debt_id: int,
    amount: Money,
    received_on: date,
    actor: str,
    method: str = "transfer",
    reference: str | None = None,
) -> tuple[Payment, Allocation]:
    """Record a payment: accrue interest to its date, allocate it, update balances and plan.

    Interest accrues up to the payment date before the split, so a late payment pays the
    interest it caused first where the order says so. An excess over the whole balance is
    kept as ``unapplied`` on the payment and added to the debt's credit balance.
    A payment dated before the last accrual date accrues nothing (no back-calculation).
    """
    debt = _get_debt(db_session, debt_id)
    if amount.currency != debt.currency:
        raise _bad("currency", f"payment in {amount.currency} on a {debt.currency} debt")
    if amount.amount <= 0:
        raise _bad("amount", "a payment must be positive")
    accrue_interest(db_session=db_session, debt=debt, to=received_on)
    order = allocation_order_for(db_session=db_session, debt=debt)
    split = allocation.allocate(amount, balance_of(debt), order)
    after = split.balance_after
    debt.principal_balance = after.principal.amount
    debt.interest_balance = after.interest.amount
    debt.fees_balance = after.fees.amount
    debt.credit_balance = debt.credit_balance + split.unapplied.amount
    if debt.last_payment_date is None or received_on > debt.last_payment_date:
        debt.last_payment_date = received_on
    now = utcnow()
    debt.updated_at = now
    if after.total.is_zero():
        debt.status = "paid"
        case = db_session.scalar(select(Case).where(Case.debt_id == debt.id))
        if case is not None:
            case.stage, case.updated_at = "paid", now
    payment = Payment(
        debt_id=debt.id,
        amount=amount.amount,
        currency=amount.currency,
        received_on=received_on,
        method=method,
        reference=reference,
        unapplied=split.unapplied.amount,
        created_at=now,
        created_by=actor,
        allocations=[
            PaymentAllocation(component=c.value, amount=m.amount)
            for c, m in split.parts.items()
            if m.amount > 0
        ],
    )
    db_session.add(payment)
    db_session.flush()
    _apply_to_plan(db_session=db_session, debt=debt, amount=amount, payment=payment)
    _keep_promise(db_session=db_session, debt=debt, amount=amount, received_on=received_on)
    refresh_worklist_keys(db_session=db_session, debt_ids=[debt.id])
    parts = {c.value: str(m.amount) for c, m in split.parts.items()}
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.payment_recorded",
        object_type="debt",
        object_id=debt.id,
        change={"payment": payment.id, "amount": str(amount), "parts": parts},
        detail={
            "payment_id": payment.id,
            "amount": str(amount.amount),
            "currency": amount.currency,
            "parts": parts,
            "unapplied": str(split.unapplied.amount),
            "order": [c.value for c in order],
        },
    )
    return payment, split


def _apply_to_plan(*, db_session: Session, debt: Debt, amount: Money, payment: Payment) -> None:
    plan = db_session.scalar(
        select(PaymentPlan).where(PaymentPlan.debt_id == debt.id, PaymentPlan.status == "active")
    )
    if plan is None:
        return
    left = amount.amount
    first: int | None = None
    for inst in plan.instalments:
        if left <= 0:
            break
        due = inst.amount - inst.paid_amount
        if due <= 0:
            continue
        take = min(due, left)
        inst.paid_amount += take
        inst.status = "paid" if inst.paid_amount >= inst.amount else "partial"
        left -= take
        first = first if first is not None else inst.id
    payment.instalment_id = first
    if all(i.status == "paid" for i in plan.instalments):
        plan.status = "completed"


def _keep_promise(*, db_session: Session, debt: Debt, amount: Money, received_on: date) -> None:
    promise = db_session.scalar(
        select(PromiseToPay)
        .where(
            PromiseToPay.debt_id == debt.id,
            PromiseToPay.status == "pending",
            PromiseToPay.amount <= amount.amount,
        )
        .order_by(PromiseToPay.due_on)
        .limit(1)
    )
    if promise is not None:
        promise.status = "kept"


def list_payments(*, db_session: Session, debt_id: int) -> list[Payment]:
    """A debt's payments, oldest first."""
    return list(
        db_session.scalars(
            select(Payment)
            .where(Payment.debt_id == debt_id)
            .order_by(Payment.received_on, Payment.id)
        )
    )


# Promises ----------------------------------------------------------------------------------


def create_promise(
    *, db_session: Session, debt_id: int, amount: Money, due_on: date, actor: str
) -> PromiseToPay:
    """Record a debtor's promise to pay an amount by a date."""
    debt = _get_debt(db_session, debt_id)
    if amount.currency != debt.currency:
        raise _bad("currency", f"promise in {amount.currency} on a {debt.currency} debt")
    if amount.amount <= 0:
        raise _bad("amount", "a promised amount must be positive")
    promise = PromiseToPay(
        debt_id=debt.id,
        amount=amount.amount,
        currency=amount.currency,
        due_on=due_on,
        status="pending",
        created_at=utcnow(),
        created_by=actor,
    )
    db_session.add(promise)
    db_session.flush()
    refresh_worklist_keys(db_session=db_session, debt_ids=[debt.id])
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.promise_created",
        object_type="debt",
        object_id=debt.id,
        change={"promise": promise.id, "amount": str(amount), "due_on": due_on.isoformat()},
        detail={
            "promise_id": promise.id,
            "amount": str(amount.amount),
            "due_on": due_on.isoformat(),
        },
    )
    return promise


def set_promise_status(
    *, db_session: Session, promise_id: int, status: str, actor: str
) -> PromiseToPay:
    """Mark a promise kept, broken or cancelled."""
    if status not in PROMISE_STATUSES:
        raise _bad("status", f"{status!r} is not one of {PROMISE_STATUSES}")
    promise = db_session.get(PromiseToPay, promise_id)
    if promise is None:
        raise NotFound(f"promise {promise_id} not found")
    if promise.status != status:
        before, promise.status = promise.status, status
        refresh_worklist_keys(db_session=db_session, debt_ids=[promise.debt_id])
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.promise_status_set",
            object_type="debt",
            object_id=promise.debt_id,
            change={"promise": promise.id, "before": before, "after": status},
            detail={"promise_id": promise.id, "before": before, "after": status},
        )
    return promise


def list_promises(*, db_session: Session, debt_id: int) -> list[PromiseToPay]:
    """A debt's promises, by due date."""
    return list(
        db_session.scalars(
            select(PromiseToPay)
            .where(PromiseToPay.debt_id == debt_id)
            .order_by(PromiseToPay.due_on, PromiseToPay.id)
        )
    )


def mark_broken_promises(*, db_session: Session, today: date, actor: str = "job:promises") -> int:
    """Pending promises past their due date become broken; returns how many."""
    overdue = list(
        db_session.scalars(
            select(PromiseToPay).where(
                PromiseToPay.status == "pending", PromiseToPay.due_on < today
            )
        )
    )
    for promise in overdue:
        set_promise_status(
            db_session=db_session, promise_id=promise.id, status="broken", actor=actor
        )
    return len(overdue)


# Plans -------------------------------------------------------------------------------------


def split_instalments(total: Money, count: int) -> list[Money]:
    """``count`` equal instalments rounded down to the cent; the last takes the remainder."""
    if count < 1:
        raise ValueError("a plan needs at least one instalment")
    unit = quantum(total.currency)
    each = (total.amount / count).quantize(unit, rounding=ROUND_DOWN)
    last = total.amount - each * (count - 1)
    return [Money(each, total.currency)] * (count - 1) + [Money(last, total.currency)]


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def schedule(start_on: date, count: int, frequency: str) -> list[date]:
    """Due dates: weekly, or monthly on the start day (the month's last day when shorter)."""
    if frequency == "weekly":
        return [start_on + timedelta(weeks=i) for i in range(count)]
    if frequency == "monthly":
        return [_add_months(start_on, i) for i in range(count)]
    raise ValueError(f"frequency must be one of {FREQUENCIES}")


def create_plan(
    *,
    db_session: Session,
    debt_id: int,
    instalments: int,
    frequency: str,
    start_on: date,
    actor: str,
    total: Money | None = None,
) -> PaymentPlan:
    """Agree a plan for ``total`` (default: the whole balance) in equal instalments."""
    debt = _get_debt(db_session, debt_id)
    if frequency not in FREQUENCIES:
        raise _bad("frequency", f"{frequency!r} is not one of {FREQUENCIES}")
    if not 1 <= instalments <= MAX_INSTALMENTS:
        raise _bad("instalments", f"between 1 and {MAX_INSTALMENTS}")
    owed = balance_of(debt).total
    total = total or owed
    if total.currency != debt.currency:
        raise _bad("currency", f"plan in {total.currency} on a {debt.currency} debt")
    if total.amount <= 0 or total > owed:
        raise _bad("total", f"must be more than 0 and at most the balance, {owed}")
    if total.amount < quantum(total.currency) * instalments:
        raise _bad("instalments", "too many instalments for the amount")
    if db_session.scalar(
        select(PaymentPlan.id).where(PaymentPlan.debt_id == debt.id, PaymentPlan.status == "active")
    ):
        raise Conflict("this debt already has an active plan; cancel it first")
    amounts = split_instalments(total, instalments)
    dates = schedule(start_on, instalments, frequency)
    plan = PaymentPlan(
        debt_id=debt.id,
        total=total.amount,
        currency=total.currency,
        frequency=frequency,
        start_on=start_on,
        status="active",
        created_at=utcnow(),
        created_by=actor,
        instalments=[
            Instalment(seq=i + 1, due_on=d, amount=m.amount, paid_amount=Decimal(0), status="due")
            for i, (d, m) in enumerate(zip(dates, amounts, strict=True))
        ],
    )
    db_session.add(plan)
    case = db_session.scalar(select(Case).where(Case.debt_id == debt.id))
    if case is not None:
        case.stage, case.updated_at = "plan", utcnow()
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.plan_created",
        object_type="debt",
        object_id=debt.id,
        change={"plan": plan.id, "total": str(total), "instalments": instalments},
        detail={
            "plan_id": plan.id,
            "total": str(total.amount),
            "currency": total.currency,
            "instalments": instalments,
            "frequency": frequency,
        },
    )
    return plan


def list_plans(*, db_session: Session, debt_id: int) -> list[PaymentPlan]:
    """A debt's plans, newest first."""
    return list(
        db_session.scalars(
            select(PaymentPlan)
            .where(PaymentPlan.debt_id == debt_id)
            .order_by(PaymentPlan.id.desc())
        )
    )
