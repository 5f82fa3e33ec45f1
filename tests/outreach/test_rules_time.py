"""Contact hours in the debtor's local time, ambiguous zones, holidays, call frequency."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from concilia.outreach.rules import ContactEvent
from concilia.outreach.rules.calendar import possible_time_zones
from tests.outreach.helpers import check, fired

NYZ, LAZ = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")


def at(day: date, hh: int, mm: int, tz: ZoneInfo, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tz)


TUE = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("hh", "mm", "ss", "verdict"),
    [
        (7, 59, 0, "block"),
        (8, 0, 0, "allow"),
        (20, 59, 0, "allow"),
        (21, 0, 0, "allow"),
        (21, 0, 1, "block"),
        (23, 30, 0, "block"),
    ],
)
def test_us_quiet_hours_before_8_and_after_21_local(
    hh: int, mm: int, ss: int, verdict: str
) -> None:
    d = check(
        "US", send_at=at(TUE, hh, mm, NYZ, ss), channel="sms", address_last_used_by_consumer=TUE
    )
    assert d.verdict == verdict, d.reasons
    assert ("US-QUIET-HOURS" in fired(d)) == (verdict == "block")


def test_us_hours_are_the_debtors_not_the_agencys() -> None:
    # 10:00 in New York is 7:00 in Los Angeles.
    d = check("US", send_at=at(TUE, 10, 0, NYZ), time_zones=("America/Los_Angeles",))
    assert d.verdict == "block"


def test_us_ambiguous_zone_needs_every_possible_zone() -> None:
    # Address in Los Angeles, phone with a New York area code.
    zones = possible_time_zones(address_time_zone="America/Los_Angeles", phone="+1 212 555 0100")
    assert set(zones) == {"America/Los_Angeles", "America/New_York"}
    # 8:30 in Los Angeles = 11:30 in New York: fine in both.
    assert check("US", send_at=at(TUE, 8, 30, LAZ), time_zones=zones).verdict == "allow"
    # 8:30 in New York = 5:30 in Los Angeles: blocked.
    d = check("US", send_at=at(TUE, 8, 30, NYZ), time_zones=zones)
    assert d.verdict == "block"
    assert "America/Los_Angeles" in d.reasons[0].explanation
    # 19:30 in Los Angeles = 22:30 in New York: blocked.
    assert check("US", send_at=at(TUE, 19, 30, LAZ), time_zones=zones).verdict == "block"


def test_us_unknown_zone_uses_every_us_zone() -> None:
    # 10:00 New York is 5:00 in Honolulu.
    assert check("US", send_at=at(TUE, 10, 0, NYZ), time_zones=()).verdict == "block"
    assert check("US", send_at=at(TUE, 15, 0, NYZ), time_zones=()).verdict == "allow"


MAD = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize(
    ("when", "verdict"),
    [
        (at(TUE, 10, 0, MAD), "allow"),
        (at(TUE, 8, 59, MAD), "block"),
        (at(TUE, 21, 30, MAD), "block"),
        (at(date(2026, 11, 28), 11, 0, MAD), "block"),  # Saturday
        (at(date(2026, 11, 29), 11, 0, MAD), "block"),  # Sunday
        (at(date(2026, 12, 8), 11, 0, MAD), "block"),  # Inmaculada Concepción, a Tuesday
        (at(date(2026, 12, 25), 11, 0, MAD), "block"),  # Christmas
    ],
)
def test_es_call_window(when: datetime, verdict: str) -> None:
    d = check("ES", channel="call", text="", send_at=when)
    assert d.verdict == verdict, d.reasons
    assert ("ES-CALL-HOURS" in fired(d)) == (verdict == "block")


def test_es_window_is_for_calls_a_saturday_sms_is_allowed() -> None:
    d = check("ES", channel="sms", send_at=at(date(2026, 11, 28), 11, 0, MAD))
    assert d.verdict == "allow", d.reasons
    late = check("ES", channel="sms", send_at=at(TUE, 22, 0, MAD))
    assert late.verdict == "review"


PAR = ZoneInfo("Europe/Paris")


def test_fr_hours_sundays_and_holidays() -> None:
    assert check("FR", send_at=at(TUE, 19, 0, PAR)).verdict == "allow"
    assert check("FR", send_at=at(TUE, 20, 30, PAR)).verdict == "block"
    assert check("FR", send_at=at(date(2026, 11, 29), 11, 0, PAR)).verdict == "block"  # Sunday
    d = check("FR", send_at=at(date(2026, 7, 14), 11, 0, PAR))  # Fête nationale, a Tuesday
    assert d.verdict == "block" and "FR-HOURS" in fired(d)


def test_uk_bank_holiday_blocked() -> None:
    lon = ZoneInfo("Europe/London")
    assert (
        check("UK", send_at=at(date(2026, 12, 28), 11, 0, lon)).verdict == "block"
    )  # substitute Boxing Day
    assert check("UK", send_at=at(date(2026, 12, 29), 11, 0, lon)).verdict == "allow"


def calls(
    n: int, *, start: datetime, every: timedelta = timedelta(hours=20), **kw: object
) -> tuple[ContactEvent, ...]:
    return tuple(ContactEvent(at=start + i * every, channel="call", **kw) for i in range(n))  # type: ignore[arg-type]


NOW = at(TUE, 12, 0, NYZ)


def test_us_seven_calls_in_seven_days_block_the_eighth() -> None:
    history = calls(7, start=NOW - timedelta(days=6), debt_id="D1")
    d = check("US", channel="call", text="", send_at=NOW, history=history)
    assert d.verdict == "block"
    assert "US-CALL-FREQUENCY" in fired(d)
    ok = check("US", channel="call", text="", send_at=NOW, history=history[1:])
    assert ok.verdict == "allow", ok.reasons


def test_us_call_limit_is_per_debt_and_over_seven_consecutive_days() -> None:
    other_debt = calls(7, start=NOW - timedelta(days=6), debt_id="D2")
    assert check("US", channel="call", text="", send_at=NOW, history=other_debt).verdict == "allow"
    # The calls of 7 days ago (day 1 = today - 6) no longer count on day 8.
    old = calls(7, start=NOW - timedelta(days=7, hours=1), every=timedelta(minutes=5), debt_id="D1")
    assert check("US", channel="call", text="", send_at=NOW, history=old).verdict == "allow"


def test_us_calls_that_did_not_connect_are_not_counted() -> None:
    history = calls(7, start=NOW - timedelta(days=6), debt_id="D1", counts=False)
    assert check("US", channel="call", text="", send_at=NOW, history=history).verdict == "allow"


def test_us_no_call_within_seven_days_after_a_conversation() -> None:
    conv = (
        ContactEvent(at=NOW - timedelta(days=6), channel="call", debt_id="D1", conversation=True),
    )
    d = check("US", channel="call", text="", send_at=NOW, history=conv)
    assert d.verdict == "block" and "conversation" in d.reasons[0].explanation
    # Conversation on a Tuesday: the next call may be on the following Tuesday (day 8).
    conv7 = (
        ContactEvent(at=NOW - timedelta(days=7), channel="call", debt_id="D1", conversation=True),
    )
    assert check("US", channel="call", text="", send_at=NOW, history=conv7).verdict == "allow"
    # An e-mail is not a call: the call rules do not limit it.
    assert check("US", send_at=NOW, history=conv).verdict == "allow"


def test_fr_policy_call_limit() -> None:
    fr_now = at(TUE, 12, 0, PAR)
    history = calls(3, start=fr_now - timedelta(days=5), debt_id="D1")
    assert check("FR", channel="call", text="", send_at=fr_now, history=history).verdict == "block"
    assert (
        check("FR", channel="call", text="", send_at=fr_now, history=history[:2]).verdict == "allow"
    )


def test_possible_time_zones_from_phone_only() -> None:
    assert possible_time_zones(phone="+33 1 23 45 67 89") == ("Europe/Paris",)
    assert possible_time_zones(phone="not a number") == ()
    assert possible_time_zones() == ()
    _ = UTC
