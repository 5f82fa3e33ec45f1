"""What the verified debtor does: the debt, a dispute (documents sniffed, collection paused),
a wrong-person report, a plan, contact preferences."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.outreach import service as outreach_service
from concilia.outreach.models import OptOutEntry
from concilia.portal import service as portal_service
from concilia.portal.models import PortalDispute, PortalDocument
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.money import Money
from tests.portal.conftest import Sink, World, answer, csrf_of, session_csrf, sign_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<html><script>alert(1)</script></html>"


def _pay(db_session: Session, world: World, amount: str) -> None:
    case = portfolio_service.get_case(db_session=db_session, case_id=world.marie.case_id)
    portfolio_service.record_payment(
        db_session=db_session, debt_id=case.debt_id, amount=Money.of(amount, "EUR"),
        received_on=date(2025, 2, 1), actor="test",
    )  # fmt: skip
    db_session.commit()


def test_the_debt_with_payments_and_allocation(
    client: TestClient, world: World, smtp, db_session: Session
) -> None:
    _pay(db_session, world, "100.00")
    sign_in(client, world.marie, smtp)
    page = client.get(f"/portal/cases/{world.marie.case_id}?lang=fr")
    assert page.status_code == 200
    text = page.text
    assert "Banque Exemple" in text and "ACC-7781" in text
    assert "1 080,00" in text.replace("\u202f", " ").replace("\xa0", " ")  # as placed
    assert "Imputé sur" in text  # the allocation is shown, in French
    assert "R124-4" in text  # what the French rules require
    view = portal_service.view_debt(
        db_session=db_session, debtor_id=world.marie.debtor_id, case_id=world.marie.case_id
    )
    parts = sum((m for _c, m in view.payments[0].allocations), Money.zero("EUR"))
    assert parts + view.payments[0].unapplied == Money.of("100.00", "EUR")
    assert (
        view.balance["total"]
        == view.stated["total"]
        + view.since_itemization["interest"]
        + (view.since_itemization["fees"])
        - view.since_itemization["payments"]
    )


def test_us_debtor_sees_the_reg_f_validation_information(
    client: TestClient, world: World, smtp
) -> None:
    sign_in(client, world.jane, smtp)
    page = client.get(f"/portal/cases/{world.jane.case_id}?lang=en")
    assert "1006.34" in page.text and "Itemization date" in page.text
    assert "March 1, 2025" in page.text or "1 March 2025" in page.text
    assert "original creditor" in page.text


def test_dispute_with_a_document_pauses_collection_and_tells_the_team(
    client: TestClient, world: World, smtp, db_session: Session
) -> None:
    sign_in(client, world.marie, smtp)
    url = f"/portal/cases/{world.marie.case_id}/dispute"
    done = client.post(
        url,
        data={"csrf": session_csrf(client), "reason": "already_paid", "statement": "Paid in May"},
        files=[("documents", ("receipt.pdf", PDF, "application/pdf"))],
        follow_redirects=True,
    )
    assert done.status_code == 200 and "paused collection" in done.text
    case = portfolio_service.get_case(db_session=db_session, case_id=world.marie.case_id)
    db_session.refresh(case)
    assert case.disputed and not case.dispute_answered
    # Outreach's rules now hold any collection message on this case.
    decision = outreach_service.check_call(
        db_session=db_session, case_id=case.id, phone="+33611223344",
        at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
    )  # fmt: skip
    assert decision.verdict == "block"
    assert any(r.category == "dispute" for r in decision.reasons)
    [dispute] = db_session.scalars(select(PortalDispute)).all()
    assert dispute.reason == "already_paid" and "Paid" not in (dispute.statement_encrypted or "")
    [doc] = db_session.scalars(select(PortalDocument)).all()
    assert doc.media_type == "application/pdf" and doc.size == len(PDF)
    note = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "portal.dispute_opened")
    ).one()
    assert note.detail == {"dispute_id": dispute.id, "reason": "already_paid", "documents": 1}
    got = client.get(f"/portal/cases/{world.marie.case_id}/documents/{doc.id}")
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"


def test_a_document_is_judged_by_its_bytes_not_its_name(
    client: TestClient, world: World, smtp, db_session: Session
) -> None:
    sign_in(client, world.marie, smtp)
    refused = client.post(
        f"/portal/cases/{world.marie.case_id}/dispute",
        data={"csrf": session_csrf(client), "reason": "not_mine"},
        files=[
            ("documents", ("invoice.pdf", HTML, "application/pdf")),
            ("documents", ("photo.png", PNG, "image/png")),
        ],
    )
    assert refused.status_code == 400
    assert 'id="documents-error"' in refused.text and "invoice.pdf" in refused.text
    assert "photo.png" not in refused.text.split('id="documents-error"')[1].split("</ul>")[0]
    assert db_session.scalars(select(PortalDispute)).all() == []  # nothing half-written
    case = portfolio_service.get_case(db_session=db_session, case_id=world.marie.case_id)
    db_session.refresh(case)
    assert not case.disputed


def test_too_large_or_too_many_documents_are_refused(world: World, db_session: Session) -> None:
    big = portal_service.Upload("big.pdf", PDF + b"0" * (5 * 1024 * 1024))
    problems = portal_service.check_documents([big], "en")
    assert [p.field for p in problems] == ["documents"] and "5 MB" in problems[0].reason
    many = [portal_service.Upload(f"{i}.pdf", PDF) for i in range(6)]
    assert "At most 5 files" in portal_service.check_documents(many, "en")[0].reason


def test_dispute_needs_a_reason(client: TestClient, world: World, smtp: Sink) -> None:
    sign_in(client, world.marie, smtp)
    page = client.post(
        f"/portal/cases/{world.marie.case_id}/dispute", data={"csrf": session_csrf(client)}
    )
    assert page.status_code == 400 and 'id="reason-error"' in page.text


def test_wrong_person_report_stops_that_contact(
    client: TestClient, world: World, db_session: Session
) -> None:
    url = portal_service.link_for(case_id=world.marie.case_id, now=datetime.now(UTC))
    page = client.get(url.replace("http://127.0.0.1:8000", ""), follow_redirects=True)
    done = client.post(
        "/portal/not-me",
        data={"csrf": csrf_of(page.text), "channel": "email", "address": "Marie@Example.org"},
    )
    assert done.status_code == 200 and "Banque" not in done.text
    [opt] = db_session.scalars(
        select(OptOutEntry).where(OptOutEntry.debtor_id == world.marie.debtor_id)
    ).all()
    assert opt.channel == "email" and opt.address_index is not None
    assert opt.source == "portal_wrong_person"
    # The link is spent: it cannot be used to go on to the checks.
    assert client.get("/portal/check", follow_redirects=False).status_code == 303


def test_wrong_person_with_an_unknown_address_opts_nothing_out(
    client: TestClient, world: World, db_session: Session
) -> None:
    url = portal_service.link_for(case_id=world.marie.case_id, now=datetime.now(UTC))
    page = client.get(url.replace("http://127.0.0.1:8000", ""), follow_redirects=True)
    client.post(
        "/portal/not-me",
        data={"csrf": csrf_of(page.text), "channel": "email", "address": "other@example.org"},
    )
    assert db_session.scalars(select(OptOutEntry)).all() == []


def _traced(db_session: Session, debtor_id: int, profile: str, handle: str) -> int:
    """An accepted tracing match that gave the debtor a social handle (with its evidence)."""
    from concilia.db import utcnow
    from concilia.tracing.models import Evidence, MatchCandidate, TraceRun

    run = TraceRun(
        portfolio="p", engine="duckdb", inputs_fingerprint="x", chunk_size=1, chunk_count=1,
        started_by="test", started_at=utcnow(),
    )  # fmt: skip
    db_session.add(run)
    db_session.flush()
    cand = MatchCandidate(
        portfolio="p", debtor_key=str(debtor_id), profile_key=profile, run_id=run.id,
        match_weight=9.0, final_weight=9.0, probability=0.99, explanation_data=[],
        profile_snapshot={"handle": handle}, status="accepted", debtor_fingerprint="d",
        profile_fingerprint="p", created_at=utcnow(), updated_at=utcnow(),
    )  # fmt: skip
    db_session.add(cand)
    db_session.flush()
    evidence = Evidence(
        candidate_id=cand.id, debtor_key=str(debtor_id), kind="contact_handle", value=handle,
        probability=0.99, provenance={}, accepted_by="agent", created_at=utcnow(),
    )  # fmt: skip
    db_session.add(evidence)
    db_session.commit()
    return cand.id


def test_not_me_on_a_social_message_rejects_the_match_and_withdraws_its_evidence(
    client: TestClient, world: World, db_session: Session
) -> None:
    from concilia.tracing import service as tracing_service
    from concilia.tracing.models import MatchCandidate

    wrong = _traced(db_session, world.marie.debtor_id, "11", "marie.martin.lyon")
    kept = _traced(db_session, world.marie.debtor_id, "12", "mmartin69")
    url = portal_service.link_for(case_id=world.marie.case_id, now=datetime.now(UTC))
    page = client.get(url.replace("http://127.0.0.1:8000", ""), follow_redirects=True)
    done = client.post(
        "/portal/not-me",
        data={"csrf": csrf_of(page.text), "channel": "social_dm", "address": "@Marie.Martin.Lyon"},
    )
    assert done.status_code == 200
    db_session.expire_all()
    assert db_session.get(MatchCandidate, wrong).status == "rejected"  # type: ignore[union-attr]
    assert db_session.get(MatchCandidate, kept).status == "accepted"  # type: ignore[union-attr]
    key = str(world.marie.debtor_id)
    left = tracing_service.list_evidence(db_session=db_session, debtor_key=key)
    assert [e.value for e in left] == ["mmartin69"]
    # The decisions tracing refines its model with now count the match as wrong.
    decided = tracing_service.decisions(db_session=db_session, portfolio="p")
    assert {"debtor_id": key, "profile_id": "11", "accepted": False} in decided
    [opt] = db_session.scalars(select(OptOutEntry)).all()
    assert opt.channel == "social_dm" and opt.source == "portal_wrong_person"


def test_plan_options_calculator_and_agreement(
    client: TestClient, world: World, smtp, db_session: Session
) -> None:
    sign_in(client, world.marie, smtp)
    url = f"/portal/cases/{world.marie.case_id}/plan"
    page = client.get(url + "?lang=en")
    assert "12 monthly payments of €90.00 (total €1,080.00)" in page.text
    too_low = client.post(
        url, data={"csrf": session_csrf(client), "action": "compute", "monthly": "20"}
    )
    assert too_low.status_code == 400 and 'id="monthly-error"' in too_low.text
    computed = client.post(
        url, data={"csrf": session_csrf(client), "action": "compute", "monthly": "100,00"}
    )
    assert "11 monthly payments of €98.18" in computed.text
    agreed = client.post(
        url, data={"csrf": session_csrf(client), "action": "accept", "count": "11"},
        follow_redirects=True,
    )  # fmt: skip
    assert agreed.status_code == 200 and "Plan agreed" in agreed.text
    case = portfolio_service.get_case(db_session=db_session, case_id=world.marie.case_id)
    [plan] = portfolio_service.list_plans(db_session=db_session, debt_id=case.debt_id)
    assert len(plan.instalments) == 11 and plan.total == Decimal("1080.00")
    assert plan.created_by == f"debtor:{world.marie.debtor_id}"
    again = client.post(url, data={"csrf": session_csrf(client), "action": "accept", "count": "3"})
    assert again.status_code == 409


def test_no_plan_while_disputed(
    client: TestClient, world: World, smtp, db_session: Session
) -> None:
    portfolio_service.set_case_flag(
        db_session=db_session, case_id=world.marie.case_id, flag="disputed", value=True,
        actor="test", reason="test",
    )  # fmt: skip
    db_session.commit()
    sign_in(client, world.marie, smtp)
    url = f"/portal/cases/{world.marie.case_id}/plan"
    refused = client.post(
        url, data={"csrf": session_csrf(client), "action": "accept", "count": "3"}
    )
    assert refused.status_code == 409


def test_preferences_become_opt_outs_and_language(
    client: TestClient, world: World, smtp, db_session: Session
) -> None:
    sign_in(client, world.marie, smtp)
    saved = client.post(
        "/portal/preferences",
        data={"csrf": session_csrf(client), "channel": "email", "hours_from": "9",
              "hours_to": "18", "language": "es", "stop": ["sms", "call"]},
    )  # fmt: skip
    assert saved.status_code == 200 and "Preferencias guardadas" in saved.text
    stopped = {o.channel for o in db_session.scalars(select(OptOutEntry)).all()}
    assert stopped == {"sms", "call"}
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=world.marie.debtor_id)
    db_session.refresh(debtor)
    assert debtor.preferred_language == "es"
    bad = client.post(
        "/portal/preferences",
        data={"csrf": session_csrf(client), "hours_from": "20", "hours_to": "8"},
    )
    assert bad.status_code == 400 and 'id="hours-error"' in bad.text


def test_knowledge_answer_after_wrong_person_is_impossible(
    client: TestClient, world: World
) -> None:
    url = portal_service.link_for(case_id=world.marie.case_id, now=datetime.now(UTC))
    page = client.get(url.replace("http://127.0.0.1:8000", ""), follow_redirects=True)
    csrf = csrf_of(page.text)
    client.post("/portal/not-me", data={"csrf": csrf, "channel": "sms", "address": ""})
    after = answer(client, page.text, dob="17/05/1980", postal_code="69003")
    assert after.url.path == "/portal"


def test_budget_sizes_the_plan_and_is_not_stored(
    client: TestClient, world: World, smtp: Sink, db_session: Session
) -> None:
    sign_in(client, world.marie, smtp)
    url = f"/portal/cases/{world.marie.case_id}/plan"
    budget = {"earnings": "1800", "benefits": "200,50", "home": "900", "food": "400",
              "utilities": "150", "transport": "100,50", "other_costs": "350"}  # fmt: skip
    page = client.post(url, data={"csrf": session_csrf(client), "action": "budget", **budget})
    assert page.status_code == 200
    # 2000.50 in, 1900.50 out: 100.00 left, so 11 monthly payments on 1,080.00.
    assert "You have €100.00 left each month." in page.text
    assert "11 monthly payments of €98.18" in page.text
    broke = client.post(
        url, data={"csrf": session_csrf(client), "action": "budget", "earnings": "900",
                   "home": "900"},
    )  # fmt: skip
    assert broke.status_code == 400 and "breathing space" in broke.text
    bad = client.post(url, data={"csrf": session_csrf(client), "action": "budget", "food": "lots"})
    assert bad.status_code == 400 and 'id="food-error"' in bad.text
    audit = db_session.scalars(select(AuditEntry)).all()
    assert all("1800" not in str(e.detail) for e in audit)  # nothing of the budget kept
