"""Places a person states in their own posts: "New life in Nantes", "Nos quedamos en Sevilla".

Only phrases that say where the author lives (a move done, a new home, staying put) count;
a city merely named in passing does not, since people post about trips and matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from concilia.geo import service as geo
from concilia.tracing.whereabouts.infer import PlaceStatement

_CITY = r"(?P<city>[^\W\d_][\w'’\- .]{1,60})"
_PHRASES = [
    # English
    r"new life in",
    r"leaving [\w'’\- ]{2,40}? for",
    r"new (?:place|flat|home|house|apartment) in",
    r"settled in",
    r"moved to",
    r"moving to",
    r"just moved to",
    r"staying in",
    r"goodbye [\w'’\- ]{2,40}?, hello",
    # French
    r"nouvelle vie à",
    r"on quitte [\w'’\- ]{2,40}? pour",
    r"nouvel appart(?:ement)? à",
    r"install[ée]e?s? à",
    r"déménag[ée]e?s? à",
    r"bienvenue chez nous à",
    r"on reste à",
    r"au revoir [\w'’\- ]{2,40}?, bonjour",
    # Spanish
    r"nueva vida en",
    r"dejamos [\w'’\- ]{2,40}? por",
    r"piso nuevo (?:de|en)",
    r"instalad[oa]s? en",
    r"me he mudado a",
    r"nos hemos mudado a",
    r"me mudé a",
    r"nos quedamos en",
    r"adiós [\w'’\- ]{2,40}?, hola",
    # German / Portuguese (rare in the data, cheap to keep)
    r"neues leben in",
    r"nova vida em",
]
_PATTERN = re.compile(r"(?:" + "|".join(_PHRASES) + r")\s+" + _CITY, re.IGNORECASE)
# "Je déménage à Bali... ou pas": a joke, not a move. ("Not moving after all, staying in X"
# does say where they live, so plain negations are kept.)
_JOKE = re.compile(r"\b(?:ou pas|or not|o no)\b", re.IGNORECASE)


def _resolve_prefix(text: str, country: str | None) -> str | None:
    words = re.split(r"\s+", re.split(r"[!?.,;:()…]", text)[0].strip())
    for n in range(min(4, len(words)), 0, -1):
        candidate = " ".join(words[:n]).strip(" '’-")
        if candidate and geo.lookup(candidate, country) is not None:
            return candidate
    return None


def statements_from_posts(
    posts: Iterable[tuple[datetime | None, str | None]], country: str | None = None
) -> list[PlaceStatement]:
    """The places the author says they live in, one per post at most, with the post's date."""
    found: list[PlaceStatement] = []
    for at, text in posts:
        if not text:
            continue
        match = _PATTERN.search(text)
        if match is None:
            continue
        city = _resolve_prefix(match.group("city"), country)
        if city is None or _JOKE.search(text):
            continue
        found.append(PlaceStatement(city_text=city, country=country, at=at, kind="post"))
    return found
