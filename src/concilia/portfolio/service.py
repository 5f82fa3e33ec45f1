"""The portfolio domain's door: creditors, debtors, cases, imports, payments, plans.

Case reads for people go through ``*_for_principal`` functions, which apply the team scope
and answer NotFound for another team's case (never Forbidden: its existence is not
revealed). Functions without a principal are for other domains' trusted code (jobs,
signals, tracing), which decide access themselves. No function here commits.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, Any, TypeVar

from sqlalchemy import (
    Select,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.auth.schemas import Principal
from concilia.db import utcnow
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound
from concilia.portfolio import allocation
from concilia.portfolio import personal_data as personal_data
from concilia.portfolio.debtors import (
    ContactProvenance,
    DebtorView,
    contact_provenance,
    find_debtors_by_contact,
    find_debtors_by_national_id,
    iter_debtors_for_tracing,
    retire_contact,
    reveal_debtor,
)
from concilia.portfolio.importer import (
    DEFAULT_TEAM,
    ImportResult,
    audit_import,
    validate_file,
    write_file,
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
from concilia.portfolio.models import Case, Creditor, Debt, Debtor, Payment, PromiseToPay
from concilia.portfolio.parsing import DEFAULT_DATE_FORMAT
from concilia.portfolio.rows import control_character
from concilia.portfolio.worklist import (
    FLAGS,
    STAGES,
    WorklistRow,
    note_contact,
    refresh_worklist_keys,
    set_priorities,
    worklist,
)

S = TypeVar("S", bound=Select[Any])

__all__ = [
    "FLAGS",
    "STAGES",
    "ContactProvenance",
    "DebtorView",
    "ImportResult",
    "WorklistRow",
    "balance_of",
    "contact_provenance",
    "create_plan",
    "create_promise",
    "find_debtors_by_contact",
    "find_debtors_by_national_id",
    "iter_debtors_for_tracing",
    "list_payments",
    "list_plans",
    "list_promises",
    "mark_broken_promises",
    "note_contact",
    "record_payment",
    "refresh_worklist_keys",
    "retire_contact",
    "reveal_debtor",
    "set_priorities",
    "set_promise_status",
    "split_instalments",
    "worklist",
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
    creditor = Creditor(name=name, allocation_order=_checked_order(allocation_order))
    creditor.created_at = utcnow()
    db_session.add(creditor)
    db_session.flush()
    _audit_creditor_created(db_session=db_session, creditor=creditor, actor=actor)
    return creditor


def _audit_creditor_created(*, db_session: Session, creditor: Creditor, actor: str) -> None:
    order = creditor.allocation_order
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.creditor_created",
        object_type="creditor",
        object_id=creditor.id,
        change={"name": creditor.name, "allocation_order": order},
        detail={"name": creditor.name, "allocation_order": order},
    )


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


def _name_problems(file: str, field: str, value: str, limit: int) -> list[InputProblem]:
    value = value.strip()
    if not value:
        return [InputProblem(file, 0, field, f"a {field} name is required")]
    if len(value) > limit:
        return [InputProblem(file, 0, field, f"longer than {limit} characters")]
    if control_character(value) is not None:
        return [InputProblem(file, 0, field, "holds a control character")]
    return []


_DIGIT = frozenset("0123456789")


def creditor_address_problems(file: str, value: str) -> list[InputProblem]:
    """Why a creditor's postal address is refused (none when it will do)."""
    value = value.strip()
    field = "creditor_address"
    if not value:
        return [InputProblem(file, 0, field, "empty: give the postal address on one line")]
    if len(value) > 300:
        return [InputProblem(file, 0, field, "longer than 300 characters")]
    if control_character(value) is not None:
        return [InputProblem(file, 0, field, "holds a control character (give it on one line)")]
    # A first letter in France must carry the creditor's address (CPCE R124-4 2°): a street
    # and a town with its postal code, e.g. "12 rue de la Paix, 75002 Paris".
    if "," not in value or not _DIGIT & set(value):
        return [
            InputProblem(
                file, 0, field,
                f"{value!r} does not look like a postal address: give street, then postal code "
                "and town, separated by a comma (e.g. '12 rue de la Paix, 75002 Paris')",
            )
        ]  # fmt: skip
    return []


def set_creditor_address(
    *, db_session: Session, creditor_id: int, address: str, actor: str, file: str = "(request)"
) -> Creditor:
    """State a creditor's postal address (audited); InvalidInput when it is not one."""
    problems = creditor_address_problems(file, address)
    if problems:
        raise InvalidInput(problems=problems)
    creditor = get_creditor(db_session=db_session, creditor_id=creditor_id)
    before, after = creditor.address, " ".join(address.split())
    if before == after:
        return creditor
    creditor.address = after
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portfolio.creditor_address_set",
        object_type="creditor",
        object_id=creditor.id,
        change={"before": before, "after": after},
        detail={"changed": before is not None},
    )
    return creditor


def import_portfolio(
    *,
    db_session: Session,
    data: bytes | IO[bytes],
    file: str,
    creditor_name: str,
    actor: str,
    creditor_address: str | None = None,
    team_name: str = DEFAULT_TEAM,
    date_format: str = DEFAULT_DATE_FORMAT,
    team_scope: frozenset[int] | None = None,
) -> ImportResult:
    """Validate a whole file, then write it; InvalidInput lists every bad row, writing nothing.

    ``creditor_address`` (one line, checked before anything is read) is stored on the
    creditor: French first letters must carry it (CPCE R124-4 2°). ``data`` is small
    content or, for a file of any size, a seekable binary stream (read
    three times, never whole). ``team_scope`` holds the teams whose cases the importer may
    create or update (None: any team, for trusted callers): a row naming an account or a
    debtor that has a case of another team is a bad row.
    """
    problems = _name_problems(file, "creditor", creditor_name, 200)
    problems += _name_problems(file, "team", team_name, 100)
    if creditor_address is not None:
        problems += creditor_address_problems(file, creditor_address)
    if problems:
        raise InvalidInput(problems=problems)
    binary = io.BytesIO(data) if isinstance(data, bytes) else data
    creditor = get_creditor_by_name(db_session=db_session, name=creditor_name.strip())
    index = validate_file(
        db_session=db_session,
        binary=binary,
        file=file,
        creditor_id=creditor.id if creditor is not None else None,
        team_scope=team_scope,
        date_format=date_format,
    )
    new_creditor = creditor is None
    if creditor is None:
        # Audited once the rows are written (see importer.audit_import).
        creditor = Creditor(name=creditor_name.strip(), allocation_order=None)
        creditor.created_at = utcnow()
        db_session.add(creditor)
        db_session.flush()
    result = write_file(
        db_session=db_session,
        binary=binary,
        index=index,
        file=file,
        creditor_id=creditor.id,
        creditor_name=creditor.name,
        team_name=team_name.strip(),
        actor=actor,
        date_format=date_format,
    )
    if new_creditor:
        _audit_creditor_created(db_session=db_session, creditor=creditor, actor=actor)
    if creditor_address is not None:
        set_creditor_address(
            db_session=db_session, creditor_id=creditor.id, address=creditor_address, actor=actor
        )
    audit_import(db_session=db_session, result=result, creditor_id=creditor.id, actor=actor)
    return result


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


def get_cases_with_parties(
    *, db_session: Session, case_ids: Sequence[int]
) -> dict[int, tuple[Case, Debtor, Creditor]]:
    """Many cases at once, each with its debt, debtor (addresses, contacts) and creditor, by
    case id (no access check: for trusted code, e.g. a worker's batch); absent ids are left
    out. A handful of statements for the whole batch, where one look-up per case took four."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return {}
    cases = list(db_session.scalars(select(Case).where(Case.id.in_(wanted))))
    debtors = {
        d.id: d
        for d in db_session.scalars(
            select(Debtor).where(Debtor.id.in_({c.debt.debtor_id for c in cases}))
        )
    }
    creditors = {
        c.id: c
        for c in db_session.scalars(
            select(Creditor).where(Creditor.id.in_({d.creditor_id for d in debtors.values()}))
        )
    }
    out: dict[int, tuple[Case, Debtor, Creditor]] = {}
    for case in cases:
        debtor = debtors[case.debt.debtor_id]
        out[case.id] = (case, debtor, creditors[debtor.creditor_id])
    return out


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


def record_validation_notice(*, db_session: Session, case: Case, sent_on: date, actor: str) -> Case:
    """Record the day the validation notice (12 CFR 1006.34) went out for a case (audited)."""
    if case.validation_notice_at != sent_on:
        before, case.validation_notice_at, case.updated_at = (
            case.validation_notice_at,
            sent_on,
            utcnow(),
        )
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.validation_notice_recorded",
            object_type="case",
            object_id=case.id,
            change={"before": before.isoformat() if before else None, "after": sent_on.isoformat()},
            detail={"sent_on": sent_on.isoformat()},
        )
    return case


def assign_case(*, db_session: Session, case: Case, agent_id: int | None, actor: str) -> Case:
    """Assign a case to an active member of its team (or unassign it with None)."""
    if agent_id is not None and not auth_service.is_active_team_member(
        db_session=db_session, user_id=agent_id, team_id=case.team_id
    ):
        raise InvalidInput(
            problems=[InputProblem("(request)", 0, "agent_id", "not an active member of the team")]
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


# Debtor portal ------------------------------------------------------------------------------


def find_debts_by_account_reference(*, db_session: Session, reference: str) -> list[Debt]:
    """Debts whose account reference equals ``reference``, ignoring case, spaces and dashes."""
    compact = "".join(c for c in reference if c.isalnum()).upper()
    if not compact:
        return []
    column = func.upper(func.replace(func.replace(Debt.account_reference, " ", ""), "-", ""))
    return list(db_session.scalars(select(Debt).where(column == compact).order_by(Debt.id)))


def set_preferred_language(*, db_session: Session, debtor_id: int, lang: str, actor: str) -> Debtor:
    """Record the language a debtor chose (audited); messages use it from now on."""
    debtor = get_debtor(db_session=db_session, debtor_id=debtor_id)
    if debtor.preferred_language != lang:
        before, debtor.preferred_language, debtor.updated_at = (
            debtor.preferred_language,
            lang,
            utcnow(),
        )
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="portfolio.language_set",
            object_type="debtor",
            object_id=debtor.id,
            change={"before": before, "after": lang},
            detail={"before": before, "after": lang},
        )
    return debtor


def visible_case_ids(*, principal: Principal) -> Select[tuple[int]]:
    """A select of the ids of every case the principal may see (to filter other domains' rows)."""
    return _scoped(select(Case.id), principal)


# Team dashboard (the console's supervisor page) ---------------------------------------------


def payments_by_week(
    *, db_session: Session, principal: Principal, since: date
) -> list[tuple[date, str, Decimal]]:
    """Money received on the principal's cases since a day, by ISO week (its Monday) and
    currency, oldest week first."""
    rows = db_session.execute(
        select(Payment.received_on, Payment.currency, Payment.amount)
        .join(Case, Case.debt_id == Payment.debt_id)
        .where(Payment.received_on >= since, Case.id.in_(visible_case_ids(principal=principal)))
    ).all()
    totals: dict[tuple[date, str], Decimal] = {}
    for received_on, currency, amount in rows:
        monday = received_on - timedelta(days=received_on.weekday())
        totals[(monday, currency)] = totals.get((monday, currency), Decimal(0)) + amount
    return [(week, currency, total) for (week, currency), total in sorted(totals.items())]


def promise_counts(*, db_session: Session, principal: Principal) -> dict[str, int]:
    """How many promises on the principal's cases are pending, kept, broken or cancelled."""
    rows = db_session.execute(
        select(PromiseToPay.status, func.count())
        .join(Case, Case.debt_id == PromiseToPay.debt_id)
        .where(Case.id.in_(visible_case_ids(principal=principal)))
        .group_by(PromiseToPay.status)
    ).all()
    return {status: int(count) for status, count in rows}
