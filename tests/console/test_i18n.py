"""The UI catalogs: every word the pages say is translated in French and Spanish."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import concilia.web.i18n as i18n

SRC = Path(i18n.__file__).resolve().parent.parent


def _extracted() -> set[str]:
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    keywords = {"_": None, "gettext": (2,), "ngettext": (2, 3)}
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SRC), method_map=method_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_page_word_is_translated(lang: str) -> None:
    po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    translated = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = sorted(_extracted() - translated)
    assert missing == [], f"untranslated in {lang}: {missing}"


def test_accept_language_negotiation() -> None:
    assert i18n.negotiate("de-DE,de;q=0.9,es;q=0.8,fr;q=0.7") == "es"
    assert i18n.negotiate("fr-CA") == "fr"
    assert i18n.negotiate("de, ja") is None
    assert i18n.negotiate("fr;q=0, en;q=0.5") == "en"


def test_money_follows_the_reader_and_keeps_the_debts_currency() -> None:
    from decimal import Decimal

    assert i18n.money(Decimal("1234.5"), "EUR", "en") == "€1,234.50"
    assert i18n.money(Decimal("1234.5"), "EUR", "fr") == "1\u202f234,50\u00a0€"
    assert i18n.money(Decimal("1234.5"), "GBP", "es") == "1.234,50\u00a0GBP"
    assert i18n.gettext("fr", "Worklist") == "Liste de travail"
    assert i18n.gettext("en", "cease_contact") == "cease contact"
