"""Training settings, from ``CONCILIA_TRAINING_*`` environment variables."""

from __future__ import annotations

import os

from pydantic_settings import BaseSettings, SettingsConfigDict


class TrainingSettings(BaseSettings):
    """Pass mark, validity and quiz length; the agency's name shown in the policy."""

    model_config = SettingsConfigDict(env_prefix="CONCILIA_TRAINING_", extra="ignore")

    pass_mark: float = 0.8
    certificate_months: int = 12
    quiz_questions: int = 10
    # Outreach's setting by default (read from the environment: importing outreach here
    # would make a circle, outreach calls training's gate).
    agency_name: str = ""

    def agency(self) -> str:
        """The agency's name for documents."""
        return self.agency_name or os.environ.get("CONCILIA_OUTREACH_AGENCY_NAME", "") or "—"
