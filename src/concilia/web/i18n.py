"""UI language: Babel catalogs (FR/ES/EN) and locale-aware formatting for the pages.

The ``.po`` files are committed and compiled in memory on first use (``read_po`` then
``write_mo``), so a fresh clone needs no build step and a stale ``.mo`` can never be served.
The language is the user's choice (a cookie set by ``/lang``), else the browser's
``Accept-Language``, else English.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations
from starlette.requests import Request

LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "es": "Español"}
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "concilia_lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# Babel locale per UI language: formatting follows the language, not the debt's country.
_LOCALES = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES"}


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> Translations:
    """The compiled catalog of a UI language (English's only names data words)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang not in LANGUAGES or not po.exists():
        return Translations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def negotiate(accept_language: str) -> str | None:
    """The first supported language of an Accept-Language header, by quality."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()[:2]))
    for minus_q, _, code in sorted(ranked):
        if code in LANGUAGES and minus_q < 0:
            return code
    return None


def language_of(request: Request) -> str:
    """The UI language for this request: the signed-in user's own choice (put on
    ``request.state.user_language`` by the page that read the session), then the cookie of
    the language switch, then Accept-Language, then English."""
    own = getattr(request.state, "user_language", None)
    if own in LANGUAGES:
        return str(own)
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language", "")) or DEFAULT_LANGUAGE


def gettext(lang: str, message: str) -> str:
    """``message`` in ``lang``."""
    return str(translations(lang).ugettext(message))


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message in ``lang``."""
    return str(translations(lang).ungettext(singular, plural, n))


def locale_of(lang: str) -> str:
    """The Babel locale used to format numbers and dates in a UI language."""
    return _LOCALES.get(lang, _LOCALES[DEFAULT_LANGUAGE])


@lru_cache(maxsize=len(_LOCALES) + 1)
def _locale(lang: str) -> Locale:
    # Babel parses a locale given by name on every call (about ten times the cost of the
    # formatting itself): parse each once.
    return Locale.parse(locale_of(lang))


def money(amount: Decimal | int | None, currency: str, lang: str) -> str:
    """An amount in its own currency, written the way the reader's language writes money."""
    if amount is None:
        return ""
    return str(format_currency(Decimal(amount), currency, locale=_locale(lang)))


def number(value: float | int | Decimal, lang: str, digits: int = 2) -> str:
    """A decimal number in the reader's language."""
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return str(format_decimal(value, format=pattern, locale=_locale(lang)))


def day(value: date | datetime | None, lang: str) -> str:
    """A date in the reader's language (medium format)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return str(format_date(value, format="medium", locale=_locale(lang)))


def moment(value: datetime | None, lang: str, time_zone: str = "UTC") -> str:
    """A date and time in the reader's language, in a given zone."""
    if value is None:
        return ""
    return str(
        format_datetime(
            value, format="medium", tzinfo=get_timezone(time_zone), locale=_locale(lang)
        )
    )


def template_globals(lang: str) -> dict[str, Any]:
    """What every page needs to speak its language."""
    return {"lang": lang, "languages": LANGUAGES}
