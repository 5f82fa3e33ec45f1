"""Every table holding personal data is answered for: declared by a domain with what erasure
keeps and why, and reached by that domain's export and erasure."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Table
from sqlalchemy.orm import Session

from concilia.db import Base
from concilia.domains import load_all_models
from concilia.privacy import service as privacy_service
from concilia.privacy.handlers import HANDLERS
from tests.privacy.world import build

# The tables a person is keyed in: a row pointing at one of them (directly or through a
# chain of foreign keys) is about that person.
ROOTS = {"debtors", "source_profiles", "source_mentions", "users", "cases"}
# Plain-id columns that name a person without a foreign key (kept loose on purpose).
ID_COLUMNS = {"debtor_id", "debtor_key", "profile_id", "profile_key", "case_id", "user_id"}


def _personal(table: Table, personal: set[str]) -> bool:
    if table.name in ROOTS:
        return True
    for column in table.columns:
        if column.name.endswith("_encrypted") or column.name in ID_COLUMNS:
            return True
        if any(fk.column.table.name in personal for fk in column.foreign_keys):
            return True
    return False


def personal_tables() -> set[str]:
    """Tables with personal data per the rule above, to a fixed point over foreign keys."""
    load_all_models()
    found: set[str] = set()
    while True:
        more = {
            t.name
            for t in Base.metadata.sorted_tables
            if t.name not in found and _personal(t, found)
        }
        if not more:
            return found
        found |= more


def test_the_discovery_finds_what_it_should() -> None:
    found = personal_tables()
    # Spot checks in both directions, so the rule itself cannot silently match nothing.
    assert {
        "debtors",
        "debtor_contacts",
        "instalments",
        "outreach_replies",
        "tracing_evidence",
    } <= found
    assert "sources" not in found and "reputation_spike_alerts" not in found


def test_every_personal_table_is_declared_with_what_erasure_keeps() -> None:
    declared = privacy_service.declared_tables()
    missing = sorted(personal_tables() - set(declared))
    assert missing == [], f"tables with personal data nobody answers for: {missing}"
    for table, (domain, keeps, ground) in declared.items():
        assert keeps and ground, f"{domain}.{table}: say what erasure keeps and why"


def test_declared_tables_exist() -> None:
    names = {t.name for t in Base.metadata.sorted_tables}
    assert sorted(set(privacy_service.declared_tables()) - names) == []


def test_each_domain_exports_and_erases_its_declared_tables(
    db_session: Session, tmp_path: Path
) -> None:
    world = build(db_session, tmp_path)
    subject = privacy_service.resolve(
        db_session=db_session, creditor="Acme Bank", debtor_reference="DEB-1"
    )
    assert subject.debtor_id == world.debtor_id and subject.profile_ids == (world.profile_id,)
    items = privacy_service.collect(db_session=db_session, subject=subject)
    exported = {i.table for i in items}
    # Every table the world put Jeanne in shows up in her export, with its provenance.
    assert {
        "debtors", "debtor_addresses", "debtor_contacts", "debts", "cases", "source_profiles",
        "source_posts", "source_mentions", "tracing_candidates", "tracing_evidence",
        "whereabouts_inferences", "authenticity_flags", "signals_events", "signals_assessments",
        "outreach_outbox", "outreach_contact_log", "outreach_replies", "outreach_opt_outs",
        "outreach_identity_checks", "portal_chat_messages", "portal_disputes",
        "reputation_classifications", "audit_entries",
    } <= exported  # fmt: skip
    assert all(i.provenance and i.purposes and i.legal_basis and i.retention for i in items)
    declared = privacy_service.declared_tables()
    assert exported <= set(declared)
    for domain, module in HANDLERS:
        for table in module.PERSONAL_DATA:
            assert declared[table][0] == domain
