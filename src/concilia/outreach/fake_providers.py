"""Local fakes of every provider, started together: what demos and trials send through
when no provider account is configured (nothing leaves the machine)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from concilia.outreach.channels.fakes import FakeMessenger, FakeTwilio, FakeWhatsApp

SENDER = "+15550001111"


@dataclass(frozen=True)
class FakeProviders:
    whatsapp: FakeWhatsApp
    messenger: FakeMessenger
    twilio: FakeTwilio

    def environment(self) -> dict[str, str]:
        """The CONCILIA_OUTREACH_* settings that send through these fakes."""
        settings = {
            "WHATSAPP_BASE_URL": self.whatsapp.url,
            "WHATSAPP_PHONE_NUMBER_ID": "PN-1",
            "WHATSAPP_TOKEN": self.whatsapp.token,
            "WHATSAPP_APP_SECRET": self.whatsapp.app_secret,
            "META_BASE_URL": self.messenger.url,
            "META_PAGE_TOKEN": self.messenger.token,
            "META_APP_SECRET": self.messenger.app_secret,
            "TWILIO_BASE_URL": self.twilio.url,
            "TWILIO_ACCOUNT_SID": self.twilio.account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio.auth_token,
            "TWILIO_SENDER": SENDER,
        }
        return {f"CONCILIA_OUTREACH_{k}": v for k, v in settings.items()}

    def sent(self) -> dict[str, int]:
        """How many messages each fake accepted."""
        return {
            "whatsapp": len(self.whatsapp.state.sent),
            "messenger": len(self.messenger.state.sent),
            "sms": len(self.twilio.state.sent),
        }


@contextmanager
def running() -> Iterator[FakeProviders]:
    """WhatsApp Cloud API, Meta Send API and Twilio fakes on loopback, until the block ends."""
    with ExitStack() as stack:
        yield FakeProviders(
            whatsapp=stack.enter_context(FakeWhatsApp()),
            messenger=stack.enter_context(FakeMessenger()),
            twilio=stack.enter_context(FakeTwilio()),
        )
