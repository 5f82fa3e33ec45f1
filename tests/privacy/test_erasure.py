"""After erasure the database holds no trace of the person (the raw SQLite file after a
checkpoint; every table's content on PostgreSQL) and the audit chain still verifies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from concilia.audit import service as audit_service
from concilia.db import Base
from concilia.errors import InvalidInput
from concilia.outreach import context as outreach_context
from concilia.outreach.models import ContactLog, InboundReply, OptOutEntry, OutboxMessage
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.models import Debtor
from concilia.privacy import service as privacy_service
from concilia.signals.models import SignalAssessment, SignalEvent
from concilia.tracing.models import Evidence, MatchCandidate, TraceRun
from concilia.tracing.whereabouts.models import WhereaboutsInference
from tests.conftest import BACKENDS, drop_test_engine, make_test_engine
from tests.privacy.world import CONTROL, CREDITOR, ENCRYPTED_ONLY, NEEDLES, NOW, build


@pytest.fixture(params=BACKENDS)
def own_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own: the scan reads files and must see committed data only."""
    engine, schema = make_test_engine(request.param, tmp_path)
    yield engine
    drop_test_engine(engine, schema)


def _raw_sqlite(engine: Engine) -> bytes:
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database = engine.url.database
    assert database
    return b"".join(
        Path(f"{database}{suffix}").read_bytes()
        for suffix in ("", "-wal")
        if Path(f"{database}{suffix}").exists()
    )


def _table_contents(engine: Engine) -> bytes:
    with engine.connect() as conn:
        rows = [
            " ".join(str(v) for v in row)
            for table in Base.metadata.sorted_tables
            for row in conn.execute(select(table))
        ]
    return "\n".join(rows).encode()


def _scan(engine: Engine) -> bytes:
    return _raw_sqlite(engine) if engine.dialect.name == "sqlite" else _table_contents(engine)


def test_erasure_leaves_no_trace_and_the_chain_verifies(own_engine: Engine, tmp_path: Path) -> None:
    factory = sessionmaker(bind=own_engine, expire_on_commit=False)
    with factory() as db_session:
        build(db_session, tmp_path)
        db_session.commit()
    before = _scan(own_engine)
    # The scan sees clear text: every needle is there before erasure.
    assert [n for n in NEEDLES if n.encode() not in before and n not in ENCRYPTED_ONLY] == []

    with factory() as db_session:
        subject = privacy_service.resolve(
            db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
        )
        request, outcomes = privacy_service.erase(
            db_session=db_session, subject=subject, actor="dpo", reason="letter of 2 Dec"
        )
        db_session.commit()
    assert request.status == "done"
    by_table = {o.table: o for o in outcomes}
    assert by_table["debtors"].action == "pseudonymised"
    assert by_table["source_profiles"].rows == 1 and by_table["source_posts"].rows == 1
    assert all(o.keeps and o.legal_ground for o in outcomes)

    after = _scan(own_engine)
    assert [n for n in NEEDLES if n.encode() in after] == []
    assert [c for c in CONTROL if c.encode() not in after] == []  # Paul is untouched
    with factory() as db_session:
        result = audit_service.verify(db_session=db_session)
        assert result.ok, result.reason
        # The money records stay, pseudonymised: the debt can still be accounted for.
        again = privacy_service.resolve(
            db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
        )
        assert again.case_ids == subject.case_ids and again.profile_ids == ()


def test_objection_purges_social_data_and_keeps_the_debt(
    db_session: Session, tmp_path: Path
) -> None:
    world = build(db_session, tmp_path)
    subject = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    _, outcomes = privacy_service.object_to_social(
        db_session=db_session, subject=subject, actor="dpo", reason="objects to profiling"
    )
    tables = {o.table for o in outcomes if o.rows}
    assert {"source_profiles", "tracing_candidates", "signals_events"} <= tables
    assert "debtors" not in tables and "debtor_contacts" not in tables
    again = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    assert again.profile_ids == ()
    items = privacy_service.collect(db_session=db_session, subject=again)
    kinds = {i.table for i in items}
    assert "debtor_contacts" in kinds and "source_posts" not in kinds
    assert db_session.execute(text("SELECT 1")).scalar() == 1
    assert world.debtor_id == again.debtor_id


def test_erasure_drops_blind_indexes_and_derived_data(db_session: Session, tmp_path: Path) -> None:
    build(db_session, tmp_path)
    email = "jeanne.dupontel@example.org"
    assert portfolio_service.find_debtors_by_contact(
        db_session=db_session, kind="email", value=email
    )
    subject = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    privacy_service.erase(db_session=db_session, subject=subject, actor="dpo", reason="letter")
    # Nothing can find her by contact point or birth date any more...
    assert (
        portfolio_service.find_debtors_by_contact(db_session=db_session, kind="email", value=email)
        == []
    )
    index = outreach_context.address_index(email)
    for column in (OutboxMessage.to_index, InboundReply.sender_index, OptOutEntry.address_index):
        assert db_session.scalar(select(func.count()).where(column == index)) == 0
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(Debtor)
            .where(Debtor.dob_index.is_not(None), Debtor.id == subject.debtor_id)
        )
        == 0
    )
    # ...and nothing derived about her is left.
    for model in (MatchCandidate, Evidence, WhereaboutsInference, SignalEvent, SignalAssessment):
        assert db_session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    # Her contact history stays, without content: a complaint can still be answered.
    assert db_session.scalar(select(func.count()).select_from(ContactLog)) == 1


def test_restriction_stops_contact_on_every_case(db_session: Session, tmp_path: Path) -> None:
    world = build(db_session, tmp_path)
    subject = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    request = privacy_service.restrict(
        db_session=db_session, subject=subject, actor="dpo", reason="accuracy contested"
    )
    assert request.kind == "restriction" and request.outcome == {"cases_restricted": 1}
    assert portfolio_service.get_case(db_session=db_session, case_id=world.case_id).cease_contact
    with pytest.raises(InvalidInput):
        privacy_service.restrict(db_session=db_session, subject=subject, actor="dpo", reason=" ")


def test_an_objection_stays_in_force_when_tracing_proposes_again(
    db_session: Session, tmp_path: Path
) -> None:
    world = build(db_session, tmp_path)
    subject = privacy_service.resolve(
        db_session=db_session, creditor=CREDITOR, debtor_reference="DEB-1"
    )
    privacy_service.object_to_social(
        db_session=db_session, subject=subject, actor="dpo", reason="objects"
    )
    assert privacy_service.purge(db_session=db_session, dry_run=True)["objections"] == {"people": 0}
    # A later run proposes a profile for her again.
    run_id = db_session.scalar(select(func.min(TraceRun.id)))
    assert run_id is not None
    db_session.add(
        MatchCandidate(
            portfolio=CREDITOR, debtor_key=str(world.debtor_id), profile_key="999",
            network="social", run_id=run_id, match_weight=5.0, final_weight=5.0,
            probability=0.9, explanation_data=[], profile_snapshot={}, status="proposed",
            debtor_fingerprint="d", profile_fingerprint="p", created_at=NOW, updated_at=NOW,
        )
    )  # fmt: skip
    db_session.flush()
    assert privacy_service.purge(db_session=db_session, dry_run=True)["objections"] == {"people": 1}
    privacy_service.purge(db_session=db_session)
    assert db_session.scalar(select(func.count()).select_from(MatchCandidate)) == 0
    assert audit_service.verify(db_session=db_session).ok
