"""Read and validate a portfolio CSV (docs/portfolio-format.md), collecting every problem.

Nothing here touches the database: :func:`parse_file` either returns every row parsed or
raises :class:`InvalidInput` listing each bad cell as (file, row, column, reason).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO

from concilia.errors import InputProblem, InvalidInput
from concilia.portfolio.money import CURRENCY_EXPONENTS
from concilia.portfolio.values import (
    DEFAULT_DATE_FORMAT as DEFAULT_DATE_FORMAT,
)
from concilia.portfolio.values import (
    BadValue,
    parse_amount,
    parse_country,
    parse_date,
    parse_email,
    parse_phone,
    valid_zone,
)
from concilia.portfolio.values import (
    parse_decimal as parse_decimal,
)

REQUIRED = (
    "account_reference",
    "debtor_reference",
    "given_names",
    "family_names",
    "jurisdiction",
    "principal",
    "currency",
)
OPTIONAL = (
    "date_of_birth",
    "national_id",
    "address_line",
    "postal_code",
    "city",
    "country",
    "address_since",
    "previous_address_line",
    "previous_postal_code",
    "previous_city",
    "previous_country",
    "previous_address_until",
    "phones",
    "emails",
    "employer",
    "preferred_language",
    "time_zone",
    "original_creditor",
    "interest",
    "fees",
    "interest_rate",
    "charge_off_date",
    "last_payment_date",
    "status",
)
COLUMNS = REQUIRED + OPTIONAL
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


def _detect_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


class _RowReader:
    """Collects the problems of one row while converting its cells."""

    def __init__(self, file: str, row: int, cells: dict[str, str], problems: list[InputProblem]):
        self.file, self.row, self.cells, self.problems = file, row, cells, problems
        self.bad = False

    def fail(self, column: str, reason: str) -> None:
        self.bad = True
        self.problems.append(InputProblem(self.file, self.row, column, reason))

    def text(self, column: str, *, required: bool = False, max_len: int = 200) -> str | None:
        value = self.cells.get(column, "").strip()
        if not value:
            if required:
                self.fail(column, "required value is empty")
            return None
        if len(value) > max_len:
            self.fail(column, f"longer than {max_len} characters")
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


def _parse_row(
    file: str, row: int, cells: dict[str, str], fmt: str, problems: list[InputProblem]
) -> PortfolioRow | None:
    r = _RowReader(file, row, cells, problems)
    account_reference = r.text("account_reference", required=True, max_len=100)
    debtor_reference = r.text("debtor_reference", required=True, max_len=100)
    given_names = r.text("given_names", required=True)
    family_names = r.text("family_names", required=True)
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
    dob = r.date("date_of_birth", fmt)
    if dob is not None and not date(1900, 1, 1) <= dob <= date.today():
        r.fail("date_of_birth", f"{dob.isoformat()} is not a plausible date of birth")
    country = r.country("country")
    address = None
    line, postal, city = (
        r.text("address_line", max_len=300),
        r.text("postal_code", max_len=20),
        (r.text("city", max_len=120)),
    )
    since = r.date("address_since", fmt)
    if line or postal or city or country:
        address = Address(line, postal, city, country, since=since)
    previous = None
    p_country = r.country("previous_country")
    p_line = r.text("previous_address_line", max_len=300)
    p_postal = r.text("previous_postal_code", max_len=20)
    p_city = r.text("previous_city", max_len=120)
    until = r.date("previous_address_until", fmt)
    if p_line or p_postal or p_city or p_country:
        previous = Address(p_line, p_postal, p_city, p_country, until=until)
    region = country or PHONE_REGION.get(jurisdiction or "", jurisdiction)
    phones: list[str] = []
    for raw in (r.text("phones", max_len=500) or "").split("|"):
        if raw.strip():
            try:
                phones.append(parse_phone(raw.strip(), region))
            except BadValue as exc:
                r.fail("phones", str(exc))
    emails: list[str] = []
    for raw in (r.text("emails", max_len=500) or "").split("|"):
        if raw.strip():
            try:
                emails.append(parse_email(raw.strip()))
            except BadValue as exc:
                r.fail("emails", str(exc))
    language = r.choice("preferred_language", LANGUAGES, upper=False)
    zone = r.text("time_zone", max_len=64)
    if zone is not None and not valid_zone(zone):
        r.fail("time_zone", f"{zone!r} is not an IANA time zone")
    status = r.choice("status", STATUSES, upper=False) or "active"
    charge_off = r.date("charge_off_date", fmt)
    last_payment = r.date("last_payment_date", fmt)
    national_id = r.text("national_id", max_len=64)
    employer = r.text("employer")
    original_creditor = r.text("original_creditor")
    if r.bad:
        return None
    assert account_reference and debtor_reference and given_names and family_names
    assert jurisdiction and currency
    return PortfolioRow(
        row=row,
        account_reference=account_reference,
        debtor_reference=debtor_reference,
        given_names=given_names,
        family_names=family_names,
        date_of_birth=dob,
        national_id=national_id,
        address=address,
        previous_address=previous,
        phones=tuple(dict.fromkeys(phones)),
        emails=tuple(dict.fromkeys(emails)),
        employer=employer,
        preferred_language=language or DEFAULT_LANGUAGE[jurisdiction],
        time_zone=zone or DEFAULT_TIME_ZONE[jurisdiction],
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
    )


def _records(stream: IO[str]) -> tuple[str, Iterator[list[str]]]:
    first = stream.readline()
    delimiter = _detect_delimiter(first)
    rest = csv.reader(stream, delimiter=delimiter)
    header = next(csv.reader([first], delimiter=delimiter), [])

    def _all() -> Iterator[list[str]]:
        yield header
        yield from rest

    return delimiter, _all()


def parse_stream(
    stream: IO[str], *, file: str, date_format: str = DEFAULT_DATE_FORMAT
) -> list[PortfolioRow]:
    """Parse a text stream; raise InvalidInput listing every problem (nothing is written)."""
    problems: list[InputProblem] = []
    _, records = _records(stream)
    header_cells = next(records, [])
    header = [h.strip().lower() for h in header_cells]
    if not any(header):
        raise InvalidInput(problems=[InputProblem(file, 1, "(header)", "the file is empty")])
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(InputProblem(file, 1, name, "column appears twice in the header"))
        elif name not in COLUMNS:
            problems.append(
                InputProblem(file, 1, name, "unknown column (see docs/portfolio-format.md)")
            )
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            problems.append(InputProblem(file, 1, name, "required column is missing"))
    if problems:
        # Without a usable header no row can be read reliably; report the header alone.
        raise InvalidInput(problems=problems)
    width = len(header)
    rows: list[PortfolioRow] = []
    first_seen: dict[str, int] = {}
    for number, record in enumerate(records, start=2):
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # blank line
        if len(record) != width:
            problems.append(
                InputProblem(
                    file, number, "(row)", f"{len(record)} cells where the header has {width}"
                )
            )
            continue
        parsed = _parse_row(
            file, number, dict(zip(header, record, strict=True)), date_format, problems
        )
        if parsed is None:
            continue
        earlier = first_seen.get(parsed.account_reference)
        if earlier is not None:
            problems.append(
                InputProblem(
                    file,
                    number,
                    "account_reference",
                    f"{parsed.account_reference!r} already appears on row {earlier}",
                )
            )
            continue
        first_seen[parsed.account_reference] = number
        rows.append(parsed)
    if problems:
        raise InvalidInput(problems=problems)
    return rows


def parse_bytes(
    data: bytes, *, file: str, date_format: str = DEFAULT_DATE_FORMAT
) -> list[PortfolioRow]:
    """Parse file content (UTF-8, with or without BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            problems=[
                InputProblem(file, 1, "(file)", f"not UTF-8 (byte {exc.start}): {exc.reason}")
            ]
        ) from None
    return parse_stream(io.StringIO(text, newline=""), file=file, date_format=date_format)
