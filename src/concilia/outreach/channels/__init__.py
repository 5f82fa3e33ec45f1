"""Channels: one interface (send, status, fetch replies) over SMTP, HTTP providers and letters."""

from concilia.outreach.channels.base import (
    Attachment,
    Channel,
    ChannelError,
    InboundMessage,
    OutgoingMessage,
    SendResult,
    StatusEvent,
    is_idempotent,
)

__all__ = [
    "Attachment",
    "Channel",
    "ChannelError",
    "InboundMessage",
    "OutgoingMessage",
    "SendResult",
    "StatusEvent",
    "is_idempotent",
]
