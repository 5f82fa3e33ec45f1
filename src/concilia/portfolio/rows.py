"""One row of a portfolio file: its cells converted and checked, every problem collected.

Nothing here reads a file or touches the database (see :mod:`concilia.portfolio.parsing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from concilia.errors import InputProblem
from concilia.portfolio.columns import MAX_LENGTH
from concilia.portfolio.money import CURRENCY_EXPONENTS
from concilia.portfolio.values import (
    BadValue,
    parse_amount,
    parse_country,
    parse_date,
    parse_decimal,
    parse_email,
    parse_phone,
    valid_zone,
)


class ProblemSink(Protocol):
    """Where a row's problems go (a list, or a capped collector)."""

    def append(self, problem: InputProblem, /) -> None: ...


# Unicode's control characters (category Cc): NUL, tab, line breaks, DEL, C1 controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def control_character(value: str) -> str | None:
    """The first control character in a value (NUL, tab, line break...), if any."""
    found = _CONTROL.search(value)
    return found.group() if found else None


JURISDICTIONS = ("FR", "ES", "UK", "US")
LANGUAGES = ("fr", "es", "en")
# `time_barred`: the creditor has determined the limitation period has run; outreach then
# requires the time-barred disclosure and blocks any threat of suit (Reg F 1006.26(b)).
STATUSES = ("active", "disputed", "paid", "settled", "written_off", "time_barred")
DEFAULT_LANGUAGE = {"FR": "fr", "ES": "es", "UK": "en", "US": "en"}
# The US spans six zones: the default is only a starting point, the file should say.
DEFAULT_TIME_ZONE = {
    "FR": "Europe/Paris",
    "ES": "Europe/Madrid",
    "UK": "Europe/London",
    "US": "America/New_York",
}
PHONE_REGION = {"UK": "GB"}
# How a phone or e-mail was obtained (phones_provenance, emails_provenance), in the terms of
# the US safe harbour, 12 CFR 1006.6(d)(3)-(4): the consumer used it to write to the
# collector about the debt, or consented to its use; the creditor used it and sent the
# consumer a notice (creditor_notice_date says when); a prior collector used it. The last
# three are outside the harbour: held by the creditor without such a notice, found by
# tracing, or not known. Outreach reads these before any e-mail or text.
PROVENANCES = (
    "consumer_used",
    "consumer_consent",
    "creditor_notice",
    "prior_collector",
    "creditor_records",
    "skip_trace",
    "unknown",
)
MAX_RATE = Decimal(1000)


@dataclass(slots=True)
class Address:
    """An address as given in the file."""

    line: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    since: date | None = None
    until: date | None = None

    def key(self) -> tuple[str, str, str, str]:
        """What identifies the place, for comparing with the history."""
        return (
            (self.line or "").casefold(),
            (self.postal_code or "").casefold(),
            (self.city or "").casefold(),
            self.country or "",
        )


@dataclass(slots=True)
class PortfolioRow:
    """One valid row: a debt and its debtor's fields."""

    row: int
    account_reference: str
    debtor_reference: str
    given_names: str
    family_names: str
    date_of_birth: date | None
    national_id: str | None
    address: Address | None
    previous_address: Address | None
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    # One provenance per phone and per e-mail, in the same order (None: not stated).
    phones_provenance: tuple[str | None, ...]
    emails_provenance: tuple[str | None, ...]
    creditor_notice_date: date | None
    employer: str | None
    preferred_language: str
    time_zone: str
    jurisdiction: str
    original_creditor: str | None
    principal: Decimal
    interest: Decimal
    fees: Decimal
    currency: str
    interest_rate: Decimal | None
    charge_off_date: date | None
    last_payment_date: date | None
    status: str


class _RowReader:
    """Collects the problems of one row while converting its cells."""

    def __init__(self, file: str, row: int, cells: dict[str, str], problems: ProblemSink):
        self.file, self.row, self.cells, self.problems = file, row, cells, problems
        self.bad = False
        # One search over the whole row instead of one per cell: most rows are clean.
        self.clean = _CONTROL.search("".join(cells.values())) is None

    def fail(self, column: str, reason: str) -> None:
        self.bad = True
        self.problems.append(InputProblem(self.file, self.row, column, reason))

    def text(self, column: str, *, required: bool = False) -> str | None:
        value = self.cells.get(column, "").strip()
        if not value:
            if required:
                self.fail(column, "required value is empty")
            return None
        limit = MAX_LENGTH[column]
        if len(value) > limit:
            self.fail(column, f"longer than {limit} characters")
            return None
        bad = None if self.clean else control_character(value)
        if bad is not None:
            self.fail(column, f"holds a control character (U+{ord(bad):04X})")
            return None
        return value

    def date(self, column: str, fmt: str) -> date | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            return parse_date(value, fmt)
        except BadValue as exc:
            self.fail(column, str(exc))
            return None

    def amount(self, column: str, currency: str | None, *, required: bool = False) -> Decimal:
        value = self.text(column, required=required)
        if value is None:
            return Decimal(0)
        try:
            return parse_amount(value, currency)
        except BadValue as exc:
            self.fail(column, str(exc))
            return Decimal(0)

    def choice(self, column: str, allowed: Iterable[str], *, upper: bool) -> str | None:
        value = self.text(column)
        if value is None:
            return None
        value = value.upper() if upper else value.lower()
        if value not in allowed:
            self.fail(column, f"{value!r} is not one of {', '.join(allowed)}")
            return None
        return value

    def country(self, column: str) -> str | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            return parse_country(value)
        except BadValue as exc:
            self.fail(column, str(exc))
            return None


def _debtor_part(r: _RowReader, fmt: str, jurisdiction: str | None) -> dict[str, Any]:
    """The debtor's fields of a row (names, identifiers, addresses, contacts, preferences)."""
    given_names = r.text("given_names", required=True)
    family_names = r.text("family_names", required=True)
    dob = r.date("date_of_birth", fmt)
    if dob is not None and not date(1900, 1, 1) <= dob <= date.today():
        r.fail("date_of_birth", f"{dob.isoformat()} is not a plausible date of birth")
    country = r.country("country")
    address = None
    line, postal, city = (
        r.text("address_line"),
        r.text("postal_code"),
        r.text("city"),
    )
    since = r.date("address_since", fmt)
    if line or postal or city or country:
        address = Address(line, postal, city, country, since=since)
    previous = None
    p_country = r.country("previous_country")
    p_line = r.text("previous_address_line")
    p_postal = r.text("previous_postal_code")
    p_city = r.text("previous_city")
    until = r.date("previous_address_until", fmt)
    if p_line or p_postal or p_city or p_country:
        previous = Address(p_line, p_postal, p_city, p_country, until=until)
    region = country or PHONE_REGION.get(jurisdiction or "", jurisdiction)
    phones: list[str] = []
    for raw in (r.text("phones") or "").split("|"):
        if raw.strip():
            try:
                phones.append(parse_phone(raw.strip(), region))
            except BadValue as exc:
                r.fail("phones", str(exc))
    emails: list[str] = []
    for raw in (r.text("emails") or "").split("|"):
        if raw.strip():
            try:
                emails.append(parse_email(raw.strip()))
            except BadValue as exc:
                r.fail("emails", str(exc))
    phone_sources = _provenance(r, "phones_provenance", "phones", len(phones))
    email_sources = _provenance(r, "emails_provenance", "emails", len(emails))
    notice = r.date("creditor_notice_date", fmt)
    noticed = "creditor_notice" in (*phone_sources, *email_sources)
    if noticed and notice is None and not r.cells.get("creditor_notice_date", "").strip():
        r.fail(
            "creditor_notice_date",
            "required when a phone or e-mail has provenance creditor_notice (12 CFR "
            "1006.6(d)(4)(ii): the day the creditor sent the consumer its notice)",
        )
    elif notice is not None and not noticed:
        r.fail(
            "creditor_notice_date",
            "given, but no phone or e-mail of the row has provenance creditor_notice",
        )
    elif notice is not None and notice > date.today():
        r.fail("creditor_notice_date", f"{notice.isoformat()} is in the future")
    language = r.choice("preferred_language", LANGUAGES, upper=False)
    zone = r.text("time_zone")
    if zone is not None and not valid_zone(zone):
        r.fail("time_zone", f"{zone!r} is not an IANA time zone")
    return {
        "given_names": given_names or "",
        "family_names": family_names or "",
        "date_of_birth": dob,
        "national_id": r.text("national_id"),
        "address": address,
        "previous_address": previous,
        **_unique("phones", phones, phone_sources),
        **_unique("emails", emails, email_sources),
        "creditor_notice_date": notice,
        "employer": r.text("employer"),
        "preferred_language": language or DEFAULT_LANGUAGE.get(jurisdiction or "", ""),
        "time_zone": zone or DEFAULT_TIME_ZONE.get(jurisdiction or "", ""),
    }


def _provenance(r: _RowReader, column: str, of: str, count: int) -> tuple[str | None, ...]:
    """One provenance per value of ``of``: the cell holds one for all, or one per value."""
    cell = r.text(column)
    if cell is None:
        return (None,) * count
    values = [v.strip().lower() for v in cell.split("|")]
    if count == 0:
        r.fail(column, f"given, but the row has no {of}")
        return ()
    if len(values) not in (1, count):
        r.fail(column, f"{len(values)} values for {count} {of}: give one for all, or one each")
        return (None,) * count
    for v in values:
        if v not in PROVENANCES:
            r.fail(column, f"{v!r} is not one of {', '.join(PROVENANCES)}")
            return (None,) * count
    return tuple(values) * count if len(values) == 1 else tuple(values)


def _unique(
    name: str, values: list[str], sources: tuple[str | None, ...]
) -> dict[str, tuple[Any, ...]]:
    """Values without repeats, each with the provenance its first occurrence was given."""
    seen: dict[str, str | None] = {}
    for value, source in zip(values, sources, strict=True):
        seen.setdefault(value, source)
    return {name: tuple(seen), f"{name}_provenance": tuple(seen.values())}


# What a debts-only reading puts in the debtor's fields: it never reads them.
_NO_DEBTOR: dict[str, Any] = {
    "given_names": "",
    "family_names": "",
    "date_of_birth": None,
    "national_id": None,
    "address": None,
    "previous_address": None,
    "phones": (),
    "emails": (),
    "phones_provenance": (),
    "emails_provenance": (),
    "creditor_notice_date": None,
    "employer": None,
    "preferred_language": "",
    "time_zone": "",
}


def parse_row(
    file: str,
    row: int,
    cells: dict[str, str],
    fmt: str,
    problems: ProblemSink,
    *,
    debtor: bool = True,
) -> PortfolioRow | None:
    """The row's values, or None after adding each bad cell to ``problems``.

    ``debtor=False`` reads the debt's cells only and leaves the debtor's fields empty: for a
    pass over an already validated file that writes debts (it is about twice as fast).
    """
    r = _RowReader(file, row, cells, problems)
    account_reference = r.text("account_reference", required=True)
    debtor_reference = r.text("debtor_reference", required=True)
    jurisdiction = r.choice("jurisdiction", JURISDICTIONS, upper=True)
    if jurisdiction is None and not r.cells.get("jurisdiction", "").strip():
        r.fail("jurisdiction", "required value is empty")
    currency = r.choice("currency", tuple(CURRENCY_EXPONENTS), upper=True)
    if currency is None and not r.cells.get("currency", "").strip():
        r.fail("currency", "required value is empty")
    principal = r.amount("principal", currency, required=True)
    interest = r.amount("interest", currency)
    fees = r.amount("fees", currency)
    rate: Decimal | None = None
    rate_text = r.text("interest_rate")
    if rate_text is not None:
        try:
            rate = parse_decimal(rate_text)
            exponent = rate.as_tuple().exponent
            if rate < 0 or rate > MAX_RATE:
                r.fail("interest_rate", f"{rate_text!r} is outside 0 to {MAX_RATE} percent")
            elif isinstance(exponent, int) and exponent < -6:
                r.fail("interest_rate", f"{rate_text!r} has more than 6 decimals")
        except BadValue as exc:
            r.fail("interest_rate", str(exc))
    person = _debtor_part(r, fmt, jurisdiction) if debtor else _NO_DEBTOR
    status = r.choice("status", STATUSES, upper=False) or "active"
    charge_off = r.date("charge_off_date", fmt)
    last_payment = r.date("last_payment_date", fmt)
    original_creditor = r.text("original_creditor")
    if r.bad:
        return None
    assert account_reference and debtor_reference and jurisdiction and currency
    return PortfolioRow(
        row=row,
        account_reference=account_reference,
        debtor_reference=debtor_reference,
        jurisdiction=jurisdiction,
        original_creditor=original_creditor,
        principal=principal,
        interest=interest,
        fees=fees,
        currency=currency,
        interest_rate=rate,
        charge_off_date=charge_off,
        last_payment_date=last_payment,
        status=status,
        **person,
    )
