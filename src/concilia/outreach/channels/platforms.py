"""Messaging platforms' own rules (windows, templates), read from ``platforms.yaml``.

These are the platforms' terms, not the law: a message the law allows may still be one the
platform refuses (WhatsApp's 131047 outside the 24-hour window). Checking them before the
send turns a provider error into a refusal with its reason, and picks the template when only
a template may go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class PlatformRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    citation: str
    window_hours: int = Field(ge=0, le=24 * 30)
    outside_window: Literal["template", "refuse"]
    templates: dict[str, str] = Field(default_factory=dict)
    # A person (not automation) may still answer this long after the person's last message,
    # with the HUMAN_AGENT tag.
    human_agent_hours: int | None = Field(None, ge=0, le=24 * 30)
    opt_in_required: bool = False


@dataclass(frozen=True)
class PlatformVerdict:
    platform: str
    template: str | None = None  # send as this template
    tag: str | None = None  # send with this message tag
    refusal: str | None = None  # do not send, for this reason
    citation: str = ""


@cache
def rules() -> dict[str, PlatformRule]:
    """The shipped platform rules (validated once)."""
    text = (resources.files("concilia.outreach.channels") / "platforms.yaml").read_text("utf-8")
    return {k: PlatformRule.model_validate(v) for k, v in yaml.safe_load(text).items()}


def platform_of(address: str) -> str | None:
    """The platform an address names by its prefix (``whatsapp:...``), if any."""
    prefix, sep, _ = address.partition(":")
    return prefix if sep and prefix in rules() else None


def check(
    *,
    address: str,
    kind: str,
    last_inbound_at: datetime | None,
    now: datetime,
    automated: bool = True,
    opted_in: bool = False,
) -> PlatformVerdict | None:
    """What the platform allows for this message now (None: not a platform address)."""
    platform = platform_of(address)
    if platform is None:
        return None
    rule = rules()[platform]
    since = now - last_inbound_at if last_inbound_at is not None else None
    if since is not None and since <= timedelta(hours=rule.window_hours):
        return PlatformVerdict(platform, citation=rule.citation)
    if (
        since is not None
        and not automated
        and rule.human_agent_hours is not None
        and since <= timedelta(hours=rule.human_agent_hours)
    ):
        return PlatformVerdict(platform, tag="HUMAN_AGENT", citation=rule.citation)
    why = (
        f"{platform}: the person has not written in the last {rule.window_hours} hours"
        if last_inbound_at is not None
        else f"{platform}: the person has never written to us"
    )
    if rule.outside_window == "template":
        template = rule.templates.get(kind)
        if template is not None and rule.opt_in_required and not opted_in:
            return PlatformVerdict(
                platform,
                refusal=f"{why}, and no opt-in to {platform} messages is recorded for the address",
                citation=rule.citation,
            )
        if template is not None:
            return PlatformVerdict(platform, template=template, citation=rule.citation)
        return PlatformVerdict(
            platform,
            refusal=f"{why}, and no approved template carries a {kind!r} message",
            citation=rule.citation,
        )
    return PlatformVerdict(
        platform,
        refusal=f"{why}; outside the window the platform allows nothing",
        citation=rule.citation,
    )
