"""Inbound e-mail by IMAP (imaplib): the agency's mailbox polled for replies, bounces (DSN)
and complaints (ARF), each read by :func:`mailparse.parse_mail` and threaded to its case by
``In-Reply-To`` like the mail posted to the inbound webhook.

Mail is fetched without being marked (``BODY.PEEK[]``) and marked ``\\Seen`` only once the
caller has committed what it stored: a pass that fails leaves the mail unseen for the next
one, and a mail fetched twice is stored once (its Message-ID or event key is unique).
"""

from __future__ import annotations

import imaplib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from concilia.outreach.channels.base import InboundMessage, StatusEvent
from concilia.outreach.channels.mailparse import parse_mail

_UID = re.compile(rb"UID (\d+)")


@dataclass(frozen=True)
class FetchedMail:
    uid: str
    parsed: InboundMessage | StatusEvent | None
    # Why the mail could not be read (then ``parsed`` is None); it is marked seen all the
    # same, or it would be fetched again at every pass.
    problem: str | None = None


class ImapMailbox:
    """One IMAP mailbox (INBOX by default), over TLS unless ``ssl`` is False (tests)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        password: str,
        mailbox: str = "INBOX",
        ssl: bool = True,
        timeout: float = 30.0,
        limit: int = 200,
    ) -> None:
        self.host, self.port, self.ssl, self.timeout = host, port, ssl, timeout
        self.username, self.password, self.mailbox, self.limit = username, password, mailbox, limit

    def _connect(self) -> imaplib.IMAP4:
        cls = imaplib.IMAP4_SSL if self.ssl else imaplib.IMAP4
        client = cls(self.host, self.port, timeout=self.timeout)
        client.login(self.username, self.password)
        status, _ = client.select(self.mailbox)
        if status != "OK":
            client.logout()
            raise imaplib.IMAP4.error(f"cannot select mailbox {self.mailbox!r}")
        return client

    def fetch_unseen(self) -> list[FetchedMail]:
        """The unseen mail (at most ``limit``, oldest first), read but left unseen."""
        client = self._connect()
        try:
            status, data = client.uid("SEARCH", "UNSEEN")
            if status != "OK":
                raise imaplib.IMAP4.error("UID SEARCH UNSEEN refused")
            uids = (data[0] or b"").split()[: self.limit]
            out: list[FetchedMail] = []
            for uid in uids:
                status, parts = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
                raw = next(
                    (p[1] for p in parts if isinstance(p, tuple) and _UID.search(p[0] or b"")),
                    None,
                )
                if status != "OK" or raw is None:
                    continue
                try:
                    parsed = parse_mail(raw)
                except ValueError as exc:
                    out.append(FetchedMail(uid.decode(), None, str(exc)))
                    continue
                out.append(FetchedMail(uid.decode(), parsed))
            return out
        finally:
            _close(client)

    def mark_seen(self, uids: Sequence[str]) -> None:
        """Flag these mails ``\\Seen`` (after their contents are committed)."""
        if not uids:
            return
        client = self._connect()
        try:
            client.uid("STORE", ",".join(uids), "+FLAGS", "(\\Seen)")
        finally:
            _close(client)


def _close(client: imaplib.IMAP4) -> None:
    try:
        client.close()
    finally:
        client.logout()
