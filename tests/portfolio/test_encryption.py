"""Identifiers are encrypted at rest: raw table contents hold none of the plaintext."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from concilia.db import Base
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Debtor
from tests.portfolio.conftest import ImportFn, csv_of, row

PORTFOLIO_TABLES = [
    "creditors", "debtors", "debtor_addresses", "debtor_contacts", "debts", "cases",
    "payments", "payment_allocations", "promises_to_pay", "payment_plans", "instalments",
    "audit_entries",
]  # fmt: skip


def _raw_dump(db_session: Session) -> str:
    """Every cell of every portfolio table (and the audit log), read with plain SQL."""
    assert set(PORTFOLIO_TABLES) <= set(Base.metadata.tables)
    cells: list[str] = []
    for table in PORTFOLIO_TABLES:
        for record in db_session.execute(text(f"SELECT * FROM {table}")):
            cells.extend(str(value) for value in record)
    return "\n".join(cells).casefold()


def test_raw_tables_hold_no_plaintext_identifier(db_session: Session, do_import: ImportFn) -> None:
    do_import(
        csv_of(
            row(
                date_of_birth="1971-04-23",
                national_id="171047512345678",
                phones="06 11 22 33 44|+33 7 98 76 54 32",
                emails="Jean.Pierre@Example.org|jp71@example.net",
            )
        )
    )
    db_session.flush()
    dump = _raw_dump(db_session)
    secrets = [
        "1971-04-23", "19710423", "23/04/1971", "171047512345678",
        "+33611223344", "0611223344", "611223344", "+33798765432", "798765432",
        "jean.pierre@example.org", "jp71@example.net", "jp71",
    ]  # fmt: skip
    for secret in secrets:
        assert secret.casefold() not in dump, f"{secret} found in clear"
    assert "de la fontaine" in dump  # the scan does read the tables (names are not encrypted)

    # Yet an authorised reader gets them back, and exact look-ups work by blind index.
    debtor = db_session.scalar(select(Debtor))
    assert debtor is not None
    view = portfolio_service.reveal_debtor(debtor)
    assert view.date_of_birth is not None and view.date_of_birth.isoformat() == "1971-04-23"
    assert view.national_id == "171047512345678"
    assert view.phones == ["+33611223344", "+33798765432"]
    assert view.emails == ["Jean.Pierre@example.org", "jp71@example.net"]
    found = portfolio_service.find_debtors_by_contact(
        db_session=db_session, kind="email", value="jean.pierre@EXAMPLE.org"
    )
    assert [d.id for d in found] == [debtor.id]
    assert portfolio_service.find_debtors_by_contact(
        db_session=db_session, kind="phone", value="+33798765432"
    ) == [debtor]
    assert portfolio_service.find_debtors_by_national_id(
        db_session=db_session, national_id="171047512345678"
    ) == [debtor]
