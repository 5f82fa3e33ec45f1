"""The agent's console: what the worklist and case pages show, and the actions taken there.

The console owns no business rule: every read and write goes through the owning domain's
service (portfolio, outreach, tracing, signals, audit), with the case first resolved
through the principal's team scope (another team's case is NotFound, as if absent).
Nothing here commits; the route's unit of work does.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from decimal import ROUND_UP, Decimal
from typing import Any

import phonenumbers
from sqlalchemy.orm import Session

from concilia.auth.schemas import Principal
from concilia.console import waterfall
from concilia.console.money import create_plan, create_promise, record_payment
from concilia.console.schemas import (
    CandidateView,
    Component,
    DebtView,
    WorklistFilters,
)
from concilia.console.timeline import timeline
from concilia.db import utcnow
from concilia.errors import InputProblem, InvalidInput, NotFound
from concilia.outreach import compose
from concilia.outreach import service as outreach_service
from concilia.outreach.check import default_tone_checker
from concilia.outreach.rules import Decision
from concilia.outreach.settings import OutreachSettings
from concilia.portal import service as portal_service
from concilia.portfolio import service as portfolio_service
from concilia.signals import service as signals_service
from concilia.tracing import service as tracing_service
from concilia.tracing.whereabouts import service as whereabouts_service

__all__ = ["create_plan", "create_promise", "record_payment", "timeline"]

PAGE_SIZE = 50
# Regions tried when a searched phone number has no country code, in this order.
PHONE_REGIONS = ("FR", "ES", "GB", "US")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,}$")


def _bad(field: str, reason: str) -> InvalidInput:
    return InvalidInput(problems=[InputProblem("(form)", 0, field, reason)])


# Worklist ----------------------------------------------------------------------------------


def contact_debtor_ids(*, db_session: Session, q: str) -> list[int] | None:
    """Debtors whose phone or e-mail is ``q``, by blind index; None when ``q`` is neither."""
    q = q.strip()
    if _EMAIL.match(q):
        found = portfolio_service.find_debtors_by_contact(
            db_session=db_session, kind="email", value=q.lower()
        )
        return sorted({d.id for d in found})
    if not _PHONE.match(q):
        return None
    ids: set[int] = set()
    for region in PHONE_REGIONS:
        try:
            parsed = phonenumbers.parse(q, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_possible_number(parsed):
            continue
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        found = portfolio_service.find_debtors_by_contact(
            db_session=db_session, kind="phone", value=e164
        )
        ids.update(d.id for d in found)
        if q.startswith("+"):
            break  # an international number means one thing only
    return sorted(ids)


def worklist(
    *,
    db_session: Session,
    principal: Principal,
    filters: WorklistFilters,
    after: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[portfolio_service.WorklistRow]:
    """A page of the principal's cases by priority (see ``portfolio_service.worklist``)."""
    debtor_ids = contact_debtor_ids(db_session=db_session, q=filters.q) if filters.q else None
    return portfolio_service.worklist(
        db_session=db_session,
        principal=principal,
        stage=filters.status,
        jurisdiction=filters.jurisdiction,
        flag=filters.flag,
        min_balance=filters.min_balance,
        max_balance=filters.max_balance,
        text=filters.q if debtor_ids is None else None,
        debtor_ids=debtor_ids,
        assigned_to_me=filters.mine,
        after_case_id=after,
        limit=limit,
    )


# The case ----------------------------------------------------------------------------------


def get_case(*, db_session: Session, principal: Principal, case_id: int) -> Any:
    """The case if the principal's teams may see it; NotFound otherwise, as if absent."""
    return portfolio_service.get_case_for_principal(
        db_session=db_session, principal=principal, case_id=case_id
    )


def debt_view(*, db_session: Session, debt: Any) -> DebtView:
    """The debt's balance by component: placed, paid (allocated payments) and owed now."""
    payments = portfolio_service.list_payments(db_session=db_session, debt_id=debt.id)
    paid = {"principal": Decimal(0), "interest": Decimal(0), "fees": Decimal(0)}
    for payment in payments:
        for part in payment.allocations:
            paid[part.component] = paid.get(part.component, Decimal(0)) + part.amount
    balance = portfolio_service.balance_of(debt)
    components = [
        Component("principal", debt.principal, paid["principal"], balance.principal.amount),
        Component("interest", debt.interest, paid["interest"], balance.interest.amount),
        Component("fees", debt.fees, paid["fees"], balance.fees.amount),
    ]
    return DebtView(
        debt=debt,
        currency=debt.currency,
        components=components,
        total_owed=balance.total.amount,
        credit=debt.credit_balance,
        payments=payments,
        promises=portfolio_service.list_promises(db_session=db_session, debt_id=debt.id),
        plans=portfolio_service.list_plans(db_session=db_session, debt_id=debt.id),
    )


def list_candidates(*, db_session: Session, debtor_id: int) -> list[Any]:
    """The debtor's tracing candidates, whatever their status."""
    return list(
        tracing_service.list_candidates(
            db_session=db_session, debtor_keys=[str(debtor_id)], status=None
        )
    )


def list_evidence(*, db_session: Session, debtor_id: int) -> list[Any]:
    """The evidence agents accepted about the debtor."""
    return list(tracing_service.list_evidence(db_session=db_session, debtor_key=str(debtor_id)))


def candidates(
    *,
    db_session: Session,
    debtor_id: int,
    total_label: str,
    listed: list[Any] | None = None,
) -> list[CandidateView]:
    """The debtor's tracing candidates shown for review, each with its waterfall
    (``listed``: the candidates when the caller has read them already)."""
    out = []
    if listed is None:
        listed = list_candidates(db_session=db_session, debtor_id=debtor_id)
    for cand in listed:
        try:
            lines = tracing_service.explanation(db_session=db_session, candidate=cand)
        except ValueError:
            lines = []
        usable, why = tracing_service.authenticity_lines(
            db_session=db_session, profile_key=cand.profile_key
        )
        svg = waterfall.render(
            lines,
            ident=f"cand-{cand.id}",
            title=f"{cand.network or ''} {cand.profile_key}: {cand.probability:.1%}".strip(),
            label_total=total_label,
        )
        out.append(CandidateView(cand, lines, svg, usable, why))
    return out


def contact_handles(
    *, db_session: Session, debtor_id: int, evidence: list[Any] | None = None
) -> list[str]:
    """Social handles an agent accepted as the debtor's (from tracing evidence; ``evidence``:
    the debtor's evidence when the caller has read it already)."""
    if evidence is None:
        evidence = list_evidence(db_session=db_session, debtor_id=debtor_id)
    return [ev.value for ev in evidence if ev.kind == "contact_handle"]


def replies(*, db_session: Session, principal: Principal, case_id: int | None = None) -> list[Any]:
    """Replies on the cases the principal may see (or on one of them), newest first."""
    if case_id is not None:
        get_case(db_session=db_session, principal=principal, case_id=case_id)
    return outreach_service.list_replies(
        db_session=db_session,
        case_ids=portfolio_service.visible_case_ids(principal=principal),
        case_id=case_id,
    )


def get_candidate(*, db_session: Session, debtor_id: int, candidate_id: int) -> Any:
    """A candidate of this debtor; NotFound when it belongs to someone else."""
    cand = tracing_service.get(db_session=db_session, candidate_id=candidate_id)
    if cand.debtor_key != str(debtor_id):
        raise NotFound(f"match candidate {candidate_id} not found")
    return cand


def decide_candidate(
    *,
    db_session: Session,
    principal: Principal,
    case_id: int,
    candidate_id: int,
    decision: str,
    reason: str,
) -> None:
    """Accept or reject a tracing candidate of the case's debtor (audited by tracing)."""
    case = get_case(db_session=db_session, principal=principal, case_id=case_id)
    cand = get_candidate(
        db_session=db_session, debtor_id=case.debt.debtor_id, candidate_id=candidate_id
    )
    if decision == "accept":
        tracing_service.accept(
            db_session=db_session, candidate_id=cand.id, actor=principal.actor, reason=reason
        )
    elif decision == "reject":
        tracing_service.reject(
            db_session=db_session, candidate_id=cand.id, actor=principal.actor, reason=reason
        )
    else:
        raise _bad("decision", "accept or reject")


# Contact -----------------------------------------------------------------------------------


def tone_suggestions(body: str, lang: str | None) -> list[str]:
    """The tone checker's better wordings for a draft ("'x' → 'y'")."""
    tone = default_tone_checker()
    if tone is None or not body.strip():
        return []
    return [
        f"“{getattr(f, 'text', '')}” → {getattr(f, 'suggestion', '')}"
        for f in tone(body, lang if lang in ("fr", "es", "en") else None)
        if getattr(f, "suggestion", "")
    ]


def check_message(
    *,
    db_session: Session,
    principal: Principal,
    case_id: int,
    channel: str,
    to: str,
    body: str,
    kind: str = "free_text",
    at: datetime | None = None,
    case: Any = None,
) -> Decision:
    """The compliance and tone verdict a draft would get now; stores nothing. ``case``: the
    case when the caller has already resolved it for this principal (saves reading it)."""
    if case is None or case.id != case_id:
        get_case(db_session=db_session, principal=principal, case_id=case_id)
    return outreach_service.check_draft(
        db_session=db_session,
        case_id=case_id,
        channel=channel,
        kind=kind or "free_text",
        to=to,
        body=body,
        at=at or utcnow(),
        tone=default_tone_checker(),
    )


def queue_message(
    *,
    db_session: Session,
    principal: Principal,
    case_id: int,
    channel: str,
    to: str,
    body: str,
    subject: str = "",
    kind: str = "free_text",
    idempotency_key: str | None = None,
) -> Any:
    """Queue an agent's message (checked again by outreach, which may block or hold it)."""
    case = get_case(db_session=db_session, principal=principal, case_id=case_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=case.debt.debtor_id)
    if not body.strip():
        raise _bad("body", "the message is empty")
    if not to.strip():
        raise _bad("to", "choose an address")
    return outreach_service.enqueue(
        db_session=db_session,
        case_id=case.id,
        channel=channel,
        kind=kind or "free_text",
        lang=debtor.preferred_language,
        to=to.strip(),
        body=body,
        subject=subject,
        actor=principal.actor,
        idempotency_key=idempotency_key or f"console:{case.id}:{uuid.uuid4().hex}",
        automated=False,
        tone=default_tone_checker(),
    )


def verify_identity(
    *,
    db_session: Session,
    principal: Principal,
    case_id: int,
    channel: str,
    address: str,
    method: str,
) -> Any:
    """Record that the person at this address was verified to be the case's debtor."""
    case = get_case(db_session=db_session, principal=principal, case_id=case_id)
    if not address.strip():
        raise _bad("address", "choose the address the person was verified on")
    return outreach_service.mark_identity_verified(
        db_session=db_session,
        debtor_id=case.debt.debtor_id,
        channel=channel,
        address=address.strip(),
        method=method,
        actor=principal.actor,
    )


def check_call(*, db_session: Session, principal: Principal, case_id: int, phone: str) -> Decision:
    """May the agent call this number now (hours in every zone, frequency caps, flags)?"""
    get_case(db_session=db_session, principal=principal, case_id=case_id)
    return outreach_service.check_call(
        db_session=db_session, case_id=case_id, phone=phone, at=utcnow()
    )


def log_call(
    *,
    db_session: Session,
    principal: Principal,
    case_id: int,
    phone: str,
    outcome: str,
    at: datetime | None = None,
) -> Any:
    """Log a call, refused when the call check blocks it (a call is checked before dialling)."""
    decision = check_call(db_session=db_session, principal=principal, case_id=case_id, phone=phone)
    if decision.verdict == "block":
        raise InvalidInput(
            problems=[
                InputProblem("(form)", 0, "call", f"{r.rule}: {r.explanation}")
                for r in decision.reasons
                if r.severity == "block"
            ]
        )
    entry = outreach_service.log_call(
        db_session=db_session,
        case_id=case_id,
        at=at or utcnow(),
        outcome=outcome,
        actor=principal.actor,
    )
    if outcome == "wrong_number":
        # Someone else answers this number: it leaves the debtor's current contacts, so no
        # one dials or texts it again (it stays in the history, with this call).
        case = get_case(db_session=db_session, principal=principal, case_id=case_id)
        portfolio_service.retire_contact(
            db_session=db_session,
            debtor_id=case.debt.debtor_id,
            kind="phone",
            value=_e164(phone),
            actor=principal.actor,
            reason="wrong number",
        )
    return entry


def _e164(phone: str) -> str:
    """The number as stored (E.164) when it parses, else as typed."""
    for region in PHONE_REGIONS:
        try:
            parsed = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            continue
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return phone.strip()


# Signals and whereabouts --------------------------------------------------------------------


def signals_assessment(*, db_session: Session, case_id: int) -> Any:
    """The case's ability-to-pay suggestion from public posts, if signals ran on it."""
    return signals_service.get_assessment(db_session=db_session, case_id=case_id)


def whereabouts(*, db_session: Session, debtor_id: int) -> list[Any]:
    """The debtor's likely-city inferences from the public friend graph, newest first."""
    return whereabouts_service.list_for_debtor(db_session=db_session, debtor_id=debtor_id)


def decide_signals(
    *, db_session: Session, principal: Principal, case_id: int, decision: str, reason: str
) -> None:
    """Accept or reject the case's ability-to-pay suggestion (audited by signals)."""
    get_case(db_session=db_session, principal=principal, case_id=case_id)
    signals_service.decide(
        db_session=db_session,
        case_id=case_id,
        decision={"accept": "accepted", "reject": "rejected"}.get(decision, decision),
        actor=principal.actor,
        reason=reason,
    )


def decide_whereabouts(
    *,
    db_session: Session,
    principal: Principal,
    case_id: int,
    inference_id: int,
    decision: str,
    reason: str,
) -> None:
    """Accept or reject a whereabouts inference of the case's debtor (audited by tracing)."""
    case = get_case(db_session=db_session, principal=principal, case_id=case_id)
    row = whereabouts_service.get(db_session=db_session, inference_id=inference_id)
    if row.debtor_id != case.debt.debtor_id:
        raise whereabouts_service.missing(inference_id)
    if decision not in ("accept", "reject"):
        raise _bad("decision", "accept or reject")
    whereabouts_service.decide(
        db_session=db_session,
        inference_id=inference_id,
        accept=decision == "accept",
        actor=principal.actor,
        reason=reason,
    )


# Templates ---------------------------------------------------------------------------------

# How each template is judged and recorded in the outbox (the US first letter is the
# validation notice, 12 CFR 1006.34).
_TEMPLATE_OUTBOX_KIND = {("first_letter", "US"): "validation_notice"}
_BASIS = {
    "en": "your agreement with {creditor}",
    "fr": "votre contrat avec {creditor}",
    "es": "su contrato con {creditor}",
}


def draft_from_template(
    *, db_session: Session, principal: Principal, case_id: int, template: str, channel: str
) -> tuple[str, str, str]:
    """A template rendered for this case in the debtor's language, with the case's own
    figures: (outbox kind, subject, body). Stores nothing; the agent edits, then queues."""
    if template not in outreach_service.TEMPLATE_KINDS:
        raise _bad("template", f"choose one of {', '.join(outreach_service.TEMPLATE_KINDS)}")
    case = get_case(db_session=db_session, principal=principal, case_id=case_id)
    debt = case.debt
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debt.debtor_id)
    creditor = portfolio_service.get_creditor(db_session=db_session, creditor_id=debt.creditor_id)
    lang = debtor.preferred_language if debtor.preferred_language in _BASIS else "en"
    balance = portfolio_service.balance_of(debt)
    settings = OutreachSettings()
    now = utcnow()
    total = balance.total.amount
    ctx = compose.TemplateContext(
        jurisdiction=debtor.jurisdiction,
        agency=compose.Agency(
            name=settings.agency_name or "Concilia Recovery",
            short_name="Concilia",
            address=settings.agency_address or "1 Example Street",
            phone="+00 000 000 000",
            portal_url=portal_service.link_for(case_id=case.id, now=now),
        ),
        debtor_name=f"{debtor.given_names} {debtor.family_names}",
        agent_name=principal.username,
        creditor=compose.Party(creditor.name, ""),
        debt=compose.DebtInfo(
            reference=debt.account_reference,
            basis=_BASIS[lang].format(creditor=debt.original_creditor or creditor.name),
            principal=balance.principal.amount,
            interest=balance.interest.amount,
            other=balance.fees.amount,
            currency=debt.currency,
        ),
        plan=compose.PlanInfo(
            6,
            (total / 6).quantize(Decimal("0.01"), rounding=ROUND_UP),
            now.date() + timedelta(days=14),
        ),
        letter_date=now.date(),
        time_barred=debt.status == "time_barred",
    )
    rendered = outreach_service.render_template(kind=template, lang=lang, channel=channel, ctx=ctx)
    kind = _TEMPLATE_OUTBOX_KIND.get((template, debtor.jurisdiction), template)
    return kind, rendered.subject, rendered.body
