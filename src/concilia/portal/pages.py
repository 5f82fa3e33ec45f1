"""The verified debtor's pages: their cases, the debt, dispute, plan, preferences, sign-out.

Each page loads the case through the portal service, which answers NotFound for a case that
is not the signed-in debtor's; the page then says "not found", the same as for a case that
does not exist.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response
from starlette.datastructures import FormData

from concilia.auth.dependencies import DbSession
from concilia.db import utcnow
from concilia.errors import Conflict, InvalidInput, NotFound
from concilia.portal import casework, entry, views
from concilia.portal.i18n import LANGS
from concilia.portal.models import PortalSession
from concilia.portal.settings import get_portal_settings
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.money import Money

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=200)]


def _page(
    request: Request,
    session: PortalSession,
    name: str,
    lang: str,
    status: int = 200,
    **context: object,
) -> Response:
    return views.render(
        request,
        name,
        lang,
        status_code=status,
        signed_in=True,
        csrf=session.csrf_token,
        **context,
    )


@router.get("/portal/home")
def home(request: Request, db_session: DbSession) -> Response:
    """The debtor's own cases."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    rows = []
    for case in casework.list_cases_for_debtor(db_session=db_session, debtor_id=session.debtor_id):
        creditor = portfolio_service.get_creditor(
            db_session=db_session, creditor_id=case.debt.creditor_id
        )
        balance = portfolio_service.balance_of(case.debt).total
        rows.append({"case": case, "creditor": creditor.name, "balance": balance})
    return _page(request, session, "home.html", lang, rows=rows)


@router.get("/portal/cases/{case_id}")
def case_page(case_id: int, request: Request, db_session: DbSession) -> Response:
    """The debt: amounts, payments and their allocation, plan, what the law requires."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    try:
        view = casework.view_debt(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id
        )
    except NotFound:
        return views.not_found(request, lang)
    notice = request.query_params.get("notice")
    allowed = {"dispute_received", "plan_agreed"}
    return _page(
        request,
        session,
        "case.html",
        lang,
        view=view,
        notice=notice if notice in allowed else None,
        first_due=view.plan[0].due_on if view.plan else None,
    )


def _dispute_page(
    request: Request,
    session: PortalSession,
    lang: str,
    case_id: int,
    status: int = 200,
    **context: object,
) -> Response:
    settings = get_portal_settings()
    return _page(
        request,
        session,
        "dispute.html",
        lang,
        status,
        case_id=case_id,
        reasons=casework.DISPUTE_REASONS,
        max_files=settings.upload_max_files,
        max_mb=settings.upload_max_bytes // (1024 * 1024),
        **context,
    )


@router.get("/portal/cases/{case_id}/dispute")
def dispute_page(case_id: int, request: Request, db_session: DbSession) -> Response:
    """The dispute form."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    try:
        casework.get_case_for_debtor(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id
        )
    except NotFound:
        return views.not_found(request, lang)
    return _dispute_page(request, session, lang, case_id)


async def _read_uploads(files: list[UploadFile], limit: int) -> list[casework.Upload]:
    out = []
    for f in files:
        if not f.filename:
            continue  # an empty file input
        # One byte more than the limit is enough to know it is too big.
        out.append(casework.Upload(f.filename, await f.read(limit + 1)))
    return out


@router.post("/portal/cases/{case_id}/dispute")
async def dispute_submit(
    case_id: int,
    request: Request,
    db_session: DbSession,
    csrf: Field = "",
    reason: Field = "",
    statement: Annotated[str, Form(max_length=10_000)] = "",
    documents: list[UploadFile] | None = None,
) -> Response:
    """A dispute: collection pauses and the team is told."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    if not views.session_csrf_ok(session, request, csrf):
        return views.bad_csrf(request, lang)
    uploads = await _read_uploads(documents or [], get_portal_settings().upload_max_bytes)
    try:
        casework.open_dispute(
            db_session=db_session,
            debtor_id=session.debtor_id,
            case_id=case_id,
            reason=reason,
            statement=statement,
            uploads=uploads,
            lang=lang,
            now=utcnow(),
        )
    except NotFound:
        return views.not_found(request, lang)
    except InvalidInput as exc:
        errors: dict[str, list[str]] = {}
        for p in exc.problems:
            errors.setdefault(p.field, []).append(p.reason)
        return _dispute_page(
            request,
            session,
            lang,
            case_id,
            400,
            problems=errors,
            reason=reason,
            statement=statement,
        )
    return views.redirect(request, f"/portal/cases/{case_id}?notice=dispute_received")


@router.get("/portal/cases/{case_id}/documents/{document_id}")
def document(case_id: int, document_id: int, request: Request, db_session: DbSession) -> Response:
    """One of the debtor's own documents, always as a download of its sniffed type."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    try:
        row, content = casework.get_document(
            db_session=db_session,
            debtor_id=session.debtor_id,
            case_id=case_id,
            document_id=document_id,
        )
    except NotFound:
        return views.not_found(request, lang)
    response = Response(content, media_type=row.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{row.filename}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return views.harden(response, request)


def _plan_page(
    request: Request,
    session: PortalSession,
    lang: str,
    case_id: int,
    db_session: DbSession,
    status: int = 200,
    **context: object,
) -> Response:
    view = casework.view_debt(db_session=db_session, debtor_id=session.debtor_id, case_id=case_id)
    return _page(
        request,
        session,
        "plan.html",
        lang,
        status,
        view=view,
        budget_fields=(casework.BUDGET_INCOME, casework.BUDGET_OUTGOINGS),
        options=casework.plan_options(total=view.balance["total"]),
        minimum=casework.minimum_monthly(total=view.balance["total"]),
        max_months=casework.PLAN_MAX_MONTHS,
        **context,
    )


@router.get("/portal/cases/{case_id}/plan")
def plan_page(case_id: int, request: Request, db_session: DbSession) -> Response:
    """Proposed plans, and the affordable-amount calculator."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    try:
        return _plan_page(request, session, lang, case_id, db_session)
    except NotFound:
        return views.not_found(request, lang)


async def _form(request: Request) -> FormData:
    # Read in the event loop so the route itself can stay a plain (threaded) function.
    return await request.form()


@router.post("/portal/cases/{case_id}/plan")
def plan_submit(
    case_id: int,
    request: Request,
    db_session: DbSession,
    csrf: Field = "",
    action: Field = "accept",
    count: Field = "",
    monthly: Field = "",
    form: Annotated[FormData, Depends(_form)] = FormData(),
) -> Response:
    """``action=compute``: a plan for what the debtor can pay; ``action=budget``: for what
    their income and outgoings leave; ``action=accept``: agree it."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    if not views.session_csrf_ok(session, request, csrf):
        return views.bad_csrf(request, lang)
    try:
        case = casework.get_case_for_debtor(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id
        )
    except NotFound:
        return views.not_found(request, lang)
    if action == "budget":
        return _budget(request, session, lang, case_id, db_session, case, form)
    if action == "compute":
        try:
            amount = Decimal(monthly.strip().replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            errors = {"monthly": "amount_invalid"}
            return _plan_page(request, session, lang, case_id, db_session, 400, errors=errors)
        total = portfolio_service.balance_of(case.debt).total
        option = casework.plan_for_amount(total=total, monthly=amount)
        if option is None:
            return _plan_page(
                request, session, lang, case_id, db_session, 400, too_low=True, monthly=monthly
            )
        return _plan_page(
            request, session, lang, case_id, db_session, custom=option, monthly=monthly
        )
    try:
        chosen = int(count)
    except ValueError:
        errors = {"count": "option_required"}
        return _plan_page(request, session, lang, case_id, db_session, 400, errors=errors)
    try:
        casework.agree_plan(
            db_session=db_session,
            debtor_id=session.debtor_id,
            case_id=case_id,
            count=chosen,
            today=utcnow().date(),
        )
    except Conflict as exc:
        key = "plan_paused" if "paused" in exc.detail else "plan_exists"
        return _plan_page(request, session, lang, case_id, db_session, 409, notice=key)
    except InvalidInput:
        errors = {"count": "option_required"}
        return _plan_page(request, session, lang, case_id, db_session, 400, errors=errors)
    return views.redirect(request, f"/portal/cases/{case_id}?notice=plan_agreed")


def _budget(
    request: Request,
    session: PortalSession,
    lang: str,
    case_id: int,
    db_session: DbSession,
    case: Any,
    form: FormData,
) -> Response:
    """The Standard Financial Statement's sum: a plan sized on what is left each month."""
    values: dict[str, Decimal] = {}
    errors: dict[str, str] = {}
    for key in casework.BUDGET_INCOME + casework.BUDGET_OUTGOINGS:
        raw = str(form.get(key, "")).strip().replace(",", ".").replace(" ", "")
        if not raw:
            continue
        try:
            values[key] = Decimal(raw)
        except InvalidOperation:
            errors[key] = "amount_invalid"
            continue
        if values[key] < 0 or values[key] > Decimal("10000000"):
            errors[key] = "amount_invalid"
    typed = {k: str(form.get(k, "")) for k in casework.BUDGET_INCOME + casework.BUDGET_OUTGOINGS}
    if errors:
        return _plan_page(
            request, session, lang, case_id, db_session, 400, errors=errors, budget=typed
        )
    left = casework.disposable_income(values)
    total = portfolio_service.balance_of(case.debt).total
    option = casework.plan_for_amount(total=total, monthly=left) if left > 0 else None
    return _plan_page(
        request,
        session,
        lang,
        case_id,
        db_session,
        200 if option else 400,
        budget=typed,
        budget_left=Money.of(max(left, Decimal(0)), total.currency),
        custom=option,
        budget_none=option is None,
    )


def _prefs_page(
    request: Request,
    session: PortalSession,
    lang: str,
    db_session: DbSession,
    status: int = 200,
    **context: object,
) -> Response:
    pref = casework.get_preferences(db_session=db_session, debtor_id=session.debtor_id)
    return _page(
        request,
        session,
        "preferences.html",
        lang,
        status,
        pref=pref,
        channels=casework.PREFERENCE_CHANNELS,
        **context,
    )


@router.get("/portal/preferences")
def preferences_page(request: Request, db_session: DbSession) -> Response:
    """Channel, hours, language and channels to stop."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    return _prefs_page(request, session, lang, db_session)


def _hour(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


@router.post("/portal/preferences")
def preferences_submit(
    request: Request,
    db_session: DbSession,
    csrf: Field = "",
    channel: Field = "",
    hours_from: Field = "",
    hours_to: Field = "",
    language: Field = "",
    stop: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Save the preferences; a stopped channel becomes an opt-out outreach honours."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    if not views.session_csrf_ok(session, request, csrf):
        return views.bad_csrf(request, lang)
    chosen_lang = language if language in LANGS else lang
    try:
        casework.save_preferences(
            db_session=db_session,
            debtor_id=session.debtor_id,
            channel=channel or None,
            hours_from=_hour(hours_from),
            hours_to=_hour(hours_to),
            lang=chosen_lang,
            stop_channels=list(stop or []),
            now=utcnow(),
        )
    except InvalidInput as exc:
        errors = {p.field: p.reason for p in exc.problems}
        return _prefs_page(request, session, lang, db_session, 400, problems=errors)
    session.lang = chosen_lang
    return _prefs_page(request, session, chosen_lang, db_session, notice="saved")


@router.post("/portal/logout")
def logout(request: Request, db_session: DbSession, csrf: Field = "") -> Response:
    """Sign out."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    if not views.session_csrf_ok(session, request, csrf):
        return views.bad_csrf(request, lang)
    entry.end_session(db_session=db_session, session=session, now=utcnow())
    response = views.redirect(request, "/portal")
    response.delete_cookie(get_portal_settings().session_cookie_name, path="/")
    return response


__all__ = ["router"]
