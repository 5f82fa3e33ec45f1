"""Money forms of the case page: amounts and dates as agents type them, then portfolio."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from concilia.auth.schemas import Principal
from concilia.errors import InputProblem, InvalidInput
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.money import Money


def _bad(field: str, reason: str) -> InvalidInput:
    return InvalidInput(problems=[InputProblem("(form)", 0, field, reason)])


def _case(db_session: Session, principal: Principal, case_id: int) -> Any:
    return portfolio_service.get_case_for_principal(
        db_session=db_session, principal=principal, case_id=case_id
    )


def parse_amount(raw: str, field: str) -> Decimal:
    """A positive amount typed by an agent ("12,50" or "12.50")."""
    try:
        value = Decimal(raw.strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise _bad(field, f"{raw!r} is not an amount") from None
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        raise _bad(field, "a positive amount with at most two decimals")
    return value


def parse_day(raw: str, field: str) -> date:
    """A date typed in an ``<input type=date>`` (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise _bad(field, f"{raw!r} is not a date (YYYY-MM-DD)") from None


def record_payment(
    *, db_session: Session, principal: Principal, case_id: int, amount: str, received_on: str
) -> Any:
    """Record a payment on the case's debt, allocated by portfolio's rules."""
    case = _case(db_session, principal, case_id)
    payment, _ = portfolio_service.record_payment(
        db_session=db_session,
        debt_id=case.debt_id,
        amount=Money(parse_amount(amount, "amount"), case.debt.currency),
        received_on=parse_day(received_on, "received_on"),
        actor=principal.actor,
        method="agent",
    )
    return payment


def create_promise(
    *, db_session: Session, principal: Principal, case_id: int, amount: str, due_on: str
) -> Any:
    """Record the debtor's promise to pay on the case's debt."""
    case = _case(db_session, principal, case_id)
    return portfolio_service.create_promise(
        db_session=db_session,
        debt_id=case.debt_id,
        amount=Money(parse_amount(amount, "amount"), case.debt.currency),
        due_on=parse_day(due_on, "due_on"),
        actor=principal.actor,
    )


def create_plan(
    *,
    db_session: Session,
    principal: Principal,
    case_id: int,
    instalments: str,
    frequency: str,
    start_on: str,
) -> Any:
    """Agree a payment plan for the whole balance of the case's debt."""
    case = _case(db_session, principal, case_id)
    try:
        count = int(instalments)
    except ValueError:
        raise _bad("instalments", f"{instalments!r} is not a whole number") from None
    return portfolio_service.create_plan(
        db_session=db_session,
        debt_id=case.debt_id,
        instalments=count,
        frequency=frequency,
        start_on=parse_day(start_on, "start_on"),
        actor=principal.actor,
    )
