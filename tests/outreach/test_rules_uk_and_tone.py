"""UK contact preferences, and the tone checker's flags turned into verdicts."""

from dataclasses import dataclass

import pytest

from tests.outreach.helpers import check, fired


def test_uk_contact_preferences() -> None:
    d = check("UK", preferred_channels=("letter",))
    assert d.verdict == "block" and "UK-PREFERENCES" in fired(d)
    assert check("UK", preferred_channels=("letter", "email")).verdict == "allow"
    assert check("UK", preferred_channels=()).verdict == "allow"


@dataclass(frozen=True)
class FakeFlag:
    category: str
    start: int
    end: int
    text: str
    severity: str
    suggestion: str = ""
    source: str = "lexicon"


@pytest.mark.parametrize("jurisdiction", ["US", "FR", "ES", "UK"])
def test_blocking_tone_flag_blocks(jurisdiction: str) -> None:
    flag = FakeFlag("threat", 0, 10, "or else", "block")
    d = check(jurisdiction, tone_flags=[flag])
    assert d.verdict == "block"
    reason = next(r for r in d.reasons if r.rule == f"{jurisdiction}-TONE")
    assert "threat" in reason.explanation


def test_review_tone_flag_needs_review_and_no_flag_allows() -> None:
    d = check("US", tone_flags=[FakeFlag("false_urgency", 0, 5, "today", "review")])
    assert d.verdict == "review"
    assert "1692e(10)" in d.reasons[0].explanation
    assert check("US", tone_flags=[]).verdict == "allow"


def test_all_reasons_are_returned_together() -> None:
    d = check(
        "US",
        channel="social_post",
        visibility="public",
        identity_verified=False,
        text="Jane owes $500!",
        tone_flags=[FakeFlag("public_shaming", 0, 4, "Jane", "block")],
    )
    assert {"US-SOCIAL-PRIVATE", "US-IDENTITY-FIRST", "US-TONE"} <= fired(d)
    for r in d.reasons:
        assert r.citation and r.explanation and r.category
