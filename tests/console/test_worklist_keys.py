"""The worklist's sort keys copied onto cases stay true, and the strategy's priority leads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.auth import service as auth_service
from concilia.auth.schemas import Principal
from concilia.errors import InvalidInput
from concilia.outreach import service as outreach_service
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.money import Money
from tests.console.conftest import ConsoleWorld


def _north(make_user: Any) -> Principal:
    user, _ = make_user("nina", "agent", ["north"])
    return auth_service.principal_for(user, "test")


def _order(db_session: Session, principal: Principal, **kw: Any) -> list[int]:
    rows = portfolio_service.worklist(db_session=db_session, principal=principal, **kw)
    return [r.case_id for r in rows]


def test_keys_follow_payments_promises_and_contacts(
    db_session: Session, console_world: ConsoleWorld
) -> None:
    case = portfolio_service.get_case(db_session=db_session, case_id=console_world.north_case)
    start = case.balance_total
    assert (
        start == case.debt.principal_balance + case.debt.interest_balance + case.debt.fees_balance
    )
    portfolio_service.record_payment(
        db_session=db_session,
        debt_id=case.debt_id,
        amount=Money(Decimal("10.00"), case.debt.currency),
        received_on=date(2026, 1, 5),
        actor="test",
    )
    assert case.balance_total == case.debt.principal_balance + case.debt.interest_balance + (
        case.debt.fees_balance
    )
    assert case.balance_total < start
    late = portfolio_service.create_promise(
        db_session=db_session,
        debt_id=case.debt_id,
        amount=Money(Decimal("5.00"), case.debt.currency),
        due_on=date(2026, 3, 1),
        actor="test",
    )
    early = portfolio_service.create_promise(
        db_session=db_session,
        debt_id=case.debt_id,
        amount=Money(Decimal("5.00"), case.debt.currency),
        due_on=date(2026, 2, 1),
        actor="test",
    )
    assert case.next_promise_due == date(2026, 2, 1)
    portfolio_service.set_promise_status(
        db_session=db_session, promise_id=early.id, status="broken", actor="test"
    )
    assert case.next_promise_due == date(2026, 3, 1)
    portfolio_service.set_promise_status(
        db_session=db_session, promise_id=late.id, status="cancelled", actor="test"
    )
    assert case.next_promise_due is None
    assert case.last_contact_at is None
    later = datetime(2026, 1, 6, 10, tzinfo=UTC)
    earlier = datetime(2026, 1, 2, 10, tzinfo=UTC)
    for at in (later, earlier):  # an older contact logged late never moves it back
        outreach_service.log_call(
            db_session=db_session, case_id=case.id, at=at, outcome="no_answer", actor="test"
        )
    assert case.last_contact_at == later


def test_priority_leads_then_promise_then_balance_and_keyset_pages(
    db_session: Session, console_world: ConsoleWorld, make_user: Any
) -> None:
    principal = _north(make_user)
    one, two = console_world.north_case, console_world.north_case_2
    # Unscored: the larger balance (case two, 5000) first.
    assert _order(db_session, principal) == [two, one]
    portfolio_service.set_priorities(
        db_session=db_session, priorities={one: (0.9, "promise broken yesterday")}
    )
    assert _order(db_session, principal) == [one, two]
    rows = portfolio_service.worklist(db_session=db_session, principal=principal)
    assert rows[0].priority == pytest.approx(0.9)
    assert rows[0].priority_reason == "promise broken yesterday"
    # Keyset: the page after the first row holds the second, after the last nothing.
    assert _order(db_session, principal, after_case_id=one, limit=1) == [two]
    assert _order(db_session, principal, after_case_id=two) == []
    portfolio_service.set_priorities(db_session=db_session, priorities={one: (None, None)})
    case_two = portfolio_service.get_case(db_session=db_session, case_id=two)
    portfolio_service.create_promise(
        db_session=db_session,
        debt_id=case_two.debt_id,
        amount=Money(Decimal("1.00"), case_two.debt.currency),
        due_on=date(2026, 2, 1),
        actor="test",
    )
    assert _order(db_session, principal) == [two, one]
    assert _order(db_session, principal, after_case_id=two) == [one]
    assert _order(db_session, principal, min_balance=Decimal("4000")) == [two]
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "portfolio.priorities_set")
    ).all()
    assert len(actions) == 2


def test_bad_priorities_are_all_refused_and_nothing_is_written(
    db_session: Session, console_world: ConsoleWorld
) -> None:
    with pytest.raises(InvalidInput) as caught:
        portfolio_service.set_priorities(
            db_session=db_session,
            priorities={
                console_world.north_case: (float("nan"), "x"),
                console_world.north_case_2: (1.0, "r" * 300),
                999_999: (1.0, None),
            },
        )
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == sorted(
        [
            f"case {console_world.north_case}",
            f"case {console_world.north_case_2}",
            "case 999999",
        ]
    )
    case = portfolio_service.get_case(db_session=db_session, case_id=console_world.north_case_2)
    assert case.priority is None
