"""E-mail over SMTP (smtplib), with the idempotency key in the Message-ID."""

from __future__ import annotations

import hashlib
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate

from concilia.outreach.channels.base import InboundMessage, OutgoingMessage, SendResult, SendStatus


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
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.starttls, self.timeout = starttls, timeout

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
        mail.set_content(message.body)
        for a in message.attachments:
            maintype, _, subtype = a.mime_type.partition("/")
            mail.add_attachment(a.content, maintype=maintype, subtype=subtype, filename=a.filename)
        return mail

    def send(self, message: OutgoingMessage) -> SendResult:
        mail = self.build(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username and self.password:
                    smtp.login(self.username, self.password)
                smtp.send_message(mail)
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
