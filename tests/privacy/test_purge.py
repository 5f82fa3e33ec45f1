"""The retention schedule: a dry run counts, a real pass deletes, redacts and erases closed
debtors through each domain, and the audit chain still verifies afterwards."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.portfolio import service as portfolio_service
from concilia.privacy import service as privacy_service
from tests.privacy.world import CREDITOR, NOW, build


def test_purge_applies_the_schedule_and_the_chain_verifies(
    db_session: Session, tmp_path: Path
) -> None:
    world = build(db_session, tmp_path)
    case = portfolio_service.get_case(db_session=db_session, case_id=world.case_id)
    portfolio_service.set_case_stage(db_session=db_session, case=case, stage="closed", actor="t")
    later = NOW + timedelta(days=6 * 365)

    dry = privacy_service.purge(db_session=db_session, now=later, dry_run=True)
    assert dry["portfolio"] == {"debtors": 1}  # Jeanne's case closed; Paul's is open
    assert dry["outreach"] == {"outreach_outbox": 1, "outreach_replies": 1}
    assert dry["signals"]["signals_events"] == 1
    assert dry["social items"]["profiles"] == 2
    # Nothing changed on a dry run.
    again = privacy_service.purge(db_session=db_session, now=later, dry_run=True)
    assert again == dry

    done = privacy_service.purge(db_session=db_session, now=later)
    assert done["social items"]["profiles"] == 2
    after = privacy_service.purge(db_session=db_session, now=later, dry_run=True)
    assert after["portfolio"] == {"debtors": 0}
    assert after["outreach"] == {"outreach_outbox": 0, "outreach_replies": 0}
    assert after["social items"]["profiles"] == 0
    subject = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    names = [
        i.data["given_names"]
        for i in privacy_service.collect(db_session=db_session, subject=subject)
        if i.table == "debtors"
    ]
    assert names == ["[erased]"]
    paul = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-2"
    )
    paul_names = [
        i.data["given_names"]
        for i in privacy_service.collect(db_session=db_session, subject=paul)
        if i.table == "debtors"
    ]
    assert paul_names == ["Paul"]
    assert audit_service.verify(db_session=db_session).ok
