"""One ``social_dm`` channel over several platforms, chosen by the address's prefix."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from concilia.outreach.channels.base import (
    Channel,
    InboundMessage,
    OutgoingMessage,
    SendResult,
    SendStatus,
)


class PlatformRouter:
    """``whatsapp:...`` goes to WhatsApp, ``messenger:...`` to the Page, and so on; an address
    of an unconfigured platform is refused (never sent through another platform)."""

    def __init__(self, routes: Mapping[str, Channel], *, name: str = "social_dm") -> None:
        self.name = name
        self.routes = dict(routes)

    def _route(self, address: str) -> Channel | None:
        prefix, sep, _ = address.partition(":")
        return self.routes.get(prefix) if sep else None

    def send(self, message: OutgoingMessage) -> SendResult:
        channel = self._route(message.to)
        if channel is None:
            prefix = message.to.partition(":")[0]
            return SendResult("failed", error=f"no platform configured for {prefix!r} addresses")
        return channel.send(message)

    def status(self, provider_id: str) -> SendStatus | None:
        return None  # the platforms here report by webhook

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        return [m for c in self.routes.values() for m in c.fetch_replies(since)]
