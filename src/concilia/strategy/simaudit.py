"""An independent audit of every simulated contact: written from the rules' texts, not from
outreach's rule packs, so a fault in the engine or in the pipeline shows up as a violation.

What it checks, per jurisdiction (holidays are not checked here):
- hours, in every zone the agency's data place the person in: US 8:00-21:00 every day
  (15 USC 1692c(a)(1)); FR and UK Monday to Saturday 8:00-20:00 / 8:00-21:00; ES calls on
  weekdays 9:00-21:00 (messages outside those hours are reviewed, not forbidden);
- calls per debt: US at most 7 in 7 consecutive days and none in the 7 days starting with a
  conversation (12 CFR 1006.14(b)(2)); FR, ES, UK at most 3 in 7 days and none the day of
  or after a conversation (the packs' figure for those countries);
- no contact while a dispute is unanswered, after a cease request, on a channel the person
  opted out of, nor to a case flagged vulnerable by anyone but a specialist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as pn_timezone

US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)
DEFAULT_ZONES = {"US": US_ZONES, "FR": ("Europe/Paris",), "ES": ("Europe/Madrid",)}
# (first day, last day (0 = Monday), start, end) of the hours a channel may be used.
_HOURS: dict[tuple[str, str], tuple[int, int, time, time]] = {}
for _channel in ("call", "sms", "email", "social_dm"):
    _HOURS[("US", _channel)] = (0, 6, time(8), time(21))
    _HOURS[("FR", _channel)] = (0, 5, time(8), time(20))
    _HOURS[("UK", _channel)] = (0, 5, time(8), time(21))
_HOURS[("ES", "call")] = (0, 4, time(9), time(21))
_CALL_CAP = {"US": (7, 7), "FR": (3, 2), "ES": (3, 2), "UK": (3, 2)}  # (max in 7 days, quiet days)


def zones_of(*, time_zone: str | None, phone: str | None, jurisdiction: str) -> tuple[str, ...]:
    """Every zone the agency's own data place the person in (address and phone)."""
    zones: list[str] = [time_zone] if time_zone else []
    if phone:
        region = {"UK": "GB"}.get(jurisdiction, jurisdiction)
        try:
            number = phonenumbers.parse(phone, region)
            for tz in pn_timezone.time_zones_for_number(number):
                if tz != "Etc/Unknown" and tz not in zones:
                    zones.append(tz)
        except phonenumbers.NumberParseException:
            pass
    return tuple(zones) or DEFAULT_ZONES.get(jurisdiction, ("UTC",))


@dataclass
class _Case:
    jurisdiction: str
    zones: tuple[str, ...]
    vulnerable: bool
    contacts: list[tuple[datetime, str, bool]] = field(default_factory=list)
    conversations: list[datetime] = field(default_factory=list)
    disputes: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    cease_at: datetime | None = None
    opt_outs: dict[str, datetime] = field(default_factory=dict)


class Audit:
    """Collects the contacts of a run and counts the ones that broke a rule."""

    def __init__(self) -> None:
        self.cases: dict[int, _Case] = {}
        self.found: dict[str, int] = {}
        self.inconvenient_true = 0

    def register(
        self, *, case_id: int, jurisdiction: str, zones: tuple[str, ...], vulnerable: bool
    ) -> None:
        self.cases[case_id] = _Case(jurisdiction, zones, vulnerable)

    def _hit(self, kind: str) -> None:
        self.found[kind] = self.found.get(kind, 0) + 1

    def contact(
        self, case_id: int, channel: str, at: datetime, *, kind: str = "", specialist: bool = False
    ) -> None:
        """Check one contact as it is made, against the case's history so far."""
        c = self.cases[case_id]
        rule = _HOURS.get((c.jurisdiction, channel))
        if rule is not None:
            first, last, start, end = rule
            for name in c.zones:
                local = at.astimezone(ZoneInfo(name))
                if not (first <= local.weekday() <= last and start <= local.time() <= end):
                    self._hit("hours")
                    break
        if any(s <= at and (e is None or at < e) for s, e in c.disputes):
            self._hit("contact_during_open_dispute")
        if c.cease_at is not None and at >= c.cease_at:
            self._hit("contact_after_cease")
        if channel in c.opt_outs and at >= c.opt_outs[channel]:
            self._hit("channel_after_opt_out")
        if c.vulnerable and not specialist:
            self._hit("vulnerable_not_specialist")
        if channel == "call":
            self._check_calls(c, at)
        c.contacts.append((at, channel, specialist))

    def _local_day(self, c: _Case, at: datetime) -> date:
        return at.astimezone(ZoneInfo(c.zones[0])).date()

    def _check_calls(self, c: _Case, at: datetime) -> None:
        cap, quiet_days = _CALL_CAP.get(c.jurisdiction, (3, 2))
        if c.jurisdiction == "US":
            quiet_days = 7
        today = self._local_day(c, at)
        window = [
            t for t, ch, _ in c.contacts
            if ch == "call" and today - self._local_day(c, t) < timedelta(days=7)
        ]  # fmt: skip
        if len(window) + 1 > cap:
            self._hit("call_frequency")
        for talked in c.conversations:
            if timedelta(0) <= today - self._local_day(c, talked) < timedelta(days=quiet_days):
                self._hit("call_after_conversation")
                break

    def conversation(self, case_id: int, at: datetime) -> None:
        self.cases[case_id].conversations.append(at)

    def opt_out(self, case_id: int, channel: str, at: datetime) -> None:
        self.cases[case_id].opt_outs.setdefault(channel, at)

    def cease(self, case_id: int, at: datetime) -> None:
        c = self.cases[case_id]
        c.cease_at = c.cease_at or at

    def dispute(self, case_id: int, at: datetime) -> None:
        self.cases[case_id].disputes.append((at, None))

    def dispute_answered(self, case_id: int, at: datetime) -> None:
        c = self.cases[case_id]
        if c.disputes and c.disputes[-1][1] is None:
            c.disputes[-1] = (c.disputes[-1][0], at)

    def recent_contacts(self, case_id: int, at: datetime) -> int:
        """Contacts of the last 7 days up to ``at`` (what the person feels as pressure)."""
        return sum(1 for t, _, _ in self.cases[case_id].contacts if at - t < timedelta(days=7))

    def true_hour(self, case_id: int, hour: int) -> None:
        """The hour where the person really is: early or late there is counted (not a rule
        violation when the agency could not know where the person lives)."""
        if not 8 <= hour < 21:
            self.inconvenient_true += 1

    def violations(self) -> dict[str, int]:
        return dict(sorted(self.found.items()))
