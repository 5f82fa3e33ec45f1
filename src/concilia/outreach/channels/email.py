"""E-mail over SMTP (smtplib): the idempotency key in the Message-ID, DKIM signing (dkimpy)
when a key is configured, one-click List-Unsubscribe (RFC 8058). Bounces and complaints
come back as mail: see :mod:`concilia.outreach.channels.mailparse`."""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

import dkim  # type: ignore[import-untyped]  # dkimpy ships no type hints

from concilia.outreach.channels.base import InboundMessage, OutgoingMessage, SendResult, SendStatus

# RFC 5322's hard limit: a long unbroken header (a List-Unsubscribe URL) must stay one word,
# not be folded into encoded words that no mailbox provider would follow.
SMTP_POLICY = SMTP.clone(max_line_length=998)
# Headers the DKIM signature covers when present (RFC 6376 5.4; RFC 8058 for the last two).
DKIM_HEADERS = [
    b"From", b"To", b"Subject", b"Date", b"Message-ID",
    b"List-Unsubscribe", b"List-Unsubscribe-Post",
]  # fmt: skip


@dataclass(frozen=True)
class DkimKey:
    """The signing domain, its DNS selector and the PEM private key published under it."""

    domain: str
    selector: str
    private_key: bytes


class SmtpChannel:
    """Sends through an SMTP server; 5xx refusals fail for good, the rest is retried."""

    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
        dkim: DkimKey | None = None,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout
        self.dkim = dkim

    def message_id(self, idempotency_key: str) -> str:
        # The same key always gives the same Message-ID, so a duplicate is recognisable
        # by any server or client that de-duplicates on it.
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        domain = self.sender.rpartition("@")[2] or "localhost"
        return f"<{digest}@{domain}>"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = self.message_id(message.idempotency_key)
        mail["X-Concilia-Idempotency-Key"] = message.idempotency_key
        unsubscribe = message.metadata.get("unsubscribe_url")
        if unsubscribe:
            # RFC 8058 one-click: the mailbox provider POSTs "List-Unsubscribe=One-Click" to
            # the URL; the header must be covered by the DKIM signature (below).
            mail["List-Unsubscribe"] = f"<{unsubscribe}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mail.set_content(message.body)
        for a in message.attachments:
            maintype, _, subtype = a.mime_type.partition("/")
            mail.add_attachment(a.content, maintype=maintype, subtype=subtype, filename=a.filename)
        return mail

    def signed_bytes(self, mail: EmailMessage) -> bytes:
        """The message as sent: with a DKIM-Signature header when a key is configured."""
        raw = mail.as_bytes(policy=SMTP_POLICY)
        if self.dkim is None:
            return raw
        present = [h for h in DKIM_HEADERS if mail[h.decode()] is not None]
        signature: bytes = dkim.sign(
            raw,
            self.dkim.selector.encode(),
            self.dkim.domain.encode(),
            self.dkim.private_key,
            include_headers=present,
        )
        return signature + raw

    def send(self, message: OutgoingMessage) -> SendResult:
        mail = self.build(message)
        raw = self.signed_bytes(mail)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.sendmail(self.sender, [message.to], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            return SendResult("failed", error=f"recipient refused {codes}", retryable=not permanent)
        except smtplib.SMTPResponseException as exc:
            return SendResult(
                "failed", error=f"SMTP {exc.smtp_code}", retryable=exc.smtp_code < 500
            )
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            return SendResult("failed", error=f"SMTP unreachable: {exc}", retryable=True)
        return SendResult("sent", provider_id=mail["Message-ID"])

    def status(self, provider_id: str) -> SendStatus | None:
        return None  # SMTP has no delivery receipts here; bounces arrive as replies.

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        return []  # inbound mail is fed by the mailbox integration, not by SMTP
