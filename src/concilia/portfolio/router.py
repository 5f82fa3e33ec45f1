"""Portfolio routes. Every case route resolves the case through the principal's team scope
first: another team's case answers 404, exactly like a case that does not exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from concilia import reads
from concilia.auth import service as auth_service
from concilia.auth.dependencies import CurrentPrincipal, DbSession, require_roles
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.errors import Forbidden, InvalidInput, NotFound, problem_responses
from concilia.ids import Id
from concilia.pagination import Page, Pagination
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.importer import DEFAULT_TEAM
from concilia.portfolio.models import Case, Debt
from concilia.portfolio.money import Money
from concilia.portfolio.parsing import DEFAULT_DATE_FORMAT
from concilia.portfolio.schemas import (
    AddressOut,
    AllocationOrderIn,
    AssignIn,
    BalanceOut,
    CaseDetail,
    CaseOut,
    CaseSummary,
    CaseUpdate,
    CreditorIn,
    CreditorOut,
    DebtorOut,
    DebtOut,
    Flag,
    FlagIn,
    ImportOut,
    PaymentIn,
    PaymentOut,
    PaymentRecorded,
    PlanIn,
    PlanOut,
    PromiseIn,
    PromiseOut,
    PromiseUpdate,
)
from concilia.portfolio.uploads import ImportBodyLimitRoute, get_upload_settings

router = APIRouter(prefix="/api/portfolio", tags=["portfolio"])
Manager = Annotated[Principal, Depends(require_roles(Role.admin, Role.supervisor))]
Admin = Annotated[Principal, Depends(require_roles(Role.admin))]


def _balance(debt: Debt) -> BalanceOut:
    b = portfolio_service.balance_of(debt)
    return BalanceOut(
        currency=debt.currency,
        principal=b.principal.amount,
        interest=b.interest.amount,
        fees=b.fees.amount,
        total=b.total.amount,
        credit=debt.credit_balance,
    )


def _case(db_session: DbSession, principal: Principal, case_id: Id) -> Case:
    return portfolio_service.get_case_for_principal(
        db_session=db_session, principal=principal, case_id=case_id
    )


def _debtor_out(view: portfolio_service.DebtorView) -> DebtorOut:
    d = view.debtor
    return DebtorOut(
        id=d.id,
        creditor_id=d.creditor_id,
        debtor_reference=d.debtor_reference,
        given_names=d.given_names,
        family_names=d.family_names,
        date_of_birth=view.date_of_birth,
        national_id=view.national_id,
        phones=view.phones,
        emails=view.emails,
        employer=d.employer,
        preferred_language=d.preferred_language,
        time_zone=d.time_zone,
        jurisdiction=d.jurisdiction,
        addresses=[AddressOut.model_validate(a) for a in d.addresses],
    )


# Creditors and imports ---------------------------------------------------------------------


@router.get("/creditors", response_model=list[CreditorOut])
def list_creditors(_: CurrentPrincipal, db_session: DbSession) -> list[CreditorOut]:
    """Creditors and their allocation orders."""
    return [
        CreditorOut.model_validate(c)
        for c in portfolio_service.list_creditors(db_session=db_session)
    ]


@router.post("/creditors", response_model=CreditorOut, status_code=201)
def create_creditor(body: CreditorIn, principal: Manager, db_session: DbSession) -> CreditorOut:
    """Add a creditor; only an admin may give it an allocation order (see the order's route)."""
    if body.allocation_order and principal.role != Role.admin:
        raise Forbidden("only an admin may set a creditor's allocation order")
    creditor = portfolio_service.create_creditor(
        db_session=db_session,
        name=body.name,
        allocation_order=list(body.allocation_order) if body.allocation_order else None,
        actor=principal.actor,
    )
    return CreditorOut.model_validate(creditor)


@router.put(
    "/creditors/{creditor_id}/allocation-order",
    response_model=CreditorOut,
    responses=problem_responses(NotFound),
)
def set_allocation_order(
    creditor_id: Id, body: AllocationOrderIn, principal: Admin, db_session: DbSession
) -> CreditorOut:
    """Set the creditor's payment allocation order (null: the jurisdiction's default).

    Admins only: the order applies to every payment of every case of the creditor, in every
    team, including cases not imported yet; no team's supervisor answers for all of them.
    """
    creditor = portfolio_service.set_allocation_order(
        db_session=db_session,
        creditor_id=creditor_id,
        order=list(body.allocation_order) if body.allocation_order else None,
        actor=principal.actor,
    )
    return CreditorOut.model_validate(creditor)


def import_portfolio(
    principal: Manager,
    db_session: DbSession,
    file: Annotated[UploadFile, File(description="portfolio CSV (docs/portfolio-format.md)")],
    creditor: Annotated[str, Form(min_length=1, max_length=200)],
    date_format: Annotated[str, Form(min_length=1, max_length=50)] = DEFAULT_DATE_FORMAT,
    team: Annotated[str, Form(min_length=1, max_length=100)] = DEFAULT_TEAM,
    creditor_address: Annotated[
        str | None,
        Form(max_length=300, description="creditor's postal address, one line (CPCE R124-4)"),
    ] = None,
) -> ImportOut:
    """Import a portfolio file: all rows, or none and a 422 listing every bad row.

    Only cases of the importer's teams are created or updated: a row whose account or
    debtor has a case of another team is a bad row. The body is limited (413 beyond
    ``CONCILIA_PORTFOLIO_IMPORT_MAX_BYTES``); the upload is spooled to a temporary file and
    read in a worker thread, as a stream.
    """
    scope = auth_service.team_scope(principal)
    if scope is not None:
        # A supervisor may only fill their own teams.
        found = auth_service.get_team_by_name(db_session=db_session, name=team.strip())
        if found is None or found.id not in scope:
            raise Forbidden(f"you may only import into your own teams, not {team!r}")
    # A plain (not async) route: FastAPI runs it in a worker thread, so the event loop keeps
    # answering other requests while a large file is parsed and written.
    result = portfolio_service.import_portfolio(
        db_session=db_session,
        data=file.file,
        file=(file.filename or "upload.csv")[:200],
        creditor_name=creditor,
        creditor_address=creditor_address,
        team_name=team,
        date_format=date_format,
        actor=principal.actor,
        team_scope=scope,
    )
    return ImportOut(**result.as_dict(), message=result.summary())


router.add_api_route(
    "/imports",
    import_portfolio,
    methods=["POST"],
    response_model=ImportOut,
    responses={
        **problem_responses(Forbidden, InvalidInput),
        413: {"description": "The file is larger than CONCILIA_PORTFOLIO_IMPORT_MAX_BYTES"},
    },
    route_class_override=ImportBodyLimitRoute,
)


# Cases -------------------------------------------------------------------------------------


@router.get("/cases", response_model=Page[CaseSummary])
def list_cases(
    principal: CurrentPrincipal,
    db_session: DbSession,
    page: Pagination,
    stage: Annotated[str | None, Query(max_length=30)] = None,
    flag: Flag | None = None,
    creditor_id: Id | None = None,
    mine: bool = False,
) -> Page[CaseSummary]:
    """The cases of the principal's teams (all teams for admins and overseers)."""
    cases, total = portfolio_service.list_cases(
        db_session=db_session,
        principal=principal,
        offset=page.offset,
        limit=page.limit,
        stage=stage,
        flag=flag,
        creditor_id=creditor_id,
        assigned_to_me=mine,
    )
    items = [
        CaseSummary(
            **CaseOut.model_validate(c).model_dump(),
            account_reference=c.debt.account_reference,
            debtor_id=c.debt.debtor_id,
            currency=c.debt.currency,
            balance_total=portfolio_service.balance_of(c.debt).total.amount,
        )
        for c in cases
    ]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(case_id: Id, principal: CurrentPrincipal, db_session: DbSession) -> CaseDetail:
    """One case with its debt, balance and debtor (identifiers decrypted for this reader)."""
    case = _case(db_session, principal, case_id)
    reads.record_staff_read(
        db_session=db_session, principal=principal, what="case", debtor_ids=[case.debt.debtor_id]
    )
    view = portfolio_service.reveal_debtor(case.debt.debtor)
    return CaseDetail(
        **CaseOut.model_validate(case).model_dump(),
        debt=DebtOut.model_validate(case.debt),
        balance=_balance(case.debt),
        debtor=_debtor_out(view),
    )


@router.patch("/cases/{case_id}", response_model=CaseOut)
def update_case(
    case_id: Id, body: CaseUpdate, principal: CurrentPrincipal, db_session: DbSession
) -> CaseOut:
    """Move a case to another stage."""
    case = _case(db_session, principal, case_id)
    portfolio_service.set_case_stage(
        db_session=db_session, case=case, stage=body.stage, actor=principal.actor
    )
    return CaseOut.model_validate(case)


@router.put("/cases/{case_id}/flags/{flag}", response_model=CaseOut)
def set_flag(
    case_id: Id, flag: Flag, body: FlagIn, principal: CurrentPrincipal, db_session: DbSession
) -> CaseOut:
    """Set or clear a protective flag, with a reason (kept only as a hash in the audit log)."""
    case = _case(db_session, principal, case_id)
    case = portfolio_service.set_case_flag(
        db_session=db_session,
        case_id=case.id,
        flag=flag,
        value=body.value,
        actor=principal.actor,
        reason=body.reason,
    )
    return CaseOut.model_validate(case)


@router.put("/cases/{case_id}/assignment", response_model=CaseOut)
def assign_case(
    case_id: Id, body: AssignIn, principal: CurrentPrincipal, db_session: DbSession
) -> CaseOut:
    """Assign the case to a member of its team; agents may only take it or let it go."""
    case = _case(db_session, principal, case_id)
    if principal.role == Role.agent and body.agent_id not in (None, principal.user_id):
        raise Forbidden("agents may only assign a case to themselves")
    portfolio_service.assign_case(
        db_session=db_session, case=case, agent_id=body.agent_id, actor=principal.actor
    )
    return CaseOut.model_validate(case)


@router.get("/cases/{case_id}/payments", response_model=list[PaymentOut])
def list_payments(
    case_id: Id, principal: CurrentPrincipal, db_session: DbSession
) -> list[PaymentOut]:
    """The case's payments with their allocation."""
    case = _case(db_session, principal, case_id)
    payments = portfolio_service.list_payments(db_session=db_session, debt_id=case.debt_id)
    return [PaymentOut.model_validate(p) for p in payments]


@router.post("/cases/{case_id}/payments", response_model=PaymentRecorded, status_code=201)
def record_payment(
    case_id: Id, body: PaymentIn, principal: CurrentPrincipal, db_session: DbSession
) -> PaymentRecorded:
    """Record a payment: interest accrues to its date, then it is allocated by policy."""
    case = _case(db_session, principal, case_id)
    payment, _ = portfolio_service.record_payment(
        db_session=db_session,
        debt_id=case.debt_id,
        amount=Money.of(body.amount, body.currency),
        received_on=body.received_on,
        method=body.method,
        reference=body.reference,
        actor=principal.actor,
    )
    db_session.refresh(payment)
    return PaymentRecorded(payment=PaymentOut.model_validate(payment), balance=_balance(case.debt))


@router.get("/cases/{case_id}/promises", response_model=list[PromiseOut])
def list_promises(
    case_id: Id, principal: CurrentPrincipal, db_session: DbSession
) -> list[PromiseOut]:
    """The case's promises to pay."""
    case = _case(db_session, principal, case_id)
    promises = portfolio_service.list_promises(db_session=db_session, debt_id=case.debt_id)
    return [PromiseOut.model_validate(p) for p in promises]


@router.post("/cases/{case_id}/promises", response_model=PromiseOut, status_code=201)
def create_promise(
    case_id: Id, body: PromiseIn, principal: CurrentPrincipal, db_session: DbSession
) -> PromiseOut:
    """Record a promise to pay."""
    case = _case(db_session, principal, case_id)
    promise = portfolio_service.create_promise(
        db_session=db_session,
        debt_id=case.debt_id,
        amount=Money.of(body.amount, body.currency),
        due_on=body.due_on,
        actor=principal.actor,
    )
    return PromiseOut.model_validate(promise)


@router.put("/cases/{case_id}/promises/{promise_id}", response_model=PromiseOut)
def update_promise(
    case_id: Id,
    promise_id: Id,
    body: PromiseUpdate,
    principal: CurrentPrincipal,
    db_session: DbSession,
) -> PromiseOut:
    """Mark a promise kept, broken or cancelled."""
    case = _case(db_session, principal, case_id)
    if not any(
        p.id == promise_id
        for p in portfolio_service.list_promises(db_session=db_session, debt_id=case.debt_id)
    ):
        raise NotFound(f"promise {promise_id} not found")
    promise = portfolio_service.set_promise_status(
        db_session=db_session, promise_id=promise_id, status=body.status, actor=principal.actor
    )
    return PromiseOut.model_validate(promise)


@router.get("/cases/{case_id}/plans", response_model=list[PlanOut])
def list_plans(case_id: Id, principal: CurrentPrincipal, db_session: DbSession) -> list[PlanOut]:
    """The case's payment plans, newest first."""
    case = _case(db_session, principal, case_id)
    plans = portfolio_service.list_plans(db_session=db_session, debt_id=case.debt_id)
    return [PlanOut.model_validate(p) for p in plans]


@router.post("/cases/{case_id}/plans", response_model=PlanOut, status_code=201)
def create_plan(
    case_id: Id, body: PlanIn, principal: CurrentPrincipal, db_session: DbSession
) -> PlanOut:
    """Agree a payment plan in equal instalments (the last one takes the odd cents)."""
    case = _case(db_session, principal, case_id)
    plan = portfolio_service.create_plan(
        db_session=db_session,
        debt_id=case.debt_id,
        instalments=body.instalments,
        frequency=body.frequency,
        start_on=body.start_on,
        total=Money.of(body.total, case.debt.currency) if body.total is not None else None,
        actor=principal.actor,
    )
    return PlanOut.model_validate(plan)


# Debts and debtors (visible through a case of the principal's teams) -----------------------


@router.get("/debts/{debt_id}", response_model=DebtOut)
def get_debt(debt_id: Id, principal: CurrentPrincipal, db_session: DbSession) -> DebtOut:
    """One debt, if its case is visible to the principal."""
    debt = portfolio_service.get_debt_for_principal(
        db_session=db_session, principal=principal, debt_id=debt_id
    )
    return DebtOut.model_validate(debt)


@router.get("/debtors/{debtor_id}", response_model=DebtorOut)
def get_debtor(debtor_id: Id, principal: CurrentPrincipal, db_session: DbSession) -> DebtorOut:
    """One debtor, identifiers decrypted, if one of their cases is visible to the principal."""
    debtor = portfolio_service.get_debtor_for_principal(
        db_session=db_session, principal=principal, debtor_id=debtor_id
    )
    reads.record_staff_read(
        db_session=db_session, principal=principal, what="debtor", debtor_ids=[debtor_id]
    )
    return _debtor_out(portfolio_service.reveal_debtor(debtor))


# Room for the multipart envelope around the file (boundaries, part headers, form fields).
ENVELOPE_BYTES = 1_048_576


def body_limits() -> dict[str, int]:
    """The request-body limit of the import route, read by the app's body-limit middleware."""
    return {"/api/portfolio/imports": get_upload_settings().import_max_bytes + ENVELOPE_BYTES}
