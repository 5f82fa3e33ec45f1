"""The art. 30 record of processing, generated from what Concilia knows: the declared
sources (purposes, retention), the purposes and their legal bases, the retention schedule
and the tables each domain answers for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.privacy.handlers import declared_tables
from concilia.privacy.retention import SCHEDULE
from concilia.privacy.settings import get_privacy_settings
from concilia.sources import service as sources_service
from concilia.web.templating import get_templates


@dataclass(frozen=True)
class Purpose:
    """One purpose of processing, with its legal basis and the data it uses."""

    name: str
    description: str
    legal_basis: str
    balancing_test: bool
    categories: str
    subjects: str


PURPOSES: tuple[Purpose, ...] = (
    Purpose(
        "debt_recovery",
        "Recovering debts placed by creditors: contact, negotiation, plans, payments",
        "art. 6(1)(f) GDPR (the creditor's and agency's interest in recovering the debt)",
        True,
        "identity, contact points, addresses, debts and payments, messages and calls",
        "debtors",
    ),
    Purpose(
        "locating",
        "Finding a debtor who moved, from public profiles an agent accepts",
        "art. 6(1)(f) GDPR",
        True,
        "public profiles (name, city, employer, handle), friend counts in aggregate, inferences",
        "debtors; people whose public profile resembles a debtor's (candidates)",
    ),
    Purpose(
        "credit_assessment",
        "Suggesting an affordable approach from life events in public posts",
        "art. 6(1)(f) GDPR; special categories never stored (art. 9)",
        True,
        "public posts (read, not copied), life-event flags, ability-to-pay bands",
        "debtors",
    ),
    Purpose(
        "self_service",
        "The debtor portal: seeing the debt, disputes, plans, payments, chat",
        "art. 6(1)(b) and (f) GDPR",
        False,
        "sessions, preferences, dispute statements and documents, chat messages",
        "debtors",
    ),
    Purpose(
        "reputation_monitoring",
        "What people say publicly about the agency",
        "art. 6(1)(f) GDPR",
        True,
        "public mentions of the agency",
        "authors of public mentions",
    ),
    Purpose(
        "accountability",
        "Audit log, data-subject requests, access log, staff training records",
        "art. 6(1)(c) GDPR with art. 5(2), 30 and 32",
        False,
        "ids, actions, digests; staff accounts",
        "debtors (by id), staff",
    ),
)


def build(*, db_session: Session) -> dict[str, Any]:
    """The register's content as data (what the HTML shows)."""
    settings = get_privacy_settings()
    sources = [
        {
            "name": s.name,
            "kind": s.kind,
            "platform": s.platform,
            "purposes": list(s.allowed_purposes or []),
            "retention_days": dict(s.retention_days or {}),
            "terms_url": s.terms_url,
            "active": s.active,
        }
        for s in sources_service.list_sources(db_session=db_session)
    ]
    return {
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "controller": {
            "name": settings.controller_name,
            "address": settings.controller_address,
            "dpo": settings.dpo_contact,
        },
        "balancing_test_ref": settings.balancing_test_ref,
        "purposes": [p.__dict__ for p in PURPOSES],
        "sources": sources,
        "retention": [
            {
                "kind": r.kind,
                "tables": list(r.tables),
                "days": r.days,
                "after": r.after,
                "ground": r.ground,
                "action": r.action,
            }
            for r in SCHEDULE
        ],
        "tables": [
            {"table": t, "domain": d, "keeps": k, "ground": g}
            for t, (d, k, g) in sorted(declared_tables().items())
        ],
    }


def render_html(*, db_session: Session) -> str:
    """The register as a standalone HTML page."""
    template = get_templates().get_template("privacy/register.html")
    return template.render(register=build(db_session=db_session))
