"""Loopback servers for the channel tests: an SMTP server (aiosmtpd) and the provider stub."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest


class _Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """An SMTP server on 127.0.0.1; ``.handler.messages`` holds what it received."""
    from aiosmtpd.controller import Controller

    sink = _Sink()
    # aiosmtpd connects to its own port at start-up, so it needs a real one, not 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def provider() -> Iterator[Any]:
    from concilia.outreach.channels.provider_stub import ProviderStub

    with ProviderStub(token="test-token") as stub:
        yield stub


@pytest.fixture
def case_id(db_session: Any) -> int:
    """A US case (Jane Roe, jane@example.org, +1 212 555 0100, New York)."""
    from tests.outreach.test_outbox import make_case

    return make_case(db_session)
