"""US e-mail and text: the 1006.6(d)(3)-(5) safe harbour and employer addresses."""

from datetime import date

import pytest

from tests.outreach.helpers import check, fired


@pytest.mark.parametrize("source", [None, "skip_trace", "social_profile"])
def test_address_outside_safe_harbour_is_blocked(source: str | None) -> None:
    d = check("US", address_source=source)
    assert d.verdict == "block" and "US-SAFE-HARBOUR" in fired(d)


@pytest.mark.parametrize("source", ["consumer_used", "consumer_consent", "prior_collector"])
def test_address_within_safe_harbour_is_allowed(source: str) -> None:
    assert check("US", address_source=source).verdict == "allow"


def test_creditor_notice_needs_the_waiting_period() -> None:
    sent = date(2026, 11, 24)
    early = check("US", address_source="creditor_notice", creditor_notice_at=date(2026, 11, 1))
    assert early.verdict == "block"
    ok = check("US", address_source="creditor_notice", creditor_notice_at=date(2026, 10, 1))
    assert ok.verdict == "allow", ok.reasons
    assert (sent - date(2026, 10, 1)).days >= 35


def test_text_needs_recent_use_or_reassigned_number_check() -> None:
    stale = check("US", channel="sms", address_last_used_by_consumer=date(2026, 8, 1))
    assert stale.verdict == "block"
    recent = check("US", channel="sms", address_last_used_by_consumer=date(2026, 11, 1))
    assert recent.verdict == "allow", recent.reasons
    checked = check(
        "US",
        channel="sms",
        address_last_used_by_consumer=date(2026, 8, 1),
        reassigned_check_at=date(2026, 11, 20),
    )
    assert checked.verdict == "allow", checked.reasons


def test_employer_email_is_blocked() -> None:
    d = check("US", address_is_work=True)
    assert d.verdict == "block" and "US-WORK-EMAIL" in fired(d)


def test_safe_harbour_does_not_apply_to_letters_or_other_countries() -> None:
    assert "US-SAFE-HARBOUR" not in fired(check("US", channel="letter", address_source=None))
    assert check("UK", address_source=None).verdict == "allow"
