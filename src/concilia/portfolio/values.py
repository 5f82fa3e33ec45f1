"""Cell values of a portfolio file: localised numbers, dates, phones, e-mails, countries.

Each converter returns the canonical value or raises :class:`BadValue` with the reason
shown to the person who sent the file.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from babel import Locale

from concilia.portfolio.money import CURRENCY_EXPONENTS

DEFAULT_DATE_FORMAT = "%Y-%m-%d"
_SPACES = frozenset(" \u00a0\u202f\u2009\u2007")
_SIMPLE_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_COUNTRIES = frozenset(str(code) for code in Locale("en").territories if len(str(code)) == 2)


class BadValue(ValueError):
    """A cell's reason for refusal."""


def parse_decimal(text: str) -> Decimal:
    """A non-localised Decimal from ``1234.56``, ``1 234,56``, ``1.234,56`` or ``1,234.56``."""
    if _SIMPLE_DECIMAL.fullmatch(text):
        return Decimal(text)
    body = text
    sign = ""
    if body[:1] in "+-":
        sign, body = ("-" if body[0] == "-" else ""), body[1:]
    comma, dot = body.rfind(","), body.rfind(".")
    if comma >= 0 and dot >= 0:
        decimal_sep, thousands = (",", ".") if comma > dot else (".", ",")
    elif comma >= 0:
        if body.count(",") > 1:
            raise BadValue(f"{text!r} is not a number (several commas)")
        decimal_sep, thousands = ",", ""
    elif dot >= 0:
        if body.count(".") > 1:
            raise BadValue(
                f"{text!r} is ambiguous: dots as thousands separators need a decimal comma"
            )
        decimal_sep, thousands = ".", ""
    else:
        decimal_sep, thousands = "", ""
    if decimal_sep:
        whole, _, fraction = body.rpartition(decimal_sep)
    else:
        whole, fraction = body, ""
    if decimal_sep and decimal_sep in whole:
        raise BadValue(f"{text!r} is not a number (several decimal separators)")
    groups = _split_groups(whole, thousands)
    if groups is None or (fraction and not (fraction.isdigit() and fraction.isascii())):
        raise BadValue(f"{text!r} is not a number")
    if decimal_sep and not fraction:
        raise BadValue(f"{text!r} is not a number (nothing after the decimal separator)")
    digits = "".join(groups)
    try:
        return Decimal(f"{sign}{digits}.{fraction}" if fraction else f"{sign}{digits}")
    except InvalidOperation:
        raise BadValue(f"{text!r} is not a number") from None


def _split_groups(whole: str, thousands: str) -> list[str] | None:
    """The digit groups of an integer part, or None when the grouping is not regular."""
    groups: list[str] = []
    current: list[str] = []
    for ch in whole:
        if ch in _SPACES or ch == thousands:
            groups.append("".join(current))
            current = []
        else:
            current.append(ch)
    groups.append("".join(current))
    if not all(g.isdigit() and g.isascii() for g in groups):
        return None
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    return groups


def parse_amount(text: str, currency: str | None) -> Decimal:
    value = parse_decimal(text)
    if value < 0:
        raise BadValue(f"{text!r} is negative; amounts must be ≥ 0")
    places = CURRENCY_EXPONENTS.get(currency or "", 2)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise BadValue(f"{text!r} has more than {places} decimals")
    if value >= Decimal(10) ** 15:
        raise BadValue(f"{text!r} is too large")
    return value


@lru_cache(maxsize=65_536)
def parse_date(text: str, fmt: str) -> date:
    try:
        if fmt == DEFAULT_DATE_FORMAT and len(text) == 10:
            return date.fromisoformat(text)
        return datetime.strptime(text, fmt).date()
    except ValueError:
        raise BadValue(f"{text!r} is not a date in the format {fmt}") from None


@lru_cache(maxsize=1024)
def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_PHONE_PUNCTUATION = str.maketrans("", "", " .-()/\u00a0")
# (trunk prefix, national length, country code) of the four markets, for the fast path.
_NATIONAL = {
    "FR": ("0", 10, "+33"),
    "ES": ("", 9, "+34"),
    "GB": ("0", 11, "+44"),
    "US": ("", 10, "+1"),
}
_INTERNATIONAL = (("+33", 9), ("+34", 9), ("+44", 10), ("+1", 10))


def parse_phone(text: str, region: str | None) -> str:
    """E.164 form; the common shapes of the four markets skip the full (slow) parser."""
    compact = text.translate(_PHONE_PUNCTUATION)
    if compact.isascii():
        if compact.isdigit() and region in _NATIONAL:
            trunk, length, code = _NATIONAL[region]
            if len(compact) == length and compact.startswith(trunk) and compact[len(trunk)] != "0":
                return code + compact[len(trunk) :]
        elif compact[:1] == "+" and compact[1:].isdigit():
            for code, rest in _INTERNATIONAL:
                if (
                    compact.startswith(code)
                    and len(compact) - len(code) == rest
                    and compact[len(code)] != "0"
                ):
                    return compact
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise BadValue(f"{text!r} is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise BadValue(f"{text!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_email(text: str) -> str:
    if not _EMAIL.fullmatch(text):
        raise BadValue(f"{text!r} is not an e-mail address")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_country(text: str) -> str:
    code = text.upper()
    if code == "UK":  # common in British files; ISO says GB
        code = "GB"
    if code not in _COUNTRIES:
        raise BadValue(f"{text!r} is not an ISO 3166-1 alpha-2 country code")
    return code
