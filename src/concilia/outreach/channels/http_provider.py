"""SMS and social private messages through an HTTP provider (documented in docs/outreach.md).

Protocol (JSON over HTTPS, bearer token):
  POST {base}/v1/messages      {"channel", "to", "text", "idempotency_key"}
       header Idempotency-Key   -> 200/201/202 {"id", "status"}; the same key returns the
                                   first message again (never a second delivery)
  GET  {base}/v1/messages/{id} -> {"id", "status": queued|sent|delivered|failed}
  GET  {base}/v1/inbound?since=ISO8601&channel=... -> {"messages": [{"id", "channel", "from",
       "text", "received_at", "in_reply_to"}]}
Status 4xx (except 408/429) is a refusal that a retry cannot fix; 5xx, 408, 429 and network
errors are retried by the outbox.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from concilia.outreach.channels.base import InboundMessage, OutgoingMessage, SendResult, SendStatus

_RETRYABLE = {408, 429}
_STATUSES: dict[str, SendStatus] = {"sent": "sent", "delivered": "delivered", "failed": "failed"}


def retry_after(response: httpx.Response) -> float | None:
    """The Retry-After header in seconds (RFC 9110: delay-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


class HttpProviderChannel:
    # The protocol's Idempotency-Key: the same key returns the first message.
    idempotent = True

    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        token: str,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        self.name = name
        self._client = client or httpx.Client(
            base_url=base_url, timeout=timeout, headers={"Authorization": f"Bearer {token}"}
        )

    def close(self) -> None:
        self._client.close()

    def send(self, message: OutgoingMessage) -> SendResult:
        payload = {
            "channel": message.channel,
            "to": message.to,
            "text": message.body,
            "idempotency_key": message.idempotency_key,
        }
        try:
            r = self._client.post(
                "/v1/messages", json=payload, headers={"Idempotency-Key": message.idempotency_key}
            )
        except httpx.HTTPError as exc:
            return SendResult(
                "failed", error=f"provider unreachable: {exc}", retryable=True, outage=True
            )
        if r.status_code >= 400:
            retry = r.status_code >= 500 or r.status_code in _RETRYABLE
            return SendResult(
                "failed",
                error=f"provider HTTP {r.status_code}",
                retryable=retry,
                outage=retry,
                retry_after=retry_after(r),
            )
        data: dict[str, Any] = r.json()
        status = _STATUSES.get(str(data.get("status")), "sent")
        return SendResult(status, provider_id=str(data["id"]))

    def status(self, provider_id: str) -> SendStatus | None:
        try:
            r = self._client.get(f"/v1/messages/{provider_id}")
        except httpx.HTTPError:
            return None
        if r.status_code != 200:
            return None
        return _STATUSES.get(str(r.json().get("status")))

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        params = {"channel": self.name}
        if since is not None:
            params["since"] = since.isoformat()
        r = self._client.get("/v1/inbound", params=params)
        r.raise_for_status()
        return [
            InboundMessage(
                provider_id=str(m["id"]),
                channel=str(m.get("channel", self.name)),
                sender=str(m["from"]),
                text=str(m["text"]),
                received_at=datetime.fromisoformat(m["received_at"]),
                in_reply_to=m.get("in_reply_to"),
            )
            for m in r.json()["messages"]
        ]
