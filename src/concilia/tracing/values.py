"""One raw value read the way the comparisons read it: dates to a birthday and birth years,
display names and handles, the names a debtor's e-mail addresses spell. Each function
takes one value (or one parsed name), so :mod:`prepare` maps it once per distinct value.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

import pandas as pd

from concilia.tracing import normalize as nz


def missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT or (isinstance(value, str) and not value.strip())


def birthday_from_date(value: Any) -> str | None:
    if missing(value):
        return None
    if isinstance(value, datetime | date):
        return f"{value.month:02d}-{value.day:02d}"
    text = str(value).strip()
    try:
        d = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return f"{d.month:02d}-{d.day:02d}"


def birthday_md(value: Any) -> str | None:
    if missing(value):
        return None
    text = str(value).strip()
    if len(text) == 5 and text[2] == "-" and text[:2].isdigit() and text[3:].isdigit():
        return text
    return birthday_from_date(text)


def none_if_empty(items: list[str]) -> list[str] | None:
    return items or None


_YEAR4 = re.compile(r"(?<!\d)(19[2-9]\d|20[0-2]\d)(?!\d)")


_YEAR2 = re.compile(r"(?<!\d)(\d{2})(?!\d)")


def handle_years(handle: str | None) -> tuple[str | None, str | None]:
    """(the four-digit year, else the last two-digit number) written in a handle:
    'mgautier1952' holds 1952, 'marie.gautier.52' holds 52; people put their birth year in
    their usernames."""
    if not handle:
        return None, None
    four = _YEAR4.findall(handle)
    if four:
        return four[-1], None
    two = _YEAR2.findall(handle)
    return None, (two[-1] if two else None)


_INITIAL = re.compile(r"\s([A-Za-zÀ-ÿ])\.?\s*$")


def family_initial(display_name: Any) -> str | None:
    """The surname's initial of a name that shows only that ('Marie M.')."""
    if missing(display_name):
        return None
    match = _INITIAL.search(str(display_name).strip())
    return nz.fold(match.group(1)) if match else None


# An initial and a surname of four letters or more: 'kmarks', 'a.pasquier'.
_MIN_MAIL_LETTERS = 5


_MIN_SURNAME_AFTER_INITIAL = 4


def mail_names(value: Any) -> list[str] | None:
    """Letters of the local part of each e-mail address: 'margaud.buisson85@...' gives
    'margaudbuisson', which :func:`nz.handle_keys` of 'Margaud Buisson' also gives."""
    found = []
    for raw in nz.split_multi(value):
        local = raw.split("@", 1)[0]
        letters = nz.handle_letters(local)
        if len(letters) >= _MIN_MAIL_LETTERS:
            found.append(letters)
    return none_if_empty(list(dict.fromkeys(found)))


def other_surnames(mail_names: list[str] | None, name: nz.ParsedName) -> list[str] | None:
    """The surnames a debtor's addresses spell that are not the debtor's own:
    'margaud.buisson85@...' or 'mbuisson@...' of Margaud Roger gives 'buisson' (a maiden
    or married name). An address is read as the given name followed or preceded by a
    surname, or as the given name's initial followed by one. Alone, 'jleroy' would fit
    every J. Leroy; here it only names a surname the comparisons then weigh beside the
    given name the debtor and the profile must share."""
    if not mail_names or not name.given:
        return None
    own = set(nz.handle_keys(name))
    given = name.given.replace("-", "")
    surnames = [t for t in name.family_tokens if len(t) >= 3]
    found = []
    for spelt in mail_names:
        if spelt in own or any(t in spelt for t in surnames):
            continue
        if spelt.startswith(given):
            rest = spelt[len(given) :]
        elif spelt.endswith(given):
            rest = spelt[: -len(given)]
        elif spelt[:1] == given[:1] and len(spelt) > _MIN_SURNAME_AFTER_INITIAL:
            rest = spelt[1:]
        else:
            continue
        if len(rest) >= 3:
            found.append(rest)
    return none_if_empty(list(dict.fromkeys(found)))


def birth_years(value: Any) -> tuple[str | None, str | None]:
    if missing(value):
        return None, None
    text = str(value).strip()[:4]
    if not text.isdigit():
        return None, None
    return text, text[2:]


def display_name(value: Any) -> tuple[nz.ParsedName, str | None]:
    return nz.parse_display_name(value), family_initial(value)


def handle(value: Any) -> tuple[str | None, tuple[str | None, str | None]]:
    return nz.handle_letters(value) or None, handle_years(value)


def handle_surname(handle: str | None, name: nz.ParsedName) -> str | None:
    """The surname the profile displays that its handle spells ('alfonsomartin' of
    'Alfonso Quirós Martín' spells the second one): a handle spelling it says nothing the
    surname comparison has not said."""
    if not handle:
        return None
    for token in name.family_tokens:
        letters = token.replace("-", "").replace(" ", "")
        if len(letters) >= 3 and letters in handle:
            return letters
    return None


def upper_or_none(value: Any) -> str | None:
    return None if missing(value) else str(value).strip().upper()


def given_last(name: nz.ParsedName) -> str | None:
    words = name.family.split()
    return words[-1] if len(words) >= 2 else None
