"""Render a step's message from outreach's templates, with the case's own figures.

The templates (FR/ES/EN) are outreach's: the wording the compliance rules were written
against. Only the figures and references come from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_UP, Decimal

from sqlalchemy.orm import Session

from concilia.outreach import compose
from concilia.outreach import service as outreach_service
from concilia.outreach.settings import OutreachSettings
from concilia.portal import service as portal_service
from concilia.portfolio import service as portfolio_service

# The first letter is the US validation notice (12 CFR 1006.34): the outbox records it on
# the case when it is sent, which later collection messages are judged by.
_FIRST_LETTER_KIND = {"US": "validation_notice"}
_BASIS = {
    "en": "your agreement with {creditor}",
    "fr": "votre contrat avec {creditor}",
    "es": "su contrato con {creditor}",
}
AGENT_NAME = "Concilia"


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    body: str
    letter_ref: str | None


def outbox_kind(template: str, jurisdiction: str) -> str:
    """The outbox kind a template is sent as in a jurisdiction."""
    if template == "first_letter":
        return _FIRST_LETTER_KIND.get(jurisdiction, "first_letter")
    return template


def _first_letter(db_session: Session, case_id: int) -> tuple[str | None, date | None]:
    for msg in outreach_service.list_case_messages(db_session=db_session, case_id=case_id):
        if (
            msg.kind in ("first_letter", "validation_notice")
            and msg.status in ("sent", "delivered")
            and msg.sent_at is not None
        ):
            return msg.letter_ref, msg.sent_at.date()
    return None, None


def render(
    *,
    db_session: Session,
    case_id: int,
    template: str,
    channel: str,
    now: datetime,
    plan_instalments: int = 6,
) -> Message:
    """The subject and body of a template for a case, in the debtor's language."""
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    debt = portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id)
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debt.debtor_id)
    creditor = portfolio_service.get_creditor(db_session=db_session, creditor_id=debt.creditor_id)
    lang = debtor.preferred_language if debtor.preferred_language in compose.LANGS else "en"
    balance = portfolio_service.balance_of(debt)
    settings = OutreachSettings()
    first_ref, first_date = _first_letter(db_session, case_id)
    is_first = template == "first_letter"
    letter_ref = f"CN-{case_id}-{now:%Y%m%d%H%M}" if channel == "letter" else None
    total = balance.principal.amount + balance.interest.amount + balance.fees.amount
    instalment = (total / plan_instalments).quantize(Decimal("0.01"), rounding=ROUND_UP)
    ctx = compose.TemplateContext(
        jurisdiction=debtor.jurisdiction,
        agency=compose.Agency(
            name=settings.agency_name or "Concilia Recovery",
            short_name="Concilia",
            address=settings.agency_address or "1 Example Street",
            phone="+00 000 000 000",
            portal_url=portal_service.link_for(case_id=case_id, now=now),
        ),
        debtor_name=f"{debtor.given_names} {debtor.family_names}",
        agent_name=AGENT_NAME,
        # R124-4 2°: the first letter names the creditor with its address (portfolio holds it).
        creditor=compose.Party(creditor.name, creditor.address or ""),
        debt=compose.DebtInfo(
            reference=debt.account_reference,
            basis=_BASIS[lang].format(creditor=debt.original_creditor or creditor.name),
            principal=balance.principal.amount,
            interest=balance.interest.amount,
            other=balance.fees.amount,
            currency=debt.currency,
        ),
        plan=compose.PlanInfo(plan_instalments, instalment, now.date() + timedelta(days=14)),
        first_letter_ref=None if is_first else first_ref,
        first_letter_date=None if is_first else first_date,
        letter_ref=letter_ref,
        letter_date=now.date(),
        time_barred=debt.status == "time_barred",
    )
    rendered = compose.render(template, lang, channel=channel, ctx=ctx)
    return Message(
        outbox_kind(template, debtor.jurisdiction), rendered.subject, rendered.body, letter_ref
    )
