"""The retention schedule: for every kind of personal data, how long and why, and the purge.

One place decides; each domain deletes or redacts its own rows through its service
(``personal_data.purge_before``), and portfolio's closed debtors go through the same
erasure as an art. 17 request. The audit log is kept whole (append-only, chained): it holds
no personal data of a debtor, which is what makes keeping it lawful.
"""

from __future__ import annotations

from dataclasses import dataclass

YEAR = 365


@dataclass(frozen=True)
class Rule:
    """One line of the schedule."""

    kind: str
    tables: tuple[str, ...]
    days: int | None  # None: per item (sources) or kept (audit)
    after: str
    ground: str
    action: str


SCHEDULE: tuple[Rule, ...] = (
    Rule(
        "portfolio",
        (
            "debtors",
            "debtor_addresses",
            "debtor_contacts",
            "debts",
            "cases",
            "payments",
            "payment_allocations",
            "promises_to_pay",
            "payment_plans",
            "instalments",
        ),
        5 * YEAR,
        "the last case of the debtor is closed or paid",
        "limitation period of the claim (FR Code civil art. 2224: 5 years; ES Código Civil "
        "art. 1964: 5 years)",
        "the person is erased as for an art. 17 request (money records stay pseudonymised)",
    ),
    Rule(
        "accounting records",
        ("debtors", "debts", "payments", "payment_allocations", "cases"),
        None,
        "the end of the year of the last entry (payment, case or debt change), once the "
        "person is erased and every case closed or paid: FR 10 years, ES 6, UK 6, US 7",
        "the books' legal period (FR Code de commerce L123-22: 10 years; ES Código de "
        "Comercio art. 30: 6 years; UK Companies Act 2006 s.388 and HMRC: 6 years; US: 7 "
        "years, common practice); after it nothing justifies a link to the person",
        "anonymised: debtor and account references replaced by random ones, original creditor "
        "and payment references removed; amounts and dates stay as anonymous figures",
    ),
    Rule(
        "outreach",
        ("outreach_outbox", "outreach_replies"),
        3 * YEAR,
        "the message was created or the reply received",
        "proof of compliant contact for complaints (3 years: CNIL référentiel recouvrement)",
        "bodies, reply texts and addresses redacted; the trace of the contact stays",
    ),
    Rule(
        "calls and contacts",
        ("outreach_contact_log",),
        None,
        "kept as long as the case's money records (it holds no content)",
        "frequency rules are proved from it (art. 17(3)(e))",
        "kept; goes when the debt's records go",
    ),
    Rule(
        "tracing",
        ("tracing_candidates", "tracing_evidence", "whereabouts_inferences"),
        180,
        "a proposed, rejected or declined suggestion was last updated",
        "minimisation: an unused inference has no purpose left (accepted ones live with the "
        "case and go with the person)",
        "deleted",
    ),
    Rule(
        "signals",
        ("signals_events", "signals_assessments"),
        YEAR,
        "the event was read",
        "an ability-to-pay reading older than a year no longer describes the person",
        "deleted",
    ),
    Rule(
        "social items",
        (
            "source_profiles",
            "source_profile_contacts",
            "source_posts",
            "source_friend_edges",
            "source_mentions",
        ),
        None,
        "capture (per source declaration: profiles 180 days, posts and friends 90, mentions 365 "
        "by default)",
        "each source's declared retention (sources.retention_days)",
        "deleted",
    ),
    Rule(
        "chat",
        ("portal_chat_messages",),
        3 * YEAR,
        "the message was written",
        "as the other messages of the case",
        "text erased; time and verdict stay",
    ),
    Rule(
        "who looked",
        ("privacy_reads",),
        YEAR,
        "the read",
        "access logs: CNIL recommends 6 months to 1 year",
        "deleted",
    ),
    Rule(
        "staff",
        (
            "users",
            "user_teams",
            "api_tokens",
            "web_sessions",
            "login_attempts",
            "training_quiz_attempts",
            "certification_certificates",
            "certification_policy_acknowledgements",
        ),
        None,
        "kept while the staff account exists (the audit log names its actions)",
        "employment, security of processing (art. 32) and proof of training (art. 39(1)(b))",
        "kept; the account is deactivated, not erased",
    ),
    Rule(
        "audit",
        ("audit_entries",),
        None,
        "never purged",
        "art. 5(2) accountability; append-only and hash-chained, it holds no debtor's personal "
        "data",
        "kept",
    ),
)
# A table on two lines (the portfolio's identity, then its books) is described by the first.
_BY_TABLE: dict[str, Rule] = {}
for _rule in SCHEDULE:
    for _table in _rule.tables:
        _BY_TABLE.setdefault(_table, _rule)


def rule_for(table: str) -> Rule | None:
    """The schedule's line for a table, if it has one."""
    return _BY_TABLE.get(table)


def days_for(kind: str) -> int:
    """How many days the schedule keeps one kind of data (KeyError for a kind without)."""
    rule = next(r for r in SCHEDULE if r.kind == kind)
    if rule.days is None:
        raise KeyError(f"{kind}: kept per item or for ever, not for a number of days")
    return rule.days


def describe(table: str) -> str:
    """The retention of a table in words."""
    rule = _BY_TABLE.get(table)
    if rule is None:
        return "kept with the case; erased with the person (request or retention)"
    if rule.days is None:
        return f"{rule.after}: {rule.action}"
    return f"{rule.days} days after {rule.after}: {rule.action}"
