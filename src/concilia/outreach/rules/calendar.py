"""Time zones and public holidays, cached: the engine must stay fast."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from phonenumbers import timezone as pn_timezone

_UNKNOWN_TZ = "Etc/Unknown"


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=64)
def _holidays(country: str, subdiv: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdiv)


def is_public_holiday(day: date, country: str, subdiv: str | None = None) -> bool:
    return day in _holidays(country, subdiv)


def holiday_name(day: date, country: str, subdiv: str | None = None) -> str | None:
    name = _holidays(country, subdiv).get(day)
    return str(name) if name is not None else None


def possible_time_zones(
    *, address_time_zone: str | None = None, phone: str | None = None, region: str | None = None
) -> tuple[str, ...]:
    """Every zone the person may be in: the address's zone plus the phone number's zones.

    When they disagree the engine requires a time that is convenient in all of them
    (Reg F 1006.6(b)(1)(i) and its commentary on ambiguous locations).
    """
    zones: list[str] = []
    if address_time_zone:
        zones.append(address_time_zone)
    if phone:
        try:
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None:
            for tz in pn_timezone.time_zones_for_number(number):
                if tz != _UNKNOWN_TZ and tz not in zones:
                    zones.append(tz)
    return tuple(zones)
