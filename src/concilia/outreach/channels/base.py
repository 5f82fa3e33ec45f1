"""The channel interface every transport implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

SendStatus = Literal["sent", "delivered", "failed"]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/pdf"


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str
    to: str
    body: str
    # The outbox's key: a provider that sees it twice must not deliver twice.
    idempotency_key: str
    subject: str = ""
    attachments: tuple[Attachment, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    status: SendStatus
    provider_id: str | None = None
    error: str | None = None
    # False for errors a retry cannot fix (refused address, rejected content).
    retryable: bool = False
    # The provider itself is down or throttling us (5xx, unreachable, 429): nothing is wrong
    # with this message, so the outbox pauses the provider instead of spending the message's
    # attempts, and the queue drains in order when it answers again.
    outage: bool = False
    # Seconds the provider asked us to wait (HTTP Retry-After), when it said.
    retry_after: float | None = None
    # The provider's own error code (e.g. Twilio 21610, Meta 131047), for the reason shown.
    code: str | None = None
    # The provider refuses because the person unsubscribed from us there (Twilio 21610:
    # they replied STOP): the address is opted out, the message never retried.
    unsubscribed: bool = False


@dataclass(frozen=True)
class InboundMessage:
    provider_id: str
    channel: str
    sender: str
    text: str
    received_at: datetime
    in_reply_to: str | None = None  # provider id of our message, when the provider knows it


@dataclass(frozen=True)
class StatusEvent:
    """A status a provider pushed about one of our messages (webhook, DSN, feedback loop)."""

    # Unique per event at the provider: a replayed webhook carries the same key.
    key: str
    channel: str
    provider_id: str
    # sent | delivered | read | failed | undelivered | bounced | complained
    status: str
    at: datetime
    detail: str | None = None
    permanent: bool = False  # a hard bounce (5.x.x), as opposed to a soft one
    # The outbox's key when the provider echoes it (WhatsApp's biz_opaque_callback_data,
    # Messenger's echoed metadata, Twilio's callback URL): it finds a message whose send
    # reached the provider but was never recorded (the worker died before its commit).
    idempotency_key: str | None = None


class ChannelError(Exception):
    """A transport failure; ``retryable`` tells the outbox whether to try again later."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def is_idempotent(channel: object) -> bool:
    """Whether the provider de-duplicates a repeated send by the message's key (a resend
    after a crash is then harmless); channels that do not say are assumed not to."""
    return bool(getattr(channel, "idempotent", False))


@runtime_checkable
class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendResult:
        """Hand the message to the transport; never raises for a refused message."""
        ...

    def status(self, provider_id: str) -> SendStatus | None:
        """Delivery status if the transport reports one, else None."""
        ...

    def fetch_replies(self, since: datetime | None) -> list[InboundMessage]:
        """Replies received since the given time (empty where the transport has none)."""
        ...
