"""Render message templates (Jinja2, FR/ES/EN) with money and dates formatted by Babel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).parent / "templates"
KINDS = (
    "identity_request",
    "first_contact",
    "reminder",
    "plan_proposal",
    "plan_confirmation",
    "first_letter",
)
LANGS = ("fr", "es", "en")
# Locale per (language, jurisdiction): English money in the UK is £ with British dates.
_LOCALES = {
    ("en", "UK"): "en_GB",
    ("en", "US"): "en_US",
    ("fr", "FR"): "fr_FR",
    ("es", "ES"): "es_ES",
    ("es", "US"): "es_US",
}
_SEPARATOR = "===BODY==="
_DEFAULT_LOCALE = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}


@dataclass(frozen=True)
class Agency:
    name: str
    short_name: str  # used before identity is verified: must not reveal debt collection
    address: str
    phone: str
    portal_url: str
    opt_out_url: str = ""
    iban: str = ""


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""


@dataclass(frozen=True)
class DebtInfo:
    reference: str
    basis: str
    principal: Decimal
    interest: Decimal = Decimal("0")
    other: Decimal = Decimal("0")
    currency: str = "EUR"

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.other


@dataclass(frozen=True)
class PlanInfo:
    installments: int
    amount: Decimal
    first_due: date


@dataclass(frozen=True)
class TemplateContext:
    jurisdiction: str
    agency: Agency
    debtor_name: str
    agent_name: str
    creditor: Party | None = None
    debt: DebtInfo | None = None
    plan: PlanInfo | None = None
    first_letter_ref: str | None = None
    first_letter_date: date | None = None
    letter_ref: str | None = None
    letter_date: date | None = None
    time_barred: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    kind: str
    lang: str
    channel: str
    subject: str
    body: str


def locale_for(lang: str, jurisdiction: str) -> str:
    return _LOCALES.get((lang, jurisdiction), _DEFAULT_LOCALE[lang])


@lru_cache(maxsize=8)
def _env(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=StrictUndefined,  # a missing field is an error, not an empty mention
        autoescape=False,  # plain text; the e-mail channel escapes when it builds HTML
        keep_trailing_newline=False,
    )
    env.filters["money"] = lambda amount, currency: format_currency(
        Decimal(amount), currency, locale=locale
    )
    env.filters["long_date"] = lambda d: format_date(d, format="long", locale=locale)
    env.filters["short_date"] = lambda d: d.strftime(
        "%m/%d/%Y" if locale == "en_US" else "%d/%m/%Y"
    )
    env.filters["oneline"] = lambda s: ", ".join(
        x.strip() for x in str(s).splitlines() if x.strip()
    )
    return env


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def render(kind: str, lang: str, *, channel: str, ctx: TemplateContext) -> Rendered:
    """Render one template's subject and body."""
    if kind not in KINDS:
        raise ValueError(f"unknown template {kind!r} (known: {', '.join(KINDS)})")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGS)})")
    env = _env(locale_for(lang, ctx.jurisdiction))
    template = env.get_template(f"{kind}.{lang}.j2")
    variables = {k: getattr(ctx, k) for k in ctx.__dataclass_fields__}
    variables.update(ctx.extra)
    variables["channel"] = channel
    # A template is "subject ===BODY=== body"; one render keeps macros and imports simple.
    subject, sep, body = template.render(variables).partition(_SEPARATOR)
    if not sep:
        raise ValueError(f"template {kind}.{lang}.j2 has no {_SEPARATOR} line")
    return Rendered(kind, lang, channel, _tidy(subject), _tidy(body))
