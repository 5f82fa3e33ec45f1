"""The door: link or typed reference, knowledge checks, one-time code, debtor sessions.

Nothing about a debt is shown before both checks pass. Every attempt is stored (keyed hashes
only) and audited; failures lock the door per reference and per client address.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.audit import service as audit_service
from concilia.errors import TooManyRequests
from concilia.outreach import service as outreach_service
from concilia.outreach.channels import Channel
from concilia.portal import security
from concilia.portal.i18n import translate
from concilia.portal.models import PortalAttempt, PortalFlow, PortalSession
from concilia.portal.settings import get_portal_settings
from concilia.portfolio import service as portfolio_service

ANONYMOUS = "portal:anonymous"
REFERENCE_CONTEXT = "portal.flow_reference"
FLOW_MINUTES = 30


class Locked(TooManyRequests):
    """Too many failures for this reference or this client; ``until`` is when it reopens."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class ContactPoint:
    """A contact on file a code can go to, shown masked."""

    id: int
    channel: str  # "email" or "sms"
    masked: str


def debtor_actor(debtor_id: int) -> str:
    """The audit actor of a verified debtor."""
    return f"debtor:{debtor_id}"


# Attempts and lockout ------------------------------------------------------------------------


def locked_until(
    *, db_session: Session, reference_key: str | None, ip_key: str, now: datetime
) -> datetime | None:
    """When the door reopens for this reference or client, or None if it is open."""
    settings = get_portal_settings()
    window = timedelta(minutes=settings.window_minutes)
    since = now - window
    until: datetime | None = None
    checks: list[tuple[object, int]] = [
        (PortalAttempt.ip_key == ip_key, settings.max_failures_per_ip)
    ]
    if reference_key:
        checks.append(
            (PortalAttempt.reference_key == reference_key, settings.max_failures_per_reference)
        )
    for condition, limit in checks:
        times = list(
            db_session.scalars(
                select(PortalAttempt.at)
                .where(
                    condition,  # type: ignore[arg-type]
                    PortalAttempt.success.is_(False),
                    PortalAttempt.step != "verify",
                    PortalAttempt.at > since,
                )
                .order_by(PortalAttempt.at.desc())
                .limit(limit)
            )
        )
        if len(times) >= limit:
            # Open again when the oldest of the last ``limit`` failures leaves the window.
            reopen = times[-1] + window
            until = reopen if until is None else max(until, reopen)
    return until


def record_attempt(
    *,
    db_session: Session,
    step: str,
    reference_key: str | None,
    ip_key: str,
    success: bool,
    now: datetime,
    actor: str = ANONYMOUS,
) -> PortalAttempt:
    """Store and audit one attempt; the audit detail holds no personal data."""
    attempt = PortalAttempt(
        step=step, reference_key=reference_key, ip_key=ip_key, success=success, at=now
    )
    db_session.add(attempt)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action=f"portal.{step}_{'passed' if success else 'failed'}",
        object_type="portal_attempt",
        object_id=attempt.id,
        change={"step": step, "reference_key": reference_key, "ip_key": ip_key, "ok": success},
        detail={"step": step, "success": success},
    )
    return attempt


def ensure_open(
    *, db_session: Session, reference_key: str | None, ip_key: str, now: datetime
) -> None:
    """Raise Locked (audited) when the door is locked."""
    until = locked_until(db_session=db_session, reference_key=reference_key, ip_key=ip_key, now=now)
    if until is not None:
        audit_service.record(
            db_session=db_session,
            actor=ANONYMOUS,
            action="portal.locked_out",
            object_type="portal_entry",
            object_id="-",
            change={"reference_key": reference_key, "ip_key": ip_key},
            detail={"until": until.isoformat()},
        )
        raise Locked(until)


# Flows -----------------------------------------------------------------------------------------


def _new_flow(
    *,
    db_session: Session,
    reference_key: str,
    case_id: int | None,
    typed: str | None,
    lang: str,
    now: datetime,
) -> tuple[PortalFlow, str]:
    clear = security.new_secret()
    flow = PortalFlow(
        flow_hash=security.digest(clear),
        reference_key=reference_key,
        case_id=case_id,
        typed_reference=typed is not None,
        reference_encrypted=(
            crypto.encrypt(typed, context=REFERENCE_CONTEXT) if typed is not None else None
        ),
        lang=lang,
        otp_sends=0,
        created_at=now,
        expires_at=now + timedelta(minutes=FLOW_MINUTES),
    )
    db_session.add(flow)
    db_session.flush()
    return flow, clear


def start_by_link(
    *, db_session: Session, token: str, ip_key: str, lang: str, now: datetime
) -> tuple[PortalFlow, str] | None:
    """Open a flow for the case of a valid link; None (audited as a failure) otherwise."""
    case_id = security.read_link_token(token, now=now)
    ensure_open(db_session=db_session, reference_key=None, ip_key=ip_key, now=now)
    if case_id is None:
        record_attempt(
            db_session=db_session,
            step="link",
            reference_key=None,
            ip_key=ip_key,
            success=False,
            now=now,
        )
        return None
    case = portfolio_service.get_case(db_session=db_session, case_id=case_id)
    debt = portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id)
    ref_key = security.reference_key(debt.account_reference)
    ensure_open(db_session=db_session, reference_key=ref_key, ip_key=ip_key, now=now)
    record_attempt(
        db_session=db_session,
        step="link",
        reference_key=ref_key,
        ip_key=ip_key,
        success=True,
        now=now,
    )
    return _new_flow(
        db_session=db_session,
        reference_key=ref_key,
        case_id=case_id,
        typed=None,
        lang=lang,
        now=now,
    )


def start_by_reference(
    *, db_session: Session, reference: str, ip_key: str, lang: str, now: datetime
) -> tuple[PortalFlow, str]:
    """Open a flow for a typed reference, whether it exists or not (nothing is revealed)."""
    ref_key = security.reference_key(reference)
    ensure_open(db_session=db_session, reference_key=ref_key, ip_key=ip_key, now=now)
    # Audited like every try at the door; "passed" says only that a flow was opened, since
    # whether the reference exists is not revealed, not even to the audit reader.
    record_attempt(
        db_session=db_session, step="reference", reference_key=ref_key, ip_key=ip_key,
        success=True, now=now,
    )  # fmt: skip
    return _new_flow(
        db_session=db_session,
        reference_key=ref_key,
        case_id=None,
        typed=reference.strip()[:100],
        lang=lang,
        now=now,
    )


def get_flow(*, db_session: Session, clear: str | None, now: datetime) -> PortalFlow | None:
    """The live flow for a flow cookie, or None."""
    if not clear:
        return None
    flow = db_session.scalar(
        select(PortalFlow).where(PortalFlow.flow_hash == security.digest(clear))
    )
    if flow is None or flow.expires_at <= now:
        return None
    return flow


def _candidates(db_session: Session, flow: PortalFlow) -> list[Any]:
    if flow.case_id is not None:
        case = portfolio_service.get_case(db_session=db_session, case_id=flow.case_id)
        return [portfolio_service.get_debt(db_session=db_session, debt_id=case.debt_id)]
    if flow.reference_encrypted is None:
        return []
    reference = crypto.decrypt(flow.reference_encrypted, context=REFERENCE_CONTEXT)
    return portfolio_service.find_debts_by_account_reference(
        db_session=db_session, reference=reference
    )


def _postal(value: str | None) -> str:
    return "".join(c for c in (value or "") if c.isalnum()).upper()


def _knows(debtor: Any, debt: Any, dob: date | None, postal: str | None, last: str | None) -> bool:
    if last is not None:
        tail = "".join(c for c in debt.account_reference if c.isalnum()).upper()[-4:]
        return len(tail) == 4 and hmac.compare_digest(tail, _postal(last))
    if dob is None or not postal:
        return False
    view = portfolio_service.reveal_debtor(debtor)
    codes = {_postal(a.postal_code) for a in debtor.addresses if a.valid_to is None}
    return view.date_of_birth == dob and _postal(postal) in codes


def check_knowledge(
    *,
    db_session: Session,
    flow: PortalFlow,
    ip_key: str,
    now: datetime,
    dob: date | None = None,
    postal_code: str | None = None,
    last_chars: str | None = None,
) -> bool:
    """Check what the person knows; binds the flow to the debtor on success (audited).

    A typed reference cannot be checked against its own last characters, so that method is
    only accepted on a link's flow.
    """
    ensure_open(db_session=db_session, reference_key=flow.reference_key, ip_key=ip_key, now=now)
    if flow.typed_reference:
        last_chars = None
    matched: Any = None
    for debt in _candidates(db_session, flow):
        debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debt.debtor_id)
        if _knows(debtor, debt, dob, postal_code, last_chars):
            matched = debtor
            break
    record_attempt(
        db_session=db_session,
        step="knowledge",
        reference_key=flow.reference_key,
        ip_key=ip_key,
        success=matched is not None,
        now=now,
    )
    if matched is None:
        return False
    flow.debtor_id = matched.id
    flow.knowledge_method = "last_chars" if last_chars is not None else "dob_postal"
    flow.knowledge_ok_at = now
    return True


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}•••@{domain}"


def _mask_phone(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    return "•••• " + "".join(digits[-2:])


def contact_points(*, db_session: Session, flow: PortalFlow) -> list[ContactPoint]:
    """The current contacts on file a code can go to (only after the knowledge check)."""
    if flow.debtor_id is None or flow.knowledge_ok_at is None:
        return []
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=flow.debtor_id)
    view = portfolio_service.reveal_debtor(debtor)
    current = [c for c in debtor.contacts if c.valid_to is None]
    emails = iter(view.emails)
    phones = iter(view.phones)
    out = []
    # reveal_debtor keeps the order of ``contacts``: pair each decrypted value with its row.
    for contact in current:
        if contact.kind == "email":
            out.append(ContactPoint(contact.id, "email", _mask_email(next(emails))))
        elif contact.kind == "phone":
            out.append(ContactPoint(contact.id, "sms", _mask_phone(next(phones))))
    return out


def send_code(
    *,
    db_session: Session,
    flow: PortalFlow,
    contact_id: int,
    now: datetime,
    channels: dict[str, Channel] | None = None,
) -> str:
    """Send a one-time code to a contact on file: "sent", "failed", "too_many" or "unknown"."""
    settings = get_portal_settings()
    points = {p.id: p for p in contact_points(db_session=db_session, flow=flow)}
    if flow.debtor_id is None or contact_id not in points:
        return "unknown"
    if flow.otp_sends >= settings.otp_sends_per_flow:
        return "too_many"
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=flow.debtor_id)
    view = portfolio_service.reveal_debtor(debtor)
    current = [c for c in debtor.contacts if c.valid_to is None]
    values = dict(zip([c.id for c in current if c.kind == "email"], view.emails, strict=True))
    values |= dict(zip([c.id for c in current if c.kind == "phone"], view.phones, strict=True))
    code = security.new_otp()
    before = (flow.otp_hash, flow.otp_contact_id, flow.otp_expires_at)
    flow.otp_sends += 1
    flow.otp_hash = security.otp_hash(flow.flow_hash, code)
    flow.otp_contact_id = contact_id
    flow.otp_expires_at = now + timedelta(minutes=settings.otp_minutes)
    channel = points[contact_id].channel
    sent = outreach_service.send_requested(
        db_session=db_session,
        debtor_id=debtor.id,
        channel=channel,
        to=values[contact_id],
        subject=translate("otp_subject", flow.lang),
        body=translate("otp_body", flow.lang, code=code, minutes=settings.otp_minutes),
        idempotency_key=f"portal-otp/{flow.id}/{flow.otp_sends}",
        actor=ANONYMOUS,
        channels=channels,
        lang=flow.lang,
    )
    if not sent:
        # The new code never left: the one sent before (if any) is still the one to type.
        flow.otp_hash, flow.otp_contact_id, flow.otp_expires_at = before
        return "failed"
    return "sent"


def check_code(
    *, db_session: Session, flow: PortalFlow, code: str, ip_key: str, now: datetime
) -> tuple[PortalSession, str] | None:
    """The code decides: a new debtor session (and its cookie value), or None (audited)."""
    ensure_open(db_session=db_session, reference_key=flow.reference_key, ip_key=ip_key, now=now)
    typed = "".join(c for c in code if c.isdigit())
    ok = (
        flow.debtor_id is not None
        and flow.otp_hash is not None
        and flow.otp_expires_at is not None
        and flow.otp_expires_at > now
        and hmac.compare_digest(flow.otp_hash, security.otp_hash(flow.flow_hash, typed))
    )
    record_attempt(
        db_session=db_session,
        step="code",
        reference_key=flow.reference_key,
        ip_key=ip_key,
        success=ok,
        now=now,
    )
    if not ok or flow.debtor_id is None:
        return None
    debtor_id = flow.debtor_id
    contact_id = flow.otp_contact_id
    # The flow is spent: a code works once.
    flow.otp_hash, flow.expires_at = None, now
    _mark_contact_verified(db_session, debtor_id, contact_id)
    return start_session(db_session=db_session, debtor_id=debtor_id, lang=flow.lang, now=now)


def _mark_contact_verified(db_session: Session, debtor_id: int, contact_id: int | None) -> None:
    """The person answered at this address: outreach may now speak of the debt there."""
    debtor = portfolio_service.get_debtor(db_session=db_session, debtor_id=debtor_id)
    view = portfolio_service.reveal_debtor(debtor)
    current = [c for c in debtor.contacts if c.valid_to is None]
    emails = dict(zip([c.id for c in current if c.kind == "email"], view.emails, strict=True))
    phones = dict(zip([c.id for c in current if c.kind == "phone"], view.phones, strict=True))
    if contact_id in emails:
        channel, address = "email", emails[contact_id]
    elif contact_id in phones:
        channel, address = "sms", phones[contact_id]
    else:
        return
    outreach_service.mark_identity_verified(
        db_session=db_session,
        debtor_id=debtor_id,
        channel=channel,
        address=address,
        method="portal_otp",
        actor=debtor_actor(debtor_id),
    )


# Sessions --------------------------------------------------------------------------------------


def start_session(
    *, db_session: Session, debtor_id: int, lang: str, now: datetime
) -> tuple[PortalSession, str]:
    """A new debtor session; returns the row and the cookie value (shown once)."""
    clear = security.new_secret()
    session = PortalSession(
        token_hash=security.digest(clear),
        csrf_token=security.csrf_for(clear),
        debtor_id=debtor_id,
        lang=lang,
        created_at=now,
        expires_at=now + timedelta(minutes=get_portal_settings().session_minutes),
    )
    db_session.add(session)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=debtor_actor(debtor_id),
        action="portal.session_started",
        object_type="portal_session",
        object_id=session.id,
        change={"debtor_id": debtor_id},
        detail={"debtor_id": debtor_id},
    )
    return session, clear


def get_session(*, db_session: Session, clear: str | None, now: datetime) -> PortalSession | None:
    """The live debtor session of a cookie value, or None (idle expiry: :mod:`views`)."""
    if not clear:
        return None
    session = db_session.scalar(
        select(PortalSession).where(PortalSession.token_hash == security.digest(clear))
    )
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        return None
    return session


def end_session(*, db_session: Session, session: PortalSession, now: datetime) -> None:
    """Sign the debtor out (audited)."""
    session.revoked_at = now
    audit_service.record(
        db_session=db_session,
        actor=debtor_actor(session.debtor_id),
        action="portal.session_ended",
        object_type="portal_session",
        object_id=session.id,
        change={"debtor_id": session.debtor_id},
    )


def count_attempts(*, db_session: Session, step: str) -> int:
    """How many attempts of a step are stored (for tests and the console's figures)."""
    return (
        db_session.scalar(
            select(func.count()).select_from(PortalAttempt).where(PortalAttempt.step == step)
        )
        or 0
    )
