"""Messenger and Instagram private messages through Meta's Send API, where the person wrote first.

Send: ``POST {graph}/{version}/me/messages`` (the Page's token as bearer) with
``{"recipient": {"id": PSID}, "messaging_type": "RESPONSE" | "MESSAGE_TAG", "message":
{"text"}, "tag"?}``; the answer is ``{"recipient_id", "message_id"}`` or Meta's ``{"error":
{"code", "error_subcode", "message"}}``. The person's messages, deliveries and reads arrive
by webhook (``object`` page or instagram, ``entry[].messaging[]``), signed like WhatsApp's
(``X-Hub-Signature-256``). Addresses: ``messenger:<PSID>`` or ``instagram:<IGSID>``.

The Send API takes no idempotency key: a request repeated after a crash is a second message.
The outbox's key goes in ``message.metadata``, which Meta returns in the Page's
``message_echoes`` webhook: the echo of a message whose send was never recorded names the
outbox message, which is then recorded as sent instead of being sent again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from concilia.outreach.channels.base import (
    InboundMessage,
    OutgoingMessage,
    SendResult,
    SendStatus,
    StatusEvent,
)
from concilia.outreach.channels.http_provider import retry_after

THROTTLED = {4, 17, 32, 613}
UNAVAILABLE = {1, 2}
# (code, subcode) Meta answers for a message the platform refuses.
REFUSED_REASONS = {
    (10, 2018278): "sent outside the allowed messaging window",
    (100, 2018001): "no such person for this Page",
    (551, 1545041): "the person is not available (blocked the Page or left)",
    (200, 2018028): "the Page may not message this person",
    (190, 0): "access token expired or invalid",
}


class MetaSendChannel:
    """One Facebook Page (Messenger) or Instagram professional account."""

    def __init__(
        self,
        *,
        token: str,
        base_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        name: str = "social_dm",
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.name = name
        self.path = f"/{api_version}/me/messages"
        self._client = client or httpx.Client(
            base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    def payload(self, message: OutgoingMessage) -> dict[str, Any]:
        _, _, psid = message.to.partition(":")
        body: dict[str, Any] = {
            "recipient": {"id": psid},
            "messaging_type": "RESPONSE",
            "message": {"text": message.body, "metadata": message.idempotency_key},
        }
        tag = message.metadata.get("tag")
        if tag:
            body["messaging_type"] = "MESSAGE_TAG"
            body["tag"] = tag
        return body

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            r = self._client.post(self.path, json=self.payload(message))
        except httpx.HTTPError as exc:
            return SendResult("failed", error=f"Meta unreachable: {exc}", outage=True)
        if r.status_code == 200:
            return SendResult("sent", provider_id=str(r.json()["message_id"]))
        try:
            error = r.json().get("error", {})
        except ValueError:
            error = {}
        code, sub = int(error.get("code", 0) or 0), int(error.get("error_subcode", 0) or 0)
        text = f"Meta {r.status_code} code {code}/{sub}: {error.get('message', '')}".strip()
        if code in THROTTLED or r.status_code == 429:
            return SendResult(
                "failed", error=text, retryable=True, outage=True, retry_after=retry_after(r),
                code=str(code),
            )  # fmt: skip
        if code in UNAVAILABLE or r.status_code >= 500:
            return SendResult("failed", error=text, retryable=True, outage=True, code=str(code))
        reason = REFUSED_REASONS.get((code, sub))
        return SendResult(
            "failed", error=f"{text} ({reason})" if reason else text, code=f"{code}/{sub}"
        )

    def status(self, provider_id: str) -> SendStatus | None:
        return None  # deliveries and reads come by webhook

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        return []  # the person's messages come by webhook


def parse_webhook(
    body: bytes, *, channel: str = "social_dm"
) -> tuple[list[InboundMessage], list[StatusEvent]]:
    """Messages and delivery/read events of one (authenticated) Page or Instagram delivery.

    Raises ValueError for a body that is neither.
    """
    data = json.loads(body)
    kind = data.get("object") if isinstance(data, dict) else None
    if kind not in ("page", "instagram"):
        raise ValueError("not a page or instagram notification")
    prefix = "messenger:" if kind == "page" else "instagram:"
    inbound: list[InboundMessage] = []
    events: list[StatusEvent] = []
    for entry in data.get("entry", []):
        for event in entry.get("messaging", []):
            at = datetime.fromtimestamp(int(event["timestamp"]) / 1000, UTC)
            sender = prefix + str(event["sender"]["id"])
            message = event.get("message")
            if message and message.get("is_echo"):
                # Our own message, echoed: proof it went, with our key when we set one.
                events.append(
                    StatusEvent(
                        key=f"meta:{message['mid']}:echo",
                        channel=channel,
                        provider_id=str(message["mid"]),
                        status="sent",
                        at=at,
                        idempotency_key=message.get("metadata") or None,
                    )
                )
            elif message:
                inbound.append(
                    InboundMessage(
                        provider_id=str(message["mid"]),
                        channel=channel,
                        sender=sender,
                        text=str(message.get("text", "[attachment]")),
                        received_at=at,
                        in_reply_to=(message.get("reply_to") or {}).get("mid"),
                    )
                )
            for mid in (event.get("delivery") or {}).get("mids", []):
                events.append(
                    StatusEvent(
                        key=f"meta:{mid}:delivered",
                        channel=channel,
                        provider_id=str(mid),
                        status="delivered",
                        at=at,
                    )
                )
    return inbound, events
