"""Pay from the portal: amount → provider's page → back here → recorded once → receipt."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from concilia.auth.dependencies import DbSession
from concilia.db import utcnow
from concilia.errors import Conflict, InvalidInput, NotFound
from concilia.portal import casework, payments, views
from concilia.portal.models import PortalSession
from concilia.portfolio.money import Money

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=200)]


def _pay_page(
    request: Request, session: PortalSession, lang: str, view: casework.DebtView,
    status: int = 200, **context: object,
) -> Response:  # fmt: skip
    due = next((i.amount for i in view.plan or [] if i.status != "paid"), None)
    suggested = due or view.balance["total"]
    return views.render(
        request, "pay.html", lang, status_code=status, signed_in=True, csrf=session.csrf_token,
        view=view, suggested=f"{suggested.amount:.2f}", **context,
    )  # fmt: skip


@router.get("/portal/cases/{case_id}/pay")
def pay_page(case_id: int, request: Request, db_session: DbSession) -> Response:
    """How much to pay now."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    try:
        view = casework.view_debt(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id
        )
    except NotFound:
        return views.not_found(request, lang)
    return _pay_page(request, session, lang, view)


@router.post("/portal/cases/{case_id}/pay")
def pay_start(
    case_id: int, request: Request, db_session: DbSession, csrf: Field = "", amount: Field = ""
) -> Response:
    """Start a checkout and go to the provider's page."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    if not views.session_csrf_ok(session, request, csrf):
        return views.bad_csrf(request, lang)
    try:
        view = casework.view_debt(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id
        )
    except NotFound:
        return views.not_found(request, lang)
    errors = {"amount": "pay_amount_invalid"}
    try:
        value = Decimal(amount.strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        return _pay_page(request, session, lang, view, 400, errors=errors)
    provider = payments.get_provider()
    try:
        row = payments.start_payment(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id, amount=value,
            provider=provider, now=utcnow(),
        )  # fmt: skip
    except InvalidInput:
        return _pay_page(request, session, lang, view, 400, errors=errors)
    return views.redirect(request, provider.checkout_url(row))


@router.get("/portal/fake-provider/{ref}")
def provider_page(ref: str, request: Request, db_session: DbSession) -> Response:
    """The local provider's page (a real provider's is on its own site)."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    row = payments.find_checkout(db_session=db_session, provider_ref=ref[:64])
    if row is None or row.debtor_id != session.debtor_id:
        return views.not_found(request, lang)
    amount = Money(Decimal(row.amount_cents).scaleb(-2), row.currency)
    return views.render(
        request, "provider.html", lang, signed_in=True, csrf=session.csrf_token, ref=ref,
        amount=amount,
    )  # fmt: skip


@router.post("/portal/fake-provider/{ref}")
def provider_pay(ref: str, request: Request, db_session: DbSession, csrf: Field = "") -> Response:
    """The person presses "pay" on the provider's page; back to the portal."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    if not views.session_csrf_ok(session, request, csrf):
        return views.bad_csrf(request, lang)
    row = payments.find_checkout(db_session=db_session, provider_ref=ref[:64])
    if row is None or row.debtor_id != session.debtor_id:
        return views.not_found(request, lang)
    payments.FakeProvider().pay(db_session, row.provider_ref)
    return views.redirect(request, f"/portal/cases/{row.case_id}/pay/{row.id}")


@router.get("/portal/cases/{case_id}/pay/{payment_id}")
def pay_return(case_id: int, payment_id: int, request: Request, db_session: DbSession) -> Response:
    """Back from the provider: record the payment once, say what happened."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    try:
        row = payments.complete_payment(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id,
            payment_id=payment_id, provider=payments.get_provider(), now=utcnow(),
        )  # fmt: skip
        view = casework.view_debt(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id
        )
    except NotFound:
        return views.not_found(request, lang)
    amount = Money(Decimal(row.amount_cents).scaleb(-2), row.currency)
    return views.render(
        request, "paid.html", lang, signed_in=True, csrf=session.csrf_token, row=row,
        amount=amount, view=view,
    )  # fmt: skip


@router.get("/portal/cases/{case_id}/pay/{payment_id}/receipt.pdf")
def receipt(case_id: int, payment_id: int, request: Request, db_session: DbSession) -> Response:
    """The receipt of a payment made in the portal."""
    session, lang = views.signed_in(request, db_session)
    if session is None:
        return views.to_entry(request)
    try:
        data = payments.receipt(
            db_session=db_session, debtor_id=session.debtor_id, case_id=case_id,
            payment_id=payment_id,
        )  # fmt: skip
    except (NotFound, Conflict):
        return views.not_found(request, lang)
    response = Response(payments.receipt_pdf(data, lang), media_type="application/pdf")
    name = f"receipt-R-{data.payment.id:08d}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return views.harden(response, request)
