"""The portal's words in French, Spanish and English, and the choice of language.

The words live in Babel catalogs, ``portal/locale/<lang>/LC_MESSAGES/portal.po`` (edited
with the usual gettext tools), read and kept in memory on first use like the console's: a
fresh clone needs no build step and no stale compiled file can be served. A msgid is the
word's key (``t("entry_heading")`` in the templates); every key has all three languages
(a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGS = ("fr", "es", "en")
DEFAULT_LANG = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@lru_cache(maxsize=len(LANGS))
def catalog(lang: str) -> dict[str, str]:
    """The words of one language (key -> text); a missing catalog is an error, not silence."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "portal.po"
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=lang)
    return {str(m.id): str(m.string) for m in parsed if m.id and m.string}


def translate(key: str, lang: str, **values: object) -> str:
    """The message in ``lang`` (English when the language is unknown), with values filled."""
    text = catalog(lang if lang in LANGS else DEFAULT_LANG).get(key) or catalog(DEFAULT_LANG)[key]
    return text.format(**values) if values else text


def translator(lang: str) -> Callable[..., str]:
    """``t("key", name=...)`` for templates."""

    def _t(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    return _t


def pick_lang(*candidates: str | None, accept_language: str = "") -> str:
    """The first supported language among explicit choices, then the browser's list."""
    for c in candidates:
        if c and c[:2].lower() in LANGS:
            return c[:2].lower()
    for part in accept_language.split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGS:
            return code
    return DEFAULT_LANG
