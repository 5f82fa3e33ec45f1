"""What a verified debtor does with their own cases: see the debt, dispute it, agree a
plan, set contact preferences; plus the wrong-person report and the /verify look-up.

Every case read goes through :func:`get_case_for_debtor`: another debtor's case is NotFound,
exactly as if it did not exist.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.errors import Conflict, InputProblem, InvalidInput, NotFound, TooManyRequests
from concilia.outreach import service as outreach_service
from concilia.portal import security
from concilia.portal.entry import ANONYMOUS, debtor_actor
from concilia.portal.i18n import LANGS, translate
from concilia.portal.models import (
    ContactPreference,
    PortalAttempt,
    PortalDispute,
    PortalDocument,
    WrongPersonReport,
)
from concilia.portal.settings import get_portal_settings
from concilia.portfolio import service as portfolio_service
from concilia.portfolio.money import Money
from concilia.signals import service as signals_service
from concilia.tracing import service as tracing_service

DISPUTE_REASONS = ("not_mine", "already_paid", "wrong_amount", "other")
STATEMENT_MAX = 4000
STATEMENT_CONTEXT = "portal.dispute_statement"
DOCUMENT_CONTEXT = "portal.dispute_document"
# (magic bytes, media type, extension): the bytes decide, never the name or the browser.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
PREFERENCE_CHANNELS = ("email", "sms", "call", "letter", "social_dm")
# Until creditors carry their own policy (portfolio), the portal's defaults.
PLAN_COUNTS = (3, 6, 12)
PLAN_MAX_MONTHS = 24
PLAN_MIN_INSTALMENT = Decimal("10")
PLAN_FIRST_DUE_DAYS = 7
# The UK Standard Financial Statement's headings, monthly; what is typed is used for the
# calculation only and never stored (minimisation).
BUDGET_INCOME = ("earnings", "benefits", "pensions", "other_income")
BUDGET_OUTGOINGS = (
    "home",
    "utilities",
    "care_health",
    "transport",
    "school",
    "insurance",
    "communications",
    "food",
    "personal",
    "other_costs",
)


@dataclass(frozen=True)
class PaymentLine:
    received_on: date
    amount: Money
    allocations: list[tuple[str, Money]]
    unapplied: Money


@dataclass(frozen=True)
class InstalmentLine:
    seq: int
    due_on: date
    amount: Money
    status: str


@dataclass(frozen=True)
class DebtView:
    """Everything a verified debtor may see about one case."""

    case_id: int
    jurisdiction: str
    creditor: str
    original_creditor: str | None
    account_reference: str
    currency: str
    stated: dict[str, Money]
    balance: dict[str, Money]
    payments: list[PaymentLine]
    plan: list[InstalmentLine] | None
    charge_off_date: date | None
    disputed: bool
    paused: bool
    since_itemization: dict[str, Money] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanOption:
    count: int
    instalment: Money
    total: Money


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclass(frozen=True)
class VerifyResult:
    sent: bool
    sent_at: datetime | None = None
    channel: str | None = None


# Cases of a debtor ----------------------------------------------------------------------------


def list_cases_for_debtor(*, db_session: Session, debtor_id: int) -> list[Any]:
    """The debtor's own cases (portfolio's), oldest first."""
    cases = []
    for debt in portfolio_service.list_debts_of_debtor(db_session=db_session, debtor_id=debtor_id):
        try:
            cases.append(
                portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id)
            )
        except NotFound:
            continue
    return cases


def get_case_for_debtor(*, db_session: Session, debtor_id: int, case_id: int) -> Any:
    """The case (portfolio's) if it is this debtor's; NotFound otherwise, as if absent."""
    try:
        case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    except NotFound:
        case = None
    if case is None or case.debt.debtor_id != debtor_id:
        raise NotFound(f"case {case_id} not found")
    return case


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount, currency)


def view_debt(*, db_session: Session, debtor_id: int, case_id: int) -> DebtView:
    """The debt of one of the debtor's cases, with payments, their allocation and the plan."""
    case = get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    debt = case.debt
    cur = debt.currency
    creditor = portfolio_service.get_creditor(db_session=db_session, creditor_id=debt.creditor_id)
    balance = portfolio_service.balance_of(debt)
    payments = []
    paid = {"principal": Money.zero(cur), "interest": Money.zero(cur), "fees": Money.zero(cur)}
    for p in portfolio_service.list_payments(db_session=db_session, debt_id=debt.id):
        parts = [(a.component, _money(a.amount, cur)) for a in p.allocations]
        for component, amount in parts:
            paid[component] = paid[component] + amount
        payments.append(
            PaymentLine(p.received_on, _money(p.amount, cur), parts, _money(p.unapplied, cur))
        )
    stated = {
        "principal": _money(debt.principal, cur),
        "interest": _money(debt.interest, cur),
        "fees": _money(debt.fees, cur),
    }
    stated["total"] = stated["principal"] + stated["interest"] + stated["fees"]
    now = {
        "principal": balance.principal,
        "interest": balance.interest,
        "fees": balance.fees,
        "total": balance.total,
    }
    # Reg F's itemization: what was added and paid since the itemization date, so the
    # amounts as placed plus these lines give the amount owed now.
    since = {
        "interest": balance.interest + paid["interest"] - stated["interest"],
        "fees": balance.fees + paid["fees"] - stated["fees"],
        "payments": paid["principal"] + paid["interest"] + paid["fees"],
    }
    plans = portfolio_service.list_plans(db_session=db_session, debt_id=debt.id)
    active = next((p for p in plans if p.status == "active"), None)
    schedule = (
        [
            InstalmentLine(i.seq, i.due_on, _money(i.amount, cur), i.status)
            for i in active.instalments
        ]
        if active is not None
        else None
    )
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debtor_id)
    return DebtView(
        case_id=case.id,
        jurisdiction=debtor.jurisdiction,
        creditor=creditor.name,
        original_creditor=debt.original_creditor,
        account_reference=debt.account_reference,
        currency=cur,
        stated=stated,
        balance=now,
        payments=payments,
        plan=schedule,
        charge_off_date=debt.charge_off_date,
        disputed=case.disputed,
        paused=case.disputed or case.cease_contact or case.deceased or case.bankrupt,
        since_itemization=since,
    )


# Disputes ------------------------------------------------------------------------------------


def sniff(content: bytes) -> tuple[str, str] | None:
    """(media type, extension) from the first bytes, or None for anything else."""
    for magic, media_type, ext in SIGNATURES:
        if content.startswith(magic):
            return media_type, ext
    return None


def _safe_name(filename: str, ext: str, index: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = stem.rsplit(".", 1)[0].strip("._")[:80] or f"document-{index}"
    return f"{stem}.{ext}"


def check_documents(uploads: list[Upload], lang: str) -> list[InputProblem]:
    """Every problem with the files: count, size, type (sniffed from the content)."""
    settings = get_portal_settings()
    mb = settings.upload_max_bytes // (1024 * 1024)
    problems = []
    if len(uploads) > settings.upload_max_files:
        reason = translate("document_count", lang, count=settings.upload_max_files)
        problems.append(InputProblem("(form)", 0, "documents", reason))
    for i, up in enumerate(uploads, start=1):
        if len(up.content) > settings.upload_max_bytes:
            reason = translate("document_size", lang, name=up.filename, mb=mb)
            problems.append(InputProblem(up.filename, i, "documents", reason))
        elif sniff(up.content) is None:
            reason = translate("document_type", lang, name=up.filename)
            problems.append(InputProblem(up.filename, i, "documents", reason))
    return problems


def open_dispute(
    *,
    db_session: Session,
    debtor_id: int,
    case_id: int,
    reason: str,
    statement: str,
    uploads: list[Upload],
    lang: str,
    now: datetime,
) -> PortalDispute:
    """Record a dispute with its documents, pause collection (the case's disputed flag, which
    outreach's rules honour) and tell the team (audited). InvalidInput lists every problem."""
    case = get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    problems = []
    if reason not in DISPUTE_REASONS:
        problems.append(InputProblem("(form)", 0, "reason", translate("reason_required", lang)))
    if len(statement) > STATEMENT_MAX:
        problems.append(
            InputProblem("(form)", 0, "statement", translate("statement_too_long", lang))
        )
    problems += check_documents(uploads, lang)
    if problems:
        raise InvalidInput(problems=problems)
    actor = debtor_actor(debtor_id)
    # A statement revealing a special category is not kept (the case is flagged instead).
    kept = statement.strip()
    if kept:
        kept = signals_service.screen_debtor_text(
            db_session=db_session, case_id=case.id, text=kept, channel="portal_dispute",
            actor=actor,
        ).text or ""  # fmt: skip
    dispute = PortalDispute(
        case_id=case.id,
        debtor_id=debtor_id,
        reason=reason,
        statement_encrypted=(crypto.encrypt(kept, context=STATEMENT_CONTEXT) if kept else None),
        status="open",
        created_at=now,
    )
    db_session.add(dispute)
    db_session.flush()
    for i, up in enumerate(uploads, start=1):
        kind = sniff(up.content)
        assert kind is not None  # checked above
        db_session.add(
            PortalDocument(
                dispute_id=dispute.id,
                filename=_safe_name(up.filename, kind[1], i),
                media_type=kind[0],
                size=len(up.content),
                sha256=hashlib.sha256(up.content).hexdigest(),
                content_encrypted=crypto.encrypt(
                    base64.b64encode(up.content).decode(), context=DOCUMENT_CONTEXT
                ),
                created_at=now,
            )
        )
    portfolio_service.set_case_flag(
        db_session=db_session,
        case_id=case.id,
        flag="disputed",
        value=True,
        actor=actor,
        reason=f"portal dispute {dispute.id}: {reason}",
    )
    db_session.flush()
    # The team's notification: the console's inbox reads portal.dispute_opened entries.
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portal.dispute_opened",
        object_type="case",
        object_id=case.id,
        change={"dispute": dispute.id, "reason": reason, "documents": len(uploads)},
        detail={"dispute_id": dispute.id, "reason": reason, "documents": len(uploads)},
    )
    return dispute


def list_disputes(*, db_session: Session, debtor_id: int, case_id: int) -> list[PortalDispute]:
    """The debtor's disputes of one of their cases, newest first."""
    get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    return list(
        db_session.scalars(
            select(PortalDispute)
            .where(PortalDispute.case_id == case_id, PortalDispute.debtor_id == debtor_id)
            .order_by(PortalDispute.id.desc())
        )
    )


def list_documents(*, db_session: Session, dispute_id: int) -> list[PortalDocument]:
    """A dispute's documents."""
    return list(
        db_session.scalars(
            select(PortalDocument)
            .where(PortalDocument.dispute_id == dispute_id)
            .order_by(PortalDocument.id)
        )
    )


def get_document(
    *, db_session: Session, debtor_id: int, case_id: int, document_id: int
) -> tuple[PortalDocument, bytes]:
    """One of the debtor's documents on their case and its bytes; NotFound otherwise."""
    get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    row = db_session.execute(
        select(PortalDocument)
        .join(PortalDispute, PortalDispute.id == PortalDocument.dispute_id)
        .where(
            PortalDocument.id == document_id,
            PortalDispute.case_id == case_id,
            PortalDispute.debtor_id == debtor_id,
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"document {document_id} not found")
    clear = crypto.decrypt(row.content_encrypted, context=DOCUMENT_CONTEXT)
    return row, base64.b64decode(clear)


# Wrong person ----------------------------------------------------------------------------------


def report_wrong_person(
    *, db_session: Session, case_id: int, channel: str, address: str, now: datetime
) -> WrongPersonReport:
    """Someone who received a message about a case says they are not the debtor.

    When the address they give is one we hold for the case's debtor, it is opted out at
    once (outreach never uses it again). The tracing matches that gave the debtor this
    contact (any traced handle, for a social message whose address they did not give) are
    rejected and their evidence withdrawn, so the model learns the match was wrong. Nothing
    about the case is revealed either way.
    """
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    debtor_id = case.debt.debtor_id
    matched = False
    value = address.strip()
    kind = {"email": "email", "sms": "phone", "call": "phone"}.get(channel)
    if kind and value:
        found = portfolio_service.find_debtors_by_contact(
            db_session=db_session, kind=kind, value=value
        )
        matched = any(d.id == debtor_id for d in found)
    rejected = []
    if value or channel == "social_dm":
        rejected = tracing_service.reject_by_contact_point(
            db_session=db_session,
            debtor_key=str(debtor_id),  # tracing's debtor keys are portfolio debtor ids
            handle=value or None,
            actor=ANONYMOUS,
            reason=f"wrong-person report from the portal ({channel})",
        )
    if channel == "social_dm" and value and rejected:
        matched = True
    if matched:
        outreach_service.record_opt_out(
            db_session=db_session,
            debtor_id=debtor_id,
            channel=channel,
            address=value,
            source="portal_wrong_person",
            actor=ANONYMOUS,
        )
    report = WrongPersonReport(
        case_id=case.id,
        channel=channel or None,
        address_matched=matched,
        matches_rejected=len(rejected),
        created_at=now,
    )
    db_session.add(report)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=ANONYMOUS,
        action="portal.wrong_person_reported",
        object_type="case",
        object_id=case.id,
        change={
            "report": report.id,
            "channel": channel,
            "matched": matched,
            "rejected": [c.id for c in rejected],
        },
        detail={
            "report_id": report.id,
            "channel": channel,
            "address_matched": matched,
            "matches_rejected": len(rejected),
        },
    )
    return report


# Plans ------------------------------------------------------------------------------------------


def _split(total: Money, count: int) -> Money:
    first: Money = portfolio_service.split_instalments(total, count)[0]
    return first


def plan_options(*, total: Money) -> list[PlanOption]:
    """Proposed monthly plans over the whole balance that respect the minimum instalment."""
    out = []
    for count in PLAN_COUNTS:
        instalment = _split(total, count)
        if count == 1 or instalment.amount >= PLAN_MIN_INSTALMENT:
            out.append(PlanOption(count, instalment, total))
    if not out and total.amount > 0:
        out.append(PlanOption(1, total, total))
    return out


def plan_for_amount(*, total: Money, monthly: Decimal) -> PlanOption | None:
    """The shortest plan whose instalment is at most ``monthly``; None if it would exceed the
    longest duration or fall under the minimum instalment."""
    if monthly <= 0 or total.amount <= 0:
        return None
    count = int((total.amount / monthly).to_integral_value(rounding=ROUND_UP))
    count = max(count, 1)
    if count > PLAN_MAX_MONTHS:
        return None
    instalment = _split(total, count)
    if count > 1 and instalment.amount < PLAN_MIN_INSTALMENT:
        return None
    return PlanOption(count, instalment, total)


def disposable_income(values: dict[str, Decimal]) -> Decimal:
    """Monthly income less outgoings, from the statement's headings (missing ones are 0)."""
    income = sum((values.get(k, Decimal(0)) for k in BUDGET_INCOME), Decimal(0))
    spent = sum((values.get(k, Decimal(0)) for k in BUDGET_OUTGOINGS), Decimal(0))
    return income - spent


def minimum_monthly(*, total: Money) -> Money:
    """The smallest monthly amount a plan can accept for this balance."""
    spread = (total.amount / PLAN_MAX_MONTHS).quantize(Decimal("0.01"), rounding=ROUND_UP)
    return Money(max(spread, min(PLAN_MIN_INSTALMENT, total.amount)), total.currency)


def agree_plan(
    *, db_session: Session, debtor_id: int, case_id: int, count: int, today: date
) -> Any:
    """Turn the chosen option into a portfolio plan over the whole balance (audited there)."""
    case = get_case_for_debtor(db_session=db_session, debtor_id=debtor_id, case_id=case_id)
    if case.disputed or case.cease_contact or case.deceased or case.bankrupt:
        raise Conflict("collection is paused on this case")
    if not 1 <= count <= PLAN_MAX_MONTHS:
        raise InvalidInput(problems=[InputProblem("(form)", 0, "count", "out of range")])
    return portfolio_service.create_plan(
        db_session=db_session,
        debt_id=case.debt_id,
        instalments=count,
        frequency="monthly",
        start_on=today + timedelta(days=PLAN_FIRST_DUE_DAYS),
        actor=debtor_actor(debtor_id),
    )


# Preferences -------------------------------------------------------------------------------


def get_preferences(*, db_session: Session, debtor_id: int) -> ContactPreference | None:
    """The debtor's stated contact preferences, if any."""
    return db_session.scalar(
        select(ContactPreference).where(ContactPreference.debtor_id == debtor_id)
    )


def save_preferences(
    *,
    db_session: Session,
    debtor_id: int,
    channel: str | None,
    hours_from: int | None,
    hours_to: int | None,
    lang: str,
    stop_channels: list[str],
    now: datetime,
) -> ContactPreference:
    """Store channel, hours and language; each channel to stop becomes an outreach opt-out."""
    problems = []
    if channel is not None and channel not in PREFERENCE_CHANNELS:
        problems.append(InputProblem("(form)", 0, "channel", translate("channel_required", lang)))
    if (hours_from is None) != (hours_to is None) or (
        hours_from is not None and hours_to is not None and not 0 <= hours_from < hours_to <= 24
    ):
        problems.append(InputProblem("(form)", 0, "hours", translate("hours_invalid", lang)))
    if lang not in LANGS:
        problems.append(InputProblem("(form)", 0, "lang", "fr, es or en"))
    unknown = [c for c in stop_channels if c not in PREFERENCE_CHANNELS]
    if unknown:
        problems.append(InputProblem("(form)", 0, "stop", f"unknown channel {unknown[0]!r}"))
    if problems:
        raise InvalidInput(problems=problems)
    actor = debtor_actor(debtor_id)
    pref = get_preferences(db_session=db_session, debtor_id=debtor_id)
    if pref is None:
        pref = ContactPreference(debtor_id=debtor_id, lang=lang, updated_at=now)
        db_session.add(pref)
    pref.channel, pref.hours_from, pref.hours_to = channel, hours_from, hours_to
    pref.lang, pref.updated_at = lang, now
    for stop in dict.fromkeys(stop_channels):
        outreach_service.record_opt_out(
            db_session=db_session,
            debtor_id=debtor_id,
            channel=stop,
            address=None,
            source="portal",
            actor=actor,
        )
    portfolio_service.set_preferred_language(
        db_session=db_session, debtor_id=debtor_id, lang=lang, actor=actor
    )
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="portal.preferences_saved",
        object_type="debtor",
        object_id=debtor_id,
        change={
            "channel": channel,
            "hours": [hours_from, hours_to],
            "lang": lang,
            "stop": sorted(set(stop_channels)),
        },
        detail={
            "channel": channel,
            "hours_from": hours_from,
            "hours_to": hours_to,
            "lang": lang,
            "stopped": sorted(set(stop_channels)),
        },
    )
    return pref


# Message verification codes -------------------------------------------------------------------


def verify_message_code(
    *, db_session: Session, code: str, ip_key: str, now: datetime
) -> VerifyResult:
    """Did the agency send a message with this code, and when? Nothing about any debt.

    Look-ups are limited per client address, so codes cannot be enumerated.
    """
    settings = get_portal_settings()
    since = now - timedelta(minutes=settings.window_minutes)
    recent = (
        db_session.scalar(
            select(func.count())
            .select_from(PortalAttempt)
            .where(
                PortalAttempt.step == "verify",
                PortalAttempt.ip_key == ip_key,
                PortalAttempt.at > since,
            )
        )
        or 0
    )
    if recent >= settings.max_verify_lookups_per_ip:
        raise TooManyRequests("too many look-ups from this address; try again later")
    normal = security.normalise_message_code(code)
    # The codes are outreach's: it stamps them on every message it sends.
    message = outreach_service.look_up_verification_code(db_session=db_session, code=normal)
    sent = message is not None
    attempt = PortalAttempt(step="verify", reference_key=None, ip_key=ip_key, success=sent, at=now)
    db_session.add(attempt)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor="portal:anonymous",
        action="portal.verify_lookup",
        object_type="portal_attempt",
        object_id=attempt.id,
        change={"code": normal, "ip_key": ip_key, "found": sent},
        detail={"found": sent},
    )
    if message is None:
        return VerifyResult(sent=False)
    return VerifyResult(sent=True, sent_at=message.sent_at, channel=message.channel)
