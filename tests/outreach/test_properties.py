"""Properties that must hold for any input, and the auto-reload of the default packs."""

import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from concilia.outreach.rules import engine
from concilia.outreach.rules.packs import PACKS_DIR
from tests.outreach.helpers import check

US_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
            "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu"]  # fmt: skip
START = datetime(2026, 1, 1, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    minutes=st.integers(0, 365 * 24 * 60),
    zones=st.lists(st.sampled_from(US_ZONES), min_size=1, max_size=3, unique=True),
)
def test_ambiguous_zone_is_allowed_only_if_allowed_in_each_zone(
    minutes: int, zones: list[str]
) -> None:
    at = START + timedelta(minutes=minutes)
    together = check("US", send_at=at, time_zones=tuple(zones)).verdict
    each = [check("US", send_at=at, time_zones=(z,)).verdict for z in zones]
    assert (together == "allow") == all(v == "allow" for v in each)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200), jurisdiction=st.sampled_from(["US", "FR", "ES", "UK"]))
def test_public_posts_are_blocked_whatever_they_say(text: str, jurisdiction: str) -> None:
    assert (
        check(jurisdiction, channel="social_post", visibility="public", text=text).verdict
        == "block"
    )


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_adding_a_blocking_tone_flag_never_relaxes_a_verdict(text: str) -> None:
    from tests.outreach.test_rules_uk_and_tone import FakeFlag

    rank = {"allow": 0, "review": 1, "block": 2}
    plain = check("US", text=text).verdict
    flagged = check("US", text=text, tone_flags=[FakeFlag("threat", 0, 1, "x", "block")]).verdict
    assert flagged == "block" and rank[flagged] >= rank[plain]


def test_default_packs_follow_the_configured_directory_and_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for p in PACKS_DIR.glob("*.yaml"):
        shutil.copy(p, tmp_path / p.name)
    monkeypatch.setenv("CONCILIA_OUTREACH_RULES_DIR", str(tmp_path))
    monkeypatch.setattr(engine, "_state", {"packs": None, "checked": 0.0})
    monkeypatch.setattr(engine, "_RELOAD_EVERY", 0.0)
    late = datetime(2026, 11, 24, 20, 30, tzinfo=UTC).replace(tzinfo=None)
    from zoneinfo import ZoneInfo

    at = late.replace(tzinfo=ZoneInfo("America/New_York"))
    assert check("US", send_at=at).verdict == "allow"
    path = tmp_path / "US.yaml"
    path.write_text(path.read_text().replace('end: "21:00"', 'end: "20:00"'))
    time.sleep(0.01)
    assert check("US", send_at=at).verdict == "block"
    path.write_text("jurisdiction: US\nrules: [")  # broken: the previous pack stays
    assert check("US", send_at=at).verdict == "block"
    assert check("US", send_at=at.replace(hour=12)).verdict == "allow"
