"""Paying from the portal through the local provider: recorded once, allocated to the cent,
a receipt; declines and amounts out of range; another debtor's payment is not found."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.portal.models import PortalPayment
from concilia.portfolio import service as portfolio_service
from tests.portal.conftest import Sink, World, csrf_of, session_csrf, sign_in


def _pay(client: TestClient, case_id: int, amount: str) -> object:
    page = client.get(f"/portal/cases/{case_id}/pay")
    return client.post(
        f"/portal/cases/{case_id}/pay",
        data={"csrf": csrf_of(page.text), "amount": amount},
        follow_redirects=False,
    )


def test_pay_through_the_provider_allocates_to_the_cent_and_gives_a_receipt(
    client: TestClient, world: World, smtp: Sink, db_session: Session
) -> None:
    sign_in(client, world.marie, smtp)
    case = portfolio_service.get_case(db_session=db_session, case_id=world.marie.case_id)
    before = portfolio_service.balance_of(case.debt).total
    page = client.get(f"/portal/cases/{world.marie.case_id}/pay")
    assert 'value="1080.00"' in page.text  # the whole balance is suggested
    provider = client.post(
        f"/portal/cases/{world.marie.case_id}/pay",
        data={"csrf": csrf_of(page.text), "amount": "100,01"},
        follow_redirects=True,
    )
    assert provider.url.path.startswith("/portal/fake-provider/")
    done = client.post(
        str(provider.url.path), data={"csrf": csrf_of(provider.text)}, follow_redirects=True
    )
    assert done.status_code == 200 and "payment of €100.01 received" in done.text
    db_session.expire_all()
    [payment] = portfolio_service.list_payments(db_session=db_session, debt_id=case.debt_id)
    assert payment.amount == Decimal("100.01") and payment.method == "card"
    assert sum(a.amount for a in payment.allocations) + payment.unapplied == Decimal("100.01")
    case = portfolio_service.get_case(db_session=db_session, case_id=world.marie.case_id)
    assert portfolio_service.balance_of(case.debt).total.amount == before.amount - Decimal("100.01")
    # Coming back to the return page again records nothing more.
    client.get(str(done.url.path))
    db_session.expire_all()
    assert len(portfolio_service.list_payments(db_session=db_session, debt_id=case.debt_id)) == 1
    [row] = db_session.scalars(select(PortalPayment)).all()
    pdf = client.get(f"/portal/cases/{world.marie.case_id}/pay/{row.id}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment;")


def test_a_declined_payment_records_nothing(
    client: TestClient, world: World, smtp: Sink, db_session: Session
) -> None:
    sign_in(client, world.marie, smtp)
    provider = _pay(client, world.marie.case_id, "20.13")
    page = client.get(provider.headers["location"])  # type: ignore[attr-defined]
    done = client.post(
        provider.headers["location"],  # type: ignore[attr-defined]
        data={"csrf": csrf_of(page.text)},
        follow_redirects=True,
    )
    assert "declined" in done.text
    case = portfolio_service.get_case(db_session=db_session, case_id=world.marie.case_id)
    assert portfolio_service.list_payments(db_session=db_session, debt_id=case.debt_id) == []
    [row] = db_session.scalars(select(PortalPayment)).all()
    receipt = client.get(f"/portal/cases/{world.marie.case_id}/pay/{row.id}/receipt.pdf")
    assert receipt.status_code == 404


def test_amounts_out_of_range_are_refused_next_to_the_field(
    client: TestClient, world: World, smtp: Sink
) -> None:
    sign_in(client, world.marie, smtp)
    for amount in ("0", "5000", "12.345", "abc"):
        page = _pay(client, world.marie.case_id, amount)
        assert page.status_code == 400, amount  # type: ignore[attr-defined]
        assert 'id="amount-error"' in page.text  # type: ignore[attr-defined]


def test_another_debtors_payment_is_not_found(
    client: TestClient, world: World, smtp: Sink, db_session: Session
) -> None:
    sign_in(client, world.jane, smtp)
    provider = _pay(client, world.jane.case_id, "10.00")
    checkout = provider.headers["location"]  # type: ignore[attr-defined]
    [row] = db_session.scalars(select(PortalPayment)).all()
    client.cookies.clear()
    sign_in(client, world.marie, smtp)
    token = session_csrf(client)
    assert client.get(checkout).status_code == 404
    assert client.post(checkout, data={"csrf": token}).status_code == 404
    for url in (
        f"/portal/cases/{world.jane.case_id}/pay",
        f"/portal/cases/{world.jane.case_id}/pay/{row.id}",
        f"/portal/cases/{world.marie.case_id}/pay/{row.id}",
        f"/portal/cases/{world.jane.case_id}/pay/{row.id}/receipt.pdf",
    ):
        assert client.get(url).status_code == 404, url
    posted = client.post(
        f"/portal/cases/{world.jane.case_id}/pay", data={"csrf": token, "amount": "1.00"}
    )
    assert posted.status_code == 404
    db_session.expire_all()
    assert db_session.get(PortalPayment, row.id).provider_status == "pending"  # type: ignore[union-attr]
