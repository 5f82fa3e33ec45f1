"""Privacy settings (``CONCILIA_PRIVACY_*``): who the controller is, for notices and the
art. 30 register, and when a reader's volume is unusual."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class PrivacySettings(BaseSettings):
    """The controller's identity and the access-alert threshold."""

    model_config = SettingsConfigDict(env_prefix="CONCILIA_PRIVACY_", extra="ignore")

    controller_name: str = "The agency (set CONCILIA_PRIVACY_CONTROLLER_NAME)"
    controller_address: str = ""
    dpo_contact: str = "dpo@agency.example"
    # The reference of the legitimate-interest assessment (balancing test) each purpose
    # resting on art. 6(1)(f) points to; kept by the DPO, outside Concilia.
    balancing_test_ref: str = "LIA-2026-01"
    # A reader who read more distinct people in a day than this many times their usual
    # daily count (and at least alert_min_people) raises an alert.
    alert_factor: float = 3.0
    alert_min_people: int = 20


@lru_cache
def get_privacy_settings() -> PrivacySettings:
    """The settings, read once per process."""
    return PrivacySettings()
