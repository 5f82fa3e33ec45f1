"""Money records after the books' legal period: the purge anonymises an erased person's debts
and payments once their jurisdiction's accounting retention has run (FR 10 years, ES 6,
UK 6, US 7 from the end of the year of the last entry), with a dry run that changes nothing;
an open case keeps everything; the audit chain still verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.audit.models import AuditEntry
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Debt, Debtor
from concilia.privacy import service as privacy_service
from tests.privacy.world import CREDITOR, build


def test_books_go_anonymous_after_their_jurisdictions_period(
    db_session: Session, tmp_path: Path
) -> None:
    world = build(db_session, tmp_path)
    case = portfolio_service.get_case(db_session=db_session, case_id=world.case_id)
    portfolio_service.set_case_stage(db_session=db_session, case=case, stage="closed", actor="t")
    jeanne = db_session.get(Debtor, world.debtor_id)
    assert jeanne is not None
    jeanne.jurisdiction = "ES"  # 6 years under the Código de Comercio
    last_year = case.updated_at.year

    # Not erased yet: the books are never anonymised before the person is.
    early = privacy_service.purge(
        db_session=db_session, now=datetime(last_year + 8, 1, 1, tzinfo=UTC), dry_run=True
    )
    assert early["accounting records"] == {"debtors": 0}
    privacy_service.purge(db_session=db_session, now=case.updated_at + timedelta(days=6 * 365))
    assert jeanne.given_names == "[erased]" and jeanne.debtor_reference == "DEB-1"

    end = datetime(last_year + 6 + 1, 1, 1, tzinfo=UTC)
    before = privacy_service.purge(
        db_session=db_session, now=end - timedelta(seconds=1), dry_run=True
    )
    assert before["accounting records"] == {"debtors": 0}
    dry = privacy_service.purge(db_session=db_session, now=end, dry_run=True)
    assert dry["accounting records"] == {"debtors": 1}  # Jeanne; Paul's case is open
    assert jeanne.debtor_reference == "DEB-1"  # the dry run changed nothing

    privacy_service.purge(db_session=db_session, now=end)
    db_session.expire_all()
    jeanne = db_session.get(Debtor, world.debtor_id)
    assert jeanne is not None and jeanne.debtor_reference.startswith("anon-")
    debts = list(db_session.scalars(select(Debt).where(Debt.debtor_id == world.debtor_id)))
    assert [d.account_reference.startswith("anon-") for d in debts] == [True]
    assert debts[0].original_creditor is None
    assert debts[0].principal > 0  # the figures stay, anonymous
    # No reference the creditor knows leads to her any more.
    assert (
        portfolio_service.personal_data.find_subject(
            db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
        )
        is None
    )
    paul = db_session.get(Debtor, world.other_debtor_id)
    assert paul is not None and paul.debtor_reference == "DEB-2"
    [entry] = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "privacy.books_anonymised")
    )
    assert entry.object_id == str(world.debtor_id) and entry.detail["debts"] == 1
    again = privacy_service.purge(db_session=db_session, now=end, dry_run=True)
    assert again["accounting records"] == {"debtors": 0}
    assert audit_service.verify(db_session=db_session).ok


def test_each_jurisdiction_has_its_books_period() -> None:
    rule = portfolio_service.personal_data.books_rule
    assert (rule("FR").years, rule("ES").years, rule("UK").years, rule("US").years) == (
        10,
        6,
        6,
        7,
    )
    assert "L123-22" in rule("FR").ground and "art. 30" in rule("ES").ground
    assert rule("DE").years == 10  # unknown: the longest
