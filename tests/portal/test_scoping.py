"""A debtor sees only their own cases: every portal route answers 404 for another's case,
exactly as for a case that does not exist."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.portal import service as portal_service
from concilia.portfolio import service as portfolio_service
from tests.portal.conftest import Sink, World, session_csrf, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _routes(case_id: int, document_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("GET", f"/portal/cases/{case_id}", {}),
        ("GET", f"/portal/cases/{case_id}/dispute", {}),
        ("POST", f"/portal/cases/{case_id}/dispute", {"data": {"reason": "not_mine"}}),
        ("GET", f"/portal/cases/{case_id}/plan", {}),
        ("POST", f"/portal/cases/{case_id}/plan", {"data": {"action": "accept", "count": "3"}}),
        ("POST", f"/portal/cases/{case_id}/plan", {"data": {"action": "compute", "monthly": "50"}}),
        ("GET", f"/portal/cases/{case_id}/documents/{document_id}", {}),
    ]


ROUTE_NAMES = ["case", "dispute-form", "dispute", "plan-form", "plan-accept", "plan-compute",
               "document"]  # fmt: skip


@pytest.mark.parametrize("index", range(len(ROUTE_NAMES)), ids=ROUTE_NAMES)
def test_another_debtors_case_is_not_found(
    index: int, client: TestClient, world: World, smtp, db_session: Session
) -> None:
    # Jane has a dispute with a document, so the document route has something to hide.
    dispute = portal_service.open_dispute(
        db_session=db_session, debtor_id=world.jane.debtor_id, case_id=world.jane.case_id,
        reason="wrong_amount", statement="", uploads=[portal_service.Upload("a.pdf", PDF)],
        lang="en", now=utcnow(),
    )  # fmt: skip
    [doc] = portal_service.list_documents(db_session=db_session, dispute_id=dispute.id)
    db_session.commit()
    sign_in(client, world.marie, smtp)
    token = session_csrf(client)
    method, url, kwargs = _routes(world.jane.case_id, doc.id)[index]
    if method == "POST":
        kwargs["data"]["csrf"] = token
    answer = client.request(method, url, **kwargs)
    assert answer.status_code == 404, answer.text
    assert "Jane" not in answer.text and "US-5550" not in answer.text
    # A case that does not exist gets the very same answer.
    method, url, kwargs = _routes(999_999, doc.id)[index]
    if method == "POST":
        kwargs["data"]["csrf"] = token
    assert client.request(method, url, **kwargs).status_code == 404
    # And Marie's own case opens on the same route (document aside: she has none).
    if ROUTE_NAMES[index] != "document":
        method, url, kwargs = _routes(world.marie.case_id, doc.id)[index]
        if method == "POST":
            kwargs["data"]["csrf"] = token
        assert client.request(method, url, **kwargs).status_code in (200, 303)
    # Nothing was changed on Jane's case by Marie's requests.
    jane = portfolio_service.get_case(db_session=db_session, case_id=world.jane.case_id)
    db_session.refresh(jane)
    assert portfolio_service.list_plans(db_session=db_session, debt_id=jane.debt_id) == []
    assert len(portal_service.list_disputes(
        db_session=db_session, debtor_id=world.jane.debtor_id, case_id=world.jane.case_id
    )) == 1  # fmt: skip


def test_home_lists_only_the_debtors_own_cases(
    client: TestClient, world: World, smtp: Sink
) -> None:
    sign_in(client, world.jane, smtp)
    home = client.get("/portal/home")
    assert "US-5550" in home.text and "ACC-7781" not in home.text


def test_pages_need_a_session(client: TestClient, world: World) -> None:
    for url in (
        "/portal/home",
        f"/portal/cases/{world.marie.case_id}",
        f"/portal/cases/{world.marie.case_id}/plan",
        "/portal/preferences",
    ):
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/portal")
