"""The domains that answer for a data subject, in the order erasure must visit them.

Each is the domain's ``personal_data`` module, reached through its service. Dependants go
before what they point at: chat and messages before cases, evidence before candidates,
inferences and flags before the profiles they score, classifications before mentions, and
portfolio's debtor row (pseudonymised, never deleted) last but for the audit log and staff.
"""

from __future__ import annotations

from concilia.audit import service as audit_service
from concilia.auth import service as auth_service
from concilia.authenticity import service as authenticity_service
from concilia.certification import service as certification_service
from concilia.outreach import service as outreach_service
from concilia.portal import service as portal_service
from concilia.portfolio import service as portfolio_service
from concilia.privacy.contract import PersonalDataModule
from concilia.privacy.models import PRIVACY_TABLES
from concilia.reputation import service as reputation_service
from concilia.signals import service as signals_service
from concilia.sources import service as sources_service
from concilia.strategy import service as strategy_service
from concilia.tracing import service as tracing_service
from concilia.tracing.whereabouts import service as whereabouts_service
from concilia.training import service as training_service

HANDLERS: tuple[tuple[str, PersonalDataModule], ...] = (
    ("strategy", strategy_service.personal_data),
    ("portal", portal_service.personal_data),
    ("outreach", outreach_service.personal_data),
    ("signals", signals_service.personal_data),
    ("reputation", reputation_service.personal_data),
    ("tracing.whereabouts", whereabouts_service.personal_data),
    ("authenticity", authenticity_service.personal_data),
    ("tracing", tracing_service.personal_data),
    ("sources", sources_service.personal_data),
    ("portfolio", portfolio_service.personal_data),
    ("audit", audit_service.personal_data),
    ("auth", auth_service.personal_data),
    ("training", training_service.personal_data),
    ("certification", certification_service.personal_data),
)


def declared_tables() -> dict[str, tuple[str, str, str]]:
    """Every table a domain declares, with (domain, what erasure keeps, legal ground);
    privacy's own tables included."""
    out: dict[str, tuple[str, str, str]] = {
        table: ("privacy", keeps, ground) for table, (keeps, ground) in PRIVACY_TABLES.items()
    }
    for domain, module in HANDLERS:
        for table, (keeps, ground) in module.PERSONAL_DATA.items():
            out[table] = (domain, keeps, ground)
    return out
