"""Mail that comes back: a person's reply, a bounce (DSN, RFC 3464) or a complaint (ARF,
RFC 5965), told apart and turned into what the outbox records.

A reply is threaded to its case by ``In-Reply-To`` (our Message-ID is the message's
provider id); a bounce or a complaint names our message in the returned headers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, message_from_string
from email.message import EmailMessage, Message
from email.policy import default as default_policy
from email.utils import parseaddr, parsedate_to_datetime

from concilia.outreach.channels.base import InboundMessage, StatusEvent


def _original_message_id(report: Message) -> str | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return str(inner["Message-ID"]).strip()
        if kind == "text/rfc822-headers":
            data = part.get_payload(decode=True)
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
            headers = message_from_string(text)
            if headers.get("Message-ID"):
                return str(headers["Message-ID"]).strip()
    return None


def _fields(report: Message, kind: str) -> list[Message]:
    for part in report.walk():
        if part.get_content_type() == kind:
            payload = part.get_payload()
            if isinstance(payload, list):
                return [p for p in payload if isinstance(p, Message)]
    return []


def _when(mail: Message) -> datetime:
    try:
        return parsedate_to_datetime(str(mail["Date"])).astimezone(UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


def parse_mail(raw: bytes, *, channel: str = "email") -> InboundMessage | StatusEvent | None:
    """What one received mail is: a reply, a status event, or None (e.g. a delay notice).

    Raises ValueError when the mail has no Message-ID (nothing to de-duplicate it by).
    """
    mail = message_from_bytes(raw, policy=default_policy)
    own_id = str(mail.get("Message-ID") or "").strip()
    if not own_id:
        raise ValueError("the mail has no Message-ID")
    if mail.get_content_type() == "multipart/report":
        report_type = str(mail.get_param("report-type") or "").lower()
        original = _original_message_id(mail)
        if report_type == "delivery-status" and original:
            recipients = _fields(mail, "message/delivery-status")[1:]
            failed = [r for r in recipients if str(r.get("Action", "")).lower() == "failed"]
            if not failed:
                return None  # delayed, relayed or delivered: nothing changes yet
            code = str(failed[0].get("Status", "")).strip()
            return StatusEvent(
                key=f"dsn:{own_id}",
                channel=channel,
                provider_id=original,
                status="bounced",
                at=_when(mail),
                detail=code or None,
                permanent=code.startswith("5"),
            )
        if report_type == "feedback-report" and original:
            [fields, *_] = _fields(mail, "message/feedback-report") or [Message()]
            return StatusEvent(
                key=f"arf:{own_id}",
                channel=channel,
                provider_id=original,
                status="complained",
                at=_when(mail),
                detail=str(fields.get("Feedback-Type", "abuse")),
            )
    body = mail.get_body(preferencelist=("plain",)) if isinstance(mail, EmailMessage) else None
    text = body.get_content() if body is not None else ""
    reply_to = mail.get("In-Reply-To")
    return InboundMessage(
        provider_id=own_id,
        channel=channel,
        sender=parseaddr(str(mail.get("From", "")))[1],
        text=str(text).strip(),
        received_at=_when(mail),
        in_reply_to=str(reply_to).strip() if reply_to else None,
    )
