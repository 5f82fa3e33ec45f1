"""Service functions other domains use: flags, scoped reads, bulk debtor export for tracing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.errors import InvalidInput, NotFound
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Case, Debt
from tests.conftest import recorded_statements
from tests.portfolio.conftest import ImportFn, csv_of, row


def test_set_case_flag_is_audited_and_idempotent(db_session: Session, do_import: ImportFn) -> None:
    do_import(csv_of(row()))
    case = db_session.scalar(select(Case))
    assert case is not None
    _, before = audit_service.list_entries(db_session=db_session, object_type="case")
    portfolio_service.set_case_flag(
        db_session=db_session,
        case_id=case.id,
        flag="vulnerability_possible",
        value=True,
        actor="signals",
        reason="post suggests hardship",
    )
    portfolio_service.set_case_flag(
        db_session=db_session,
        case_id=case.id,
        flag="vulnerability_possible",
        value=True,
        actor="signals",
        reason="again",
    )
    assert case.vulnerability_possible
    entries, after = audit_service.list_entries(db_session=db_session, object_type="case")
    assert after == before + 1  # the second call changed nothing and wrote nothing
    assert entries[0].detail == {"flag": "vulnerability_possible", "value": True}
    with pytest.raises(InvalidInput):
        portfolio_service.set_case_flag(
            db_session=db_session, case_id=case.id, flag="rich", value=True, actor="x", reason="y"
        )
    with pytest.raises(NotFound):
        portfolio_service.get_case(db_session=db_session, case_id=case.id + 1000)


def test_set_debtor_flag_reaches_every_case_of_the_debtor(
    db_session: Session, do_import: ImportFn
) -> None:
    other = row(account_reference="ACC-3", debtor_reference="OTHER")
    do_import(csv_of(row(), row(account_reference="ACC-2"), other))
    debt = db_session.scalar(select(Debt).where(Debt.account_reference == "ACC-1"))
    assert debt is not None
    cases = portfolio_service.set_debtor_flag(
        db_session=db_session,
        debtor_id=debt.debtor_id,
        flag="deceased",
        value=True,
        actor="test",
        reason="death certificate received",
    )
    assert len(cases) == 2
    query = select(Debt.account_reference, Case.deceased).join(Case, Case.debt_id == Debt.id)
    flags = {ref: deceased for ref, deceased in db_session.execute(query)}
    assert flags == {"ACC-1": True, "ACC-2": True, "ACC-3": False}


def test_scoped_reads_hide_other_teams(
    db_session: Session, do_import: ImportFn, make_user: Any
) -> None:
    do_import(csv_of(row()), team_name="north")
    do_import(csv_of(row(account_reference="S-1", debtor_reference="S")), team_name="south")
    north_user, _ = make_user("nico", "agent", ["north"])
    overseer, _ = make_user("olive", "compliance_officer", [])
    north = auth_service.principal_for(north_user, "token")
    everyone = auth_service.principal_for(overseer, "token")
    cases, total = portfolio_service.list_cases(db_session=db_session, principal=north)
    assert total == 1 and cases[0].debt.account_reference == "ACC-1"
    assert portfolio_service.list_cases(db_session=db_session, principal=everyone)[1] == 2
    south_debt = db_session.scalar(select(Debt).where(Debt.account_reference == "S-1"))
    assert south_debt is not None
    south_case = db_session.scalar(select(Case).where(Case.debt_id == south_debt.id))
    assert south_case is not None
    with pytest.raises(NotFound):
        portfolio_service.get_case_for_principal(
            db_session=db_session, principal=north, case_id=south_case.id
        )
    with pytest.raises(NotFound):
        portfolio_service.get_debtor_for_principal(
            db_session=db_session, principal=north, debtor_id=south_debt.debtor_id
        )
    with pytest.raises(NotFound):
        portfolio_service.get_debt_for_principal(
            db_session=db_session, principal=north, debt_id=south_debt.id
        )
    assert (
        portfolio_service.get_case_for_principal(
            db_session=db_session, principal=everyone, case_id=south_case.id
        )
        is south_case
    )


def test_debtors_for_tracing_are_plain_dicts_with_decrypted_contacts(
    db_session: Session, do_import: ImportFn
) -> None:
    do_import(
        csv_of(
            row(),
            row(account_reference="A2", debtor_reference="D2", given_names="Lucía",
                family_names="Fernández Ruiz", jurisdiction="ES", country="ES", city="Bilbao",
                phones="612 345 678", emails="", date_of_birth="", employer="",
                previous_city="Madrid", previous_country="ES",
                previous_address_until="2020-01-31"),
        ),
        creditor_name="Tracing Test",
    )  # fmt: skip
    creditor = portfolio_service.get_creditor_by_name(db_session=db_session, name="Tracing Test")
    assert creditor is not None
    records = list(
        portfolio_service.iter_debtors_for_tracing(
            db_session=db_session, creditor_id=creditor.id, batch_size=1
        )
    )
    assert [r["debtor_reference"] for r in records] == ["DEB-1", "D2"]
    jp, lucia = records
    assert (jp["birth_day"], jp["birth_month"], jp["birth_year"]) == (23, 4, 1971)
    assert jp["phones"] == ["+33611223344"] and jp["emails"] == ["jp.delafontaine@example.org"]
    assert (jp["city"], jp["country"], jp["employer"]) == ("Lyon", "FR", "Clinique du Parc")
    assert lucia["family_names"] == "Fernández Ruiz" and lucia["date_of_birth"] is None
    assert lucia["previous_cities"] == ["Madrid"] and lucia["phones"] == ["+34612345678"]
    other = list(portfolio_service.iter_debtors_for_tracing(db_session=db_session, creditor_id=-1))
    assert other == []


def test_cases_with_parties_come_in_a_few_statements_for_a_whole_batch(
    db_session: Session, do_import: ImportFn
) -> None:
    do_import(
        csv_of(*(row(account_reference=f"A-{n}", debtor_reference=f"D-{n}") for n in range(6)))
    )
    ids = list(db_session.scalars(select(Case.id).order_by(Case.id)))
    db_session.expire_all()
    with recorded_statements(db_session.get_bind()) as statements:
        found = portfolio_service.get_cases_with_parties(
            db_session=db_session, case_ids=[*ids, ids[0], 10**9]
        )
        emails = {case_id: debtor.contacts[0].kind for case_id, (_, debtor, _) in found.items()}
    assert sorted(found) == ids  # the unknown id left out, the repeated one once
    for case_id, (case, debtor, creditor) in found.items():
        assert case.id == case_id and case.debt.debtor_id == debtor.id
        assert creditor.id == debtor.creditor_id
    assert set(emails.values()) <= {"email", "phone"}
    # Cases with debts, debtors, their addresses, their contacts, creditors: not 4 per case.
    assert len(statements) <= 5
    assert portfolio_service.get_cases_with_parties(db_session=db_session, case_ids=[]) == {}
