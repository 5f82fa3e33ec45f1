"""Outreach transport settings, from ``CONCILIA_OUTREACH_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from concilia.outreach.channels import Channel
from concilia.outreach.channels.email import DkimKey, SmtpChannel
from concilia.outreach.channels.http_provider import HttpProviderChannel
from concilia.outreach.channels.imap import ImapMailbox
from concilia.outreach.channels.letter import LetterChannel
from concilia.outreach.channels.messenger import MetaSendChannel
from concilia.outreach.channels.social import PlatformRouter
from concilia.outreach.channels.twilio import TwilioSmsChannel
from concilia.outreach.channels.whatsapp import WhatsAppCloudChannel


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
    # Twilio (SMS): replaces the generic SMS provider when its account is set.
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr | None = None
    twilio_sender: str = ""  # a number (+E.164) or a messaging service SID (MG...)
    twilio_base_url: str = "https://api.twilio.com"
    # WhatsApp Business (Cloud API): replaces the generic social provider when set.
    whatsapp_phone_number_id: str = ""
    whatsapp_token: SecretStr | None = None
    whatsapp_base_url: str = "https://graph.facebook.com"
    whatsapp_app_secret: SecretStr | None = None  # signs webhooks (X-Hub-Signature-256)
    whatsapp_verify_token: SecretStr | None = None  # the subscription handshake's token
    # Messenger / Instagram (Meta's Send API, the Page's token); webhooks signed with the
    # Meta app's secret (the same app may serve WhatsApp: then both secrets are equal).
    meta_page_token: SecretStr | None = None
    meta_base_url: str = "https://graph.facebook.com"
    meta_app_secret: SecretStr | None = None
    meta_verify_token: SecretStr | None = None
    # Where providers reach our webhooks from outside (Twilio signs the full URL it calls);
    # also the base of e-mails' one-click List-Unsubscribe URL.
    public_base_url: str = ""
    # E-mail: DKIM signing key (PEM file), its domain and DNS selector; the shared secret the
    # mail server signs received mail with when it posts it to our inbound webhook.
    dkim_key_file: Path | None = None
    dkim_domain: str = ""
    dkim_selector: str = ""
    inbound_mail_secret: SecretStr | None = None
    # Or the agency's mailbox polled by IMAP (replies, bounces, complaints), when its host
    # is set: TLS on 993 unless imap_ssl is false.
    imap_host: str = ""
    imap_port: int = 993
    imap_username: str = ""
    imap_password: SecretStr | None = None
    imap_mailbox: str = "INBOX"
    imap_ssl: bool = True
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

    def mailbox(self) -> ImapMailbox | None:
        """The IMAP mailbox inbound mail is polled from, if configured."""
        if not (self.imap_host and self.imap_username and self.imap_password):
            return None
        return ImapMailbox(
            host=self.imap_host,
            port=self.imap_port,
            username=self.imap_username,
            password=self.imap_password.get_secret_value(),
            mailbox=self.imap_mailbox,
            ssl=self.imap_ssl,
        )

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
                dkim=(
                    DkimKey(self.dkim_domain, self.dkim_selector, self.dkim_key_file.read_bytes())
                    if self.dkim_key_file and self.dkim_domain and self.dkim_selector
                    else None
                ),
            )
        if self.twilio_account_sid and self.twilio_auth_token and self.twilio_sender:
            out["sms"] = TwilioSmsChannel(
                account_sid=self.twilio_account_sid,
                auth_token=self.twilio_auth_token.get_secret_value(),
                sender=self.twilio_sender,
                base_url=self.twilio_base_url,
                status_callback=(
                    f"{self.public_base_url.rstrip('/')}/api/outreach/webhooks/twilio/status"
                    if self.public_base_url
                    else None
                ),
            )
        elif self.sms_provider_url and self.sms_provider_token:
            out["sms"] = HttpProviderChannel(
                name="sms",
                base_url=self.sms_provider_url,
                token=self.sms_provider_token.get_secret_value(),
            )
        platforms: dict[str, Channel] = {}
        if self.whatsapp_phone_number_id and self.whatsapp_token:
            platforms["whatsapp"] = WhatsAppCloudChannel(
                phone_number_id=self.whatsapp_phone_number_id,
                token=self.whatsapp_token.get_secret_value(),
                base_url=self.whatsapp_base_url,
            )
        if self.meta_page_token:
            page = MetaSendChannel(
                token=self.meta_page_token.get_secret_value(), base_url=self.meta_base_url
            )
            platforms["messenger"] = platforms["instagram"] = page
        if platforms:
            out["social_dm"] = PlatformRouter(platforms)
        elif self.social_provider_url and self.social_provider_token:
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
