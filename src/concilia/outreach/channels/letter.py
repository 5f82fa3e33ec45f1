"""Letters: the PDF is written to a print-and-post folder (the printer's drop directory)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from concilia.outreach.channels.base import InboundMessage, OutgoingMessage, SendResult, SendStatus


class LetterChannel:
    name = "letter"

    def __init__(self, *, out_dir: Path) -> None:
        self.out_dir = out_dir

    def send(self, message: OutgoingMessage) -> SendResult:
        pdfs = [a for a in message.attachments if a.mime_type == "application/pdf"]
        if len(pdfs) != 1:
            return SendResult("failed", error="a letter needs exactly one PDF", retryable=False)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", message.idempotency_key)
        path = self.out_dir / f"{safe}.pdf"
        # Same key, same file name: a retried send overwrites, it never posts twice.
        self.out_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(pdfs[0].content)
        tmp.replace(path)
        return SendResult("sent", provider_id=path.name)

    def status(self, provider_id: str) -> SendStatus | None:
        return None

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        return []
