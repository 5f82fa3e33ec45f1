"""Outreach transport settings, from ``CONCILIA_OUTREACH_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from concilia.outreach.channels import Channel
from concilia.outreach.channels.email import SmtpChannel
from concilia.outreach.channels.http_provider import HttpProviderChannel
from concilia.outreach.channels.letter import LetterChannel


class OutreachSettings(BaseSettings):
    """A channel is configured when its address is set; unconfigured channels are not sent."""

    model_config = SettingsConfigDict(env_prefix="CONCILIA_OUTREACH_", extra="ignore")

    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = ""
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    sms_provider_url: str = ""
    sms_provider_token: SecretStr | None = None
    social_provider_url: str = ""
    social_provider_token: SecretStr | None = None
    letter_dir: Path | None = None
    # Workers: how many messages a worker claims at once, how long its claim lasts if it
    # dies (seconds), and each provider's rate limit in messages per second (JSON object,
    # e.g. {"sms": 10}; absent: unlimited).
    claim_batch: int = Field(20, ge=1, le=1000)
    lease_seconds: float = Field(60.0, gt=0)
    rate_limits: dict[str, float] = Field(default_factory=dict)
    rules_dir: Path | None = None
    # Who the deployment sends as: CPCE R124-4/R124-7 bind only agencies collecting for others
    # (L124-1); a creditor collecting its own debts or a lawyer sets creditor or lawyer.
    sender_kind: Literal["agency", "creditor", "lawyer"] = "agency"
    # R124-4 2° wants the agency's name and address in the first letter; the check compares
    # the letter with these when they are set.
    agency_name: str = ""
    agency_address: str = ""

    def rates(self) -> dict[str, float]:
        """Messages per second allowed per channel (only the limited ones)."""
        return {k: v for k, v in self.rate_limits.items() if v > 0}

    def channels(self) -> dict[str, Channel]:
        out: dict[str, Channel] = {}
        if self.smtp_host and self.smtp_sender:
            out["email"] = SmtpChannel(
                host=self.smtp_host,
                port=self.smtp_port,
                sender=self.smtp_sender,
                username=self.smtp_username,
                password=self.smtp_password.get_secret_value() if self.smtp_password else None,
                starttls=self.smtp_starttls,
            )
        if self.sms_provider_url and self.sms_provider_token:
            out["sms"] = HttpProviderChannel(
                name="sms",
                base_url=self.sms_provider_url,
                token=self.sms_provider_token.get_secret_value(),
            )
        if self.social_provider_url and self.social_provider_token:
            out["social_dm"] = HttpProviderChannel(
                name="social_dm",
                base_url=self.social_provider_url,
                token=self.social_provider_token.get_secret_value(),
            )
        if self.letter_dir is not None:
            out["letter"] = LetterChannel(out_dir=self.letter_dir)
        return out


def current() -> OutreachSettings:
    """The settings as the environment says now, built once per distinct environment.

    Building them costs milliseconds (each field parsed from the environment), and the
    outbox judges every message with them: a worker sending hundreds a second cannot pay
    that each time, while a changed variable (tests, a re-configured process) still counts.
    """
    key = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_PREFIX)))
    return _built(key)


_PREFIX = "CONCILIA_OUTREACH_"


@lru_cache(maxsize=8)
def _built(key: tuple[tuple[str, str], ...]) -> OutreachSettings:
    return OutreachSettings()
