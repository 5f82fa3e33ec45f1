"""The compliance officer's page in French and Spanish (English is the source language).

Privacy's own Babel catalogs, ``privacy/locale/<lang>/LC_MESSAGES/privacy.po``, read and
kept in memory on first use like the console's and the portal's (no build step, nothing
stale to serve). A msgid is the English text; ``t("Open requests")`` in the templates, with
``{name}`` placeholders filled from keyword arguments. A test checks that every msgid the
templates use is translated in both catalogs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGS = ("fr", "es")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@lru_cache(maxsize=len(LANGS))
def catalog(lang: str) -> dict[str, str]:
    """The translations of one language (English text -> text); empty for English."""
    if lang not in LANGS:
        return {}
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "privacy.po"
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in parsed if m.id and m.string and not m.fuzzy}


def translate(text: str, lang: str, **values: object) -> str:
    """``text`` in ``lang`` (the English text when untranslated), with values filled."""
    found = catalog(lang).get(text) or text
    return found.format(**values) if values else found


def translator(lang: str) -> Callable[..., str]:
    """``t("text", name=...)`` for templates."""

    def _t(text: str, **values: object) -> str:
        return translate(text, lang, **values)

    return _t
