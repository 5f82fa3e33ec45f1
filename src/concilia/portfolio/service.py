"""The portfolio domain's door: creditors, debtors, cases, imports, payments, plans.

Case reads for people go through ``*_for_principal`` functions, which apply the team scope
and answer NotFound for another team's case (never Forbidden: its existence is not
revealed). Functions without a principal are for other domains' trusted code (jobs,
signals, tracing), which decide access themselves. No function here commits.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.auth.models import User
from concilia.auth.schemas import Principal
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.portfolio import allocation
from concilia.portfolio.debtors import (
    DebtorView,
    find_debtors_by_contact,
    find_debtors_by_national_id,
    iter_debtors_for_tracing,
    reveal_debtor,
)
from concilia.portfolio.importer import (
    DEFAULT_TEAM,
    ImportResult,
    import_rows,
    sha256_of,
)
from concilia.portfolio.ledger import (
    balance_of,
    create_plan,
    create_promise,
    list_payments,
    list_plans,
    list_promises,
    mark_broken_promises,
    record_payment,
    set_promise_status,
    split_instalments,
)
from concilia.portfolio.models import Case, Creditor, Debt, Debtor
from concilia.portfolio.parsing import DEFAULT_DATE_FORMAT, parse_bytes

S = TypeVar("S", bound=Select[Any])
FLAGS = (
    "disputed",
    "dispute_answered",
    "cease_contact",
    "vulnerable",
    "vulnerability_possible",
    "deceased",
    "bankrupt",
)
STAGES = ("new", "contacting", "negotiating", "promised", "plan", "paid", "closed")

__all__ = [
    "FLAGS",
    "STAGES",
    "DebtorView",
    "ImportResult",
    "balance_of",
    "create_plan",
    "create_promise",
    "find_debtors_by_contact",
    "find_debtors_by_national_id",
    "iter_debtors_for_tracing",
    "list_payments",
    "list_plans",
    "list_promises",
    "mark_broken_promises",
    "record_payment",
    "reveal_debtor",
    "set_promise_status",
    "split_instalments",
]


# Creditors ---------------------------------------------------------------------------------


def get_creditor(*, db_session: Session, creditor_id: int) -> Creditor:
    """The creditor with this id, or NotFound."""
    creditor = db_session.get(Creditor, creditor_id)
    if creditor is None:
        raise NotFound(f"creditor {creditor_id} not found")
    return creditor


def get_creditor_by_name(*, db_session: Session, name: str) -> Creditor | None:
    """The creditor with this name, if any."""
    return db_session.scalar(select(Creditor).where(Creditor.name == name))


def list_creditors(*, db_session: Session) -> list[Creditor]:
    """All creditors by name."""
    return list(db_session.scalars(select(Creditor).order_by(Creditor.name)))


def create_creditor(
    *, db_session: Session, name: str, actor: str, allocation_order: list[str] | None = None
) -> Creditor:
    """A new creditor (audited); its allocation order, when given, overrides jurisdictions."""
    name = name.strip()
    if not name:
        raise InvalidInput(problems=[InputProblem("(request)", 0, "name", "empty creditor name")])
    if get_creditor_by_name(db_session=db_session, name=name) is not None:
        raise Conflict(f"creditor {name!r} already exists")
    order = _checked_order(allocation_order)
    creditor = Creditor(name=name, allocation_order=order, created_at=utcnow())
    db_session.add(creditor)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.creditor_created",
        object_type="creditor",
        object_id=creditor.id,
        change={"name": name, "allocation_order": order},
        detail={"name": name, "allocation_order": order},
    )
    return creditor


def get_or_create_creditor(*, db_session: Session, name: str, actor: str) -> Creditor:
    """The creditor with this name, created when missing."""
    found = get_creditor_by_name(db_session=db_session, name=name.strip())
    return found or create_creditor(db_session=db_session, name=name, actor=actor)


def _checked_order(order: list[str] | None) -> list[str] | None:
    if not order:
        return None
    try:
        return [c.value for c in allocation.parse_order(order)]
    except ValueError as exc:
        raise InvalidInput(
            problems=[InputProblem("(request)", 0, "allocation_order", str(exc))]
        ) from None


def set_allocation_order(
    *, db_session: Session, creditor_id: int, order: list[str] | None, actor: str
) -> Creditor:
    """Set (or clear, with None) a creditor's payment allocation order."""
    creditor = get_creditor(db_session=db_session, creditor_id=creditor_id)
    checked = _checked_order(order)
    before = creditor.allocation_order
    creditor.allocation_order = checked
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.allocation_order_set",
        object_type="creditor",
        object_id=creditor.id,
        change={"before": before, "after": checked},
        detail={"before": before, "after": checked},
    )
    return creditor


# Import ------------------------------------------------------------------------------------


def import_portfolio(
    *,
    db_session: Session,
    data: bytes,
    file: str,
    creditor_name: str,
    actor: str,
    team_name: str = DEFAULT_TEAM,
    date_format: str = DEFAULT_DATE_FORMAT,
) -> ImportResult:
    """Validate a whole file, then write it; InvalidInput lists every bad row, writing nothing."""
    problems = []
    if not creditor_name.strip():
        problems.append(InputProblem(file, 0, "creditor", "a creditor name is required"))
    if not team_name.strip():
        problems.append(InputProblem(file, 0, "team", "a team name is required"))
    if problems:
        raise InvalidInput(problems=problems)
    rows = parse_bytes(data, file=file, date_format=date_format)
    creditor = get_or_create_creditor(db_session=db_session, name=creditor_name, actor=actor)
    return import_rows(
        db_session=db_session,
        rows=rows,
        creditor_id=creditor.id,
        creditor_name=creditor.name,
        team_name=team_name.strip(),
        file=file,
        sha256=sha256_of(data),
        actor=actor,
    )


# Cases -------------------------------------------------------------------------------------


def _scoped(query: S, principal: Principal) -> S:
    scope = auth_service.team_scope(principal)
    if scope is None:
        return query
    return query.where(Case.team_id.in_(scope))


def get_case(*, db_session: Session, case_id: int) -> Case:
    """The case with this id (no access check: for trusted code), or NotFound."""
    case = db_session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def get_case_for_principal(*, db_session: Session, principal: Principal, case_id: int) -> Case:
    """The case if the principal's teams may see it; NotFound otherwise, as if absent."""
    case = db_session.scalar(_scoped(select(Case).where(Case.id == case_id), principal))
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def get_case_for_debt(*, db_session: Session, debt_id: int) -> Case:
    """The case of a debt."""
    case = db_session.scalar(select(Case).where(Case.debt_id == debt_id))
    if case is None:
        raise NotFound(f"no case for debt {debt_id}")
    return case


def list_cases(
    *,
    db_session: Session,
    principal: Principal,
    offset: int = 0,
    limit: int = 50,
    stage: str | None = None,
    flag: str | None = None,
    creditor_id: int | None = None,
    assigned_to_me: bool = False,
) -> tuple[list[Case], int]:
    """A page of the cases the principal may see, oldest first, with the total."""
    query = _scoped(select(Case), principal)
    if stage:
        query = query.where(Case.stage == stage)
    if flag:
        if flag not in FLAGS:
            raise InvalidInput(problems=[InputProblem("(query)", 0, "flag", f"unknown {flag!r}")])
        query = query.where(getattr(Case, flag).is_(True))
    if creditor_id is not None:
        query = query.join(Debt, Debt.id == Case.debt_id).where(Debt.creditor_id == creditor_id)
    if assigned_to_me:
        query = query.where(Case.assigned_agent_id == principal.user_id)
    total = db_session.scalar(select(func.count()).select_from(query.subquery())) or 0
    cases = db_session.scalars(query.order_by(Case.id).offset(offset).limit(limit)).all()
    return list(cases), total


def set_case_flag(
    *, db_session: Session, case_id: int, flag: str, value: bool, actor: str, reason: str
) -> Case:
    """Set or clear a protective flag (audited; the reason is hashed, never stored in clear)."""
    if flag not in FLAGS:
        raise InvalidInput(
            problems=[InputProblem("(request)", 0, "flag", f"{flag!r} is not one of {FLAGS}")]
        )
    case = get_case(db_session=db_session, case_id=case_id)
    if flag == "dispute_answered" and value and not case.disputed:
        raise InvalidInput(
            problems=[
                InputProblem("(request)", 0, "flag", "only a disputed case can have its answer")
            ]
        )
    before = bool(getattr(case, flag))
    if before == value:
        return case
    setattr(case, flag, value)
    if flag == "disputed":
        # A new dispute (or a withdrawn one) needs its own answer before collection resumes.
        case.dispute_answered = False
    case.updated_at = utcnow()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.case_flag_set",
        object_type="case",
        object_id=case.id,
        change={"flag": flag, "before": before, "after": value, "reason": reason},
        detail={"flag": flag, "value": value},
    )
    db_session.flush()
    return case


def set_debtor_flag(
    *, db_session: Session, debtor_id: int, flag: str, value: bool, actor: str, reason: str
) -> list[Case]:
    """Set a flag on every case of a debtor (e.g. deceased, or a possible vulnerability)."""
    cases = list(
        db_session.scalars(
            select(Case).join(Debt, Debt.id == Case.debt_id).where(Debt.debtor_id == debtor_id)
        )
    )
    if not cases:
        raise NotFound(f"no case for debtor {debtor_id}")
    return [
        set_case_flag(
            db_session=db_session, case_id=c.id, flag=flag, value=value, actor=actor, reason=reason
        )
        for c in cases
    ]


def set_case_stage(*, db_session: Session, case: Case, stage: str, actor: str) -> Case:
    """Move a case to a stage (audited)."""
    if stage not in STAGES:
        raise InvalidInput(
            problems=[InputProblem("(request)", 0, "stage", f"{stage!r} is not one of {STAGES}")]
        )
    if case.stage != stage:
        before, case.stage, case.updated_at = case.stage, stage, utcnow()
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.case_stage_set",
            object_type="case",
            object_id=case.id,
            change={"before": before, "after": stage},
            detail={"before": before, "after": stage},
        )
    return case


def assign_case(*, db_session: Session, case: Case, agent_id: int | None, actor: str) -> Case:
    """Assign a case to an active member of its team (or unassign it with None)."""
    if agent_id is not None:
        user = db_session.get(User, agent_id)
        if user is None or not user.is_active or case.team_id not in {t.id for t in user.teams}:
            raise InvalidInput(
                problems=[
                    InputProblem("(request)", 0, "agent_id", "not an active member of the team")
                ]
            )
    if case.assigned_agent_id != agent_id:
        before, case.assigned_agent_id, case.updated_at = case.assigned_agent_id, agent_id, utcnow()
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.case_assigned",
            object_type="case",
            object_id=case.id,
            change={"before": before, "after": agent_id},
            detail={"before": before, "after": agent_id},
        )
    return case


# Debts and debtors -------------------------------------------------------------------------


def get_debt(*, db_session: Session, debt_id: int) -> Debt:
    """The debt with this id, or NotFound."""
    debt = db_session.get(Debt, debt_id)
    if debt is None:
        raise NotFound(f"debt {debt_id} not found")
    return debt


def get_debt_for_principal(*, db_session: Session, principal: Principal, debt_id: int) -> Debt:
    """The debt if its case is in the principal's teams, else NotFound."""
    query = _scoped(
        select(Debt).join(Case, Case.debt_id == Debt.id).where(Debt.id == debt_id), principal
    )
    debt = db_session.scalar(query)
    if debt is None:
        raise NotFound(f"debt {debt_id} not found")
    return debt


def get_debtor(*, db_session: Session, debtor_id: int) -> Debtor:
    """The debtor with this id, or NotFound."""
    debtor = db_session.get(Debtor, debtor_id)
    if debtor is None:
        raise NotFound(f"debtor {debtor_id} not found")
    return debtor


def get_debtor_for_principal(
    *, db_session: Session, principal: Principal, debtor_id: int
) -> Debtor:
    """The debtor if one of their cases is in the principal's teams, else NotFound."""
    visible = _scoped(
        select(Case.id).join(Debt, Debt.id == Case.debt_id).where(Debt.debtor_id == debtor_id),
        principal,
    )
    debtor = db_session.scalar(select(Debtor).where(Debtor.id == debtor_id, exists(visible)))
    if debtor is None:
        raise NotFound(f"debtor {debtor_id} not found")
    return debtor


def list_debts_of_debtor(*, db_session: Session, debtor_id: int) -> list[Debt]:
    """A debtor's debts."""
    return list(
        db_session.scalars(select(Debt).where(Debt.debtor_id == debtor_id).order_by(Debt.id))
    )
