"""WhatsApp Business through Meta's Cloud API: messages endpoint and signed webhooks.

Send: ``POST {graph}/{version}/{phone-number-id}/messages`` with a bearer token and
``{"messaging_product": "whatsapp", "to", "type": "text"|"template", ...}``; the answer
is ``{"messages": [{"id": "wamid..."}]}`` or ``{"error": {"code", "message", ...}}``.
Statuses (sent, delivered, read, failed) and the person's messages arrive by webhook: a
``POST`` whose raw body is signed in ``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body
with the app secret>``; the subscription is confirmed by a ``GET`` echoing ``hub.challenge``
when ``hub.verify_token`` matches.

The API takes no idempotency key: a request repeated after a crash is a second message.
The outbox's key rides in ``biz_opaque_callback_data``, which Meta echoes in the message's
status webhooks: a status for a message whose send was never recorded (its worker died after
Meta accepted it) names the outbox message, which is then recorded as sent, not sent again
(see ``outbox`` and docs/outreach.md on what remains possible).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

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

PREFIX = "whatsapp:"
# Meta's error codes (Cloud API error codes reference) and what the outbox does with them.
# Throttling: the provider pauses (Retry-After or back-off), the message keeps its place.
THROTTLED = {4, 80007, 130429, 131048, 131056}
# Meta's side is unavailable: an outage, the same.
UNAVAILABLE = {1, 2, 131000, 131016}
# The message cannot go as it is: final for this message.
REFUSED_REASONS = {
    131047: "more than 24 hours since the person last wrote: only a template may be sent",
    131026: "the number cannot receive this message (not on WhatsApp, or old app)",
    131051: "unsupported message type",
    132000: "template parameters do not match the template",
    132001: "template does not exist in this language",
    190: "access token expired or invalid",
}


def meta_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for this body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_meta_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether the header is Meta's signature of exactly these bytes (constant-time)."""
    return bool(header) and crypto.same_secret(meta_signature(app_secret, body), header or "")


def _number(address: str) -> str:
    # The Cloud API wants the number with its country code, digits only.
    return "".join(c for c in address.removeprefix(PREFIX) if c.isdigit())


class WhatsAppCloudChannel:
    """Sends through one WhatsApp Business phone number; replies and statuses by webhook."""

    def __init__(
        self,
        *,
        phone_number_id: str,
        token: str,
        base_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        name: str = "social_dm",
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.name = name
        self.path = f"/{api_version}/{phone_number_id}/messages"
        self._client = client or httpx.Client(
            base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    def payload(self, message: OutgoingMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": _number(message.to),
            "biz_opaque_callback_data": message.idempotency_key,
        }
        template = message.metadata.get("template")
        if template:
            # Outside the 24-hour window only an approved template may open the conversation;
            # the message's text fills the template's one body parameter.
            body["type"] = "template"
            body["template"] = {
                "name": template,
                "language": {"code": message.metadata.get("template_language", "en")},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": message.body}]}
                ],
            }
        else:
            body["type"] = "text"
            body["text"] = {"preview_url": False, "body": message.body}
        return body

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            r = self._client.post(self.path, json=self.payload(message))
        except httpx.HTTPError as exc:
            return SendResult("failed", error=f"WhatsApp unreachable: {exc}", outage=True)
        if r.status_code == 200:
            return SendResult("sent", provider_id=str(r.json()["messages"][0]["id"]))
        try:
            error = r.json().get("error", {})
        except ValueError:
            error = {}
        code = int(error.get("code", 0) or 0)
        text = f"WhatsApp {r.status_code} code {code}: {error.get('message', '')}".strip()
        if code in THROTTLED or r.status_code == 429:
            return SendResult(
                "failed", error=text, retryable=True, outage=True, retry_after=retry_after(r),
                code=str(code),
            )  # fmt: skip
        if code in UNAVAILABLE or r.status_code >= 500:
            return SendResult("failed", error=text, retryable=True, outage=True, code=str(code))
        reason = REFUSED_REASONS.get(code)
        return SendResult("failed", error=f"{text} ({reason})" if reason else text, code=str(code))

    def status(self, provider_id: str) -> SendStatus | None:
        return None  # statuses come by webhook

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        return []  # the person's messages come by webhook


def _at(timestamp: object) -> datetime:
    return datetime.fromtimestamp(int(str(timestamp)), UTC)


def parse_webhook(
    body: bytes, *, channel: str = "social_dm"
) -> tuple[list[InboundMessage], list[StatusEvent]]:
    """The messages and statuses of one (already authenticated) webhook delivery.

    Raises ValueError for a body that is not a WhatsApp Business Account notification.
    """
    data = json.loads(body)
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise ValueError("not a whatsapp_business_account notification")
    inbound: list[InboundMessage] = []
    events: list[StatusEvent] = []
    for entry in data.get("entry", []):
        for change in entry.get("changes", []):
            value = change.get("value", {})
            for m in value.get("messages", []):
                text = (m.get("text") or {}).get("body") or (m.get("button") or {}).get("text")
                inbound.append(
                    InboundMessage(
                        provider_id=str(m["id"]),
                        channel=channel,
                        sender=PREFIX + "+" + _number(str(m["from"])),
                        text=str(text if text is not None else f"[{m.get('type', 'message')}]"),
                        received_at=_at(m["timestamp"]),
                        in_reply_to=(m.get("context") or {}).get("id"),
                    )
                )
            for s in value.get("statuses", []):
                errors = s.get("errors") or [{}]
                events.append(
                    StatusEvent(
                        key=f"whatsapp:{s['id']}:{s['status']}",
                        channel=channel,
                        provider_id=str(s["id"]),
                        status=str(s["status"]),
                        at=_at(s["timestamp"]),
                        detail=str(errors[0].get("code", "")) or None,
                        idempotency_key=s.get("biz_opaque_callback_data") or None,
                    )
                )
    return inbound, events
