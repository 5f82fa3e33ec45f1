"""Art. 14 notices: owed to each person whose social data is in use, due at the first
communication and within one month of first use at the latest (art. 14(3)).

The record lives here; the notice itself is an outreach message of kind ``privacy_notice``,
and outreach's own gate refuses other messages to the person until one is queued or sent
(see ``concilia.outreach.personal_data.notice_refusal`` for why the gate sits there).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.errors import Conflict, NotFound
from concilia.outreach import service as outreach_service
from concilia.portfolio import service as portfolio_service
from concilia.privacy.models import Art14Notice
from concilia.privacy.settings import get_privacy_settings
from concilia.sources import service as sources_service
from concilia.tracing import service as tracing_service
from concilia.web.templating import get_templates

NOTICE_DAYS = 30  # "within a reasonable period, at the latest within one month"
LANGS = ("fr", "es", "en")


def sync(*, db_session: Session, now: datetime | None = None) -> list[Art14Notice]:
    """Open a notice record for each person whose social data came into use, and mark those
    sent; returns the records still owed, most urgent first."""
    now = now or utcnow()
    first_use = tracing_service.personal_data.social_first_use(db_session=db_session)
    known = {n.debtor_id: n for n in db_session.scalars(select(Art14Notice))}
    for debtor_id, used_at in first_use.items():
        notice = known.get(debtor_id)
        if notice is None:
            debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debtor_id)
            notice = Art14Notice(
                debtor_id=debtor_id,
                first_use_at=used_at,
                due_at=used_at + timedelta(days=NOTICE_DAYS),
                lang=debtor.preferred_language if debtor.preferred_language in LANGS else "en",
                recorded_by="job:privacy-notices",
            )
            db_session.add(notice)
            known[debtor_id] = notice
        if notice.sent_at is None:
            sent = outreach_service.personal_data.notice_sent_at(
                db_session=db_session, debtor_id=debtor_id
            )
            if sent is not None:
                notice.sent_at, notice.channel = sent
    db_session.flush()
    owed = [n for n in known.values() if n.sent_at is None]
    return sorted(owed, key=lambda n: (n.due_at, n.debtor_id))


def render(*, db_session: Session, debtor_id: int, lang: str) -> str:
    """The notice's text for one person, in FR, ES or EN."""
    if lang not in LANGS:
        raise Conflict(f"no notice written in {lang!r}: one of {', '.join(LANGS)}")
    settings = get_privacy_settings()
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debtor_id)
    creditor = portfolio_service.get_creditor(db_session=db_session, creditor_id=debtor.creditor_id)
    profiles = tracing_service.accepted_profiles_by_debtor(
        db_session=db_session, debtor_keys=[str(debtor_id)]
    ).get(str(debtor_id), [])
    items = sources_service.personal_data.export_subject(
        db_session=db_session, debtor_id=debtor_id, case_ids=[], profile_ids=profiles
    )
    sources = sorted({str(i["provenance"]["source"]) for i in items if i["provenance"]["source"]})
    return (
        get_templates()
        .get_template(f"privacy/notice.{lang}.txt")
        .render(
            controller=settings.controller_name,
            address=settings.controller_address,
            dpo=settings.dpo_contact,
            lia=settings.balancing_test_ref,
            creditor=creditor.name,
            reference=debtor.debtor_reference,
            sources=sources,
        )
    )


def send(*, db_session: Session, debtor_id: int, actor: str) -> int:
    """Queue the notice by e-mail to the person's current address (audited); the message id.

    Conflict when the person has no e-mail address (send it by letter) or nothing is owed."""
    notice = db_session.scalar(select(Art14Notice).where(Art14Notice.debtor_id == debtor_id))
    if notice is None:
        raise NotFound(f"no art. 14 notice is owed to debtor {debtor_id}")
    if notice.sent_at is not None:
        raise Conflict(f"the notice went to debtor {debtor_id} on {notice.sent_at:%Y-%m-%d}")
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debtor_id)
    emails = portfolio_service.reveal_debtor(debtor).emails
    if not emails:
        raise Conflict(f"debtor {debtor_id} has no e-mail address: send the notice by letter")
    [debt, *_] = portfolio_service.list_debts_of_debtor(db_session=db_session, debtor_id=debtor_id)
    case = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id)
    text = render(db_session=db_session, debtor_id=debtor_id, lang=notice.lang)
    heading = text.split("\n", 1)[0]
    message = outreach_service.enqueue(
        db_session=db_session,
        case_id=case.id,
        channel="email",
        kind=outreach_service.personal_data.NOTICE_KIND,
        lang=notice.lang,
        to=emails[0],
        subject=heading.strip(),
        body=text,
        actor=actor,
        idempotency_key=f"privacy-notice/{debtor_id}",
    )
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="privacy.notice_queued",
        object_type="debtor",
        object_id=debtor_id,
        change={"message": message.id, "lang": notice.lang},
        detail={"message": message.id, "lang": notice.lang, "status": message.status},
    )
    return message.id
