"""SMS through Twilio's Messages resource, with status callbacks and inbound webhooks.

Send: ``POST {api}/2010-04-01/Accounts/{AccountSid}/Messages.json`` (HTTP Basic: account
SID and auth token), form fields ``To``, ``From`` (or ``MessagingServiceSid``), ``Body``,
``StatusCallback``; the answer (201) is the message resource (``sid``, ``status`` queued).
Errors are ``{"code", "message", "more_info", "status"}``. Fetch: ``GET .../Messages/{Sid}.json``.
Status callbacks and inbound messages are form ``POST``s to our URLs, signed in
``X-Twilio-Signature``: base64(HMAC-SHA1(auth token, full URL + each parameter name and value,
sorted by name)).

Crash safety: the outbox's key is sent in the ``I-Twilio-Idempotency-Token`` header of the
create request, so a send retried after a worker died mid-request is recognised as the same
message (the fake answers the first SID and sends nothing twice). Twilio documents this
header on the requests it makes to us (webhook retries); that its API de-duplicates creates
on it is what the fake assumes and what must be confirmed on a real account before relying
on it. As a second safeguard the key also rides in the status callback's URL (``?key=``):
a callback for a message whose send was never recorded (the worker died after Twilio
accepted it) names the outbox message, which is then recorded as sent instead of re-sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx

from concilia import crypto
from concilia.outreach.channels.base import (
    InboundMessage,
    OutgoingMessage,
    SendResult,
    SendStatus,
    StatusEvent,
)
from concilia.outreach.channels.http_provider import retry_after

# Twilio error codes (its error dictionary) that no retry can fix, with the reason shown.
REFUSED_REASONS = {
    21211: "the 'To' number is not a valid phone number",
    21408: "SMS to this region is not enabled on the account",
    21610: "the person replied STOP to this sender: Twilio refuses to message them",
    21612: "the 'To' number cannot be reached from this sender",
    21614: "the 'To' number is not a mobile number",
    30007: "carrier filtered the message",
    20003: "authentication failed (account SID or auth token)",
}
UNSUBSCRIBED = 21610
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
TOO_MANY_REQUESTS = 20429
_STATUS: dict[str, SendStatus] = {
    "accepted": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
}


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The ``X-Twilio-Signature`` Twilio computes for a form POST to ``url``."""
    data = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_twilio_signature(
    auth_token: str, url: str, params: Mapping[str, str], header: str | None
) -> bool:
    """Whether the header is Twilio's signature of this URL and these parameters."""
    expected = twilio_signature(auth_token, url, params)
    return bool(header) and crypto.same_secret(expected, header or "")


class TwilioSmsChannel:
    """One Twilio sender (a number or a messaging service)."""

    name = "sms"
    # A create repeated with the same key returns the first message (see module docstring).
    idempotent = True

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        base_url: str = "https://api.twilio.com",
        status_callback: str | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.account_sid, self.sender, self.status_callback = account_sid, sender, status_callback
        self.base = f"/2010-04-01/Accounts/{account_sid}/Messages"
        self._client = client or httpx.Client(
            base_url=base_url, timeout=timeout, auth=(account_sid, auth_token)
        )

    def form(self, message: OutgoingMessage) -> dict[str, str]:
        form = {"To": message.to, "Body": message.body}
        form["MessagingServiceSid" if self.sender.startswith("MG") else "From"] = self.sender
        if self.status_callback:
            sep = "&" if "?" in self.status_callback else "?"
            form["StatusCallback"] = (
                f"{self.status_callback}{sep}{urlencode({'key': message.idempotency_key})}"
            )
        return form

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            r = self._client.post(
                f"{self.base}.json",
                data=self.form(message),
                headers={IDEMPOTENCY_HEADER: message.idempotency_key},
            )
        except httpx.HTTPError as exc:
            return SendResult("failed", error=f"Twilio unreachable: {exc}", outage=True)
        if r.status_code in (200, 201):
            data = r.json()
            return SendResult(_STATUS.get(str(data.get("status")), "sent"), provider_id=data["sid"])
        try:
            body = r.json()
        except ValueError:
            body = {}
        code = int(body.get("code") or 0)
        text = f"Twilio {r.status_code} code {code}: {body.get('message', '')}".strip()
        if r.status_code == 429 or code == TOO_MANY_REQUESTS:
            return SendResult(
                "failed", error=text, retryable=True, outage=True, retry_after=retry_after(r),
                code=str(code),
            )  # fmt: skip
        if r.status_code >= 500:
            return SendResult("failed", error=text, retryable=True, outage=True, code=str(code))
        reason = REFUSED_REASONS.get(code)
        return SendResult(
            "failed",
            error=f"{text} ({reason})" if reason else text,
            code=str(code),
            unsubscribed=code == UNSUBSCRIBED,
        )

    def status(self, provider_id: str) -> SendStatus | None:
        try:
            r = self._client.get(f"{self.base}/{provider_id}.json")
        except httpx.HTTPError:
            return None
        return _STATUS.get(str(r.json().get("status"))) if r.status_code == 200 else None

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        return []  # inbound SMS come by webhook


def parse_status(
    params: Mapping[str, str], *, channel: str = "sms", outbox_key: str | None = None
) -> StatusEvent:
    """A status callback's event; its key is the message and the status (a replay repeats it).

    ``outbox_key``: the ``key`` of the callback URL (the outbox's idempotency key)."""
    sid, status = params["MessageSid"], params["MessageStatus"]
    return StatusEvent(
        idempotency_key=outbox_key or None,
        key=f"twilio:{sid}:{status}",
        channel=channel,
        provider_id=sid,
        status=status,
        at=datetime.now(UTC),
        detail=params.get("ErrorCode") or None,
        # 30003-30006: unreachable, blocked, unknown or landline: that number will not work.
        permanent=params.get("ErrorCode") in ("30003", "30005", "30006"),
    )


def parse_inbound(params: Mapping[str, str], *, channel: str = "sms") -> InboundMessage:
    """An inbound SMS webhook as a reply (threaded to the case by the sender's number)."""
    return InboundMessage(
        provider_id=params["MessageSid"],
        channel=channel,
        sender=params["From"],
        text=params.get("Body", ""),
        received_at=datetime.now(UTC),
    )
