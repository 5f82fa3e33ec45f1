"""Portal settings, from ``CONCILIA_PORTAL_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    """Limits of the debtor's door; defaults follow the staff login's (5 failures, 15 min)."""

    model_config = SettingsConfigDict(env_prefix="CONCILIA_PORTAL_", extra="ignore")

    base_url: str = "http://127.0.0.1:8000"
    session_cookie_name: str = "concilia_portal"
    flow_cookie_name: str = "concilia_portal_flow"
    session_minutes: int = 120
    link_days: int = 30
    otp_minutes: int = 10
    otp_sends_per_flow: int = 3
    max_failures_per_reference: int = 5
    max_failures_per_ip: int = 20
    window_minutes: int = 15
    max_verify_lookups_per_ip: int = 30
    upload_max_bytes: int = 5 * 1024 * 1024
    upload_max_files: int = 5
    # Load the special-category guard (encoder and classifier) when the app starts, so that
    # the first debtor message does not wait seconds for it: "startup" (the server answers
    # once it is loaded), "background" (answers at once, loads alongside) or "off".
    warm_guard: Literal["startup", "background", "off"] = "startup"
    # Empty: chat messages are fanned out inside this process only (one server process).
    chat_redis_url: str = ""
    # When agents answer the chat (weekdays, local hours of agent_time_zone); outside them
    # the assistant answers. assistant: out_of_hours (default), always or never.
    agent_hours_from: int = 8
    agent_hours_to: int = 19
    agent_time_zone: str = "Europe/Paris"
    assistant: str = "out_of_hours"
    # A debtor session ends after this long without a request (idle), and in any case
    # session_minutes after it began.
    idle_minutes: int = 15


@lru_cache(maxsize=1)
def get_portal_settings() -> PortalSettings:
    """The process-wide portal settings (tests call ``cache_clear()`` after changing env)."""
    return PortalSettings()
