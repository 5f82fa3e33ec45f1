"""Employer and place names mentioned in a post: candidate evidence for tracing.

A gazetteer, not a statistical NER: spaCy's small pipelines are only solid for French and
English here (the Spanish one needs ``--no-deps`` and is weak on organisations), they cost
1-2 ms per post, and they tag "Lyon" and "Decathlon" no better than a list does. Places come
from the project's city gazetteer (``concilia.geo``); employers from a list kept in
``data/employers.txt`` plus capitalised names after "chez / at / en / para ..." in
job-related posts. Only capitalised spans are looked up, which keeps "nice day" and
"tours" from becoming cities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from concilia.signals.text import strip_accents

JOB_LABELS = frozenset({"new_job", "promotion", "job_loss"})
_CAP_SPAN = re.compile(
    r"(?<![\w#@])([A-ZÀ-Ý][\w'’&.-]*(?:\s+(?:de|del|la|le|du|des|y|of|on|upon|-)?\s*"
    r"[A-ZÀ-Ý][\w'’&.-]*){0,3})"
)
_EMPLOYER_CUE = re.compile(
    r"\b(?:chez|at|for|with|en|para|por|joining|rejoins|rejoindre)\s+(?:the\s+|el\s+|la\s+|le\s+)?"
    r"([A-ZÀ-Ý][\w'’&.-]*(?:\s+[A-ZÀ-Ý][\w'’&.-]*){0,2})"
)
_STOP_CAPS = frozenset(
    {
        "je",
        "i",
        "the",
        "le",
        "la",
        "el",
        "my",
        "mon",
        "mi",
        "new",
        "nouveau",
        "nuevo",
        "premier",
        "first",
        "primer",
        "monday",
        "lundi",
        "lunes",
        "january",
        "janvier",
        "enero",
        "september",
        "septembre",
        "septiembre",
    }
)


def _fold(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", strip_accents(text).casefold()).strip()


@dataclass(frozen=True)
class Entity:
    """A name found in a post: ``kind`` is ``employer`` or ``place``."""

    kind: str
    name: str
    country: str | None = None


@lru_cache(maxsize=1)
def _employers() -> dict[str, str]:
    raw = (resources.files("concilia.signals") / "data" / "employers.txt").read_text("utf-8")
    names = [line.strip() for line in raw.splitlines() if line.strip() and line[0] != "#"]
    return {_fold(name): name for name in names}


@lru_cache(maxsize=1)
def _cities() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """(accent-folded index, accent-keeping index) of city names and alternate names."""
    from concilia.geo import service as geo_service

    folded: dict[str, tuple[str, str]] = {}
    exact: dict[str, tuple[str, str]] = {}
    # Largest first, so an ambiguous name keeps its most populous city.
    for city in sorted(geo_service.all_cities(), key=lambda c: -c.population):
        for name in (city.name, *city.alt_names):
            key = _fold(name)
            if len(key) > 2:
                folded.setdefault(key, (city.name, city.country))
                exact.setdefault(name.casefold(), (city.name, city.country))
    return folded, exact


def _city(span: str) -> tuple[str, str] | None:
    """A span written with accents must match them ("Monté" is not "Monte")."""
    folded, exact = _cities()
    if strip_accents(span) != span:
        return exact.get(span.casefold())
    return folded.get(_fold(span))


def _sub_spans(span: str) -> list[str]:
    words = span.split()
    out = []
    for size in range(len(words), 0, -1):
        for start in range(0, len(words) - size + 1):
            out.append(" ".join(words[start : start + size]))
    return out


def extract(text: str, *, label: str) -> list[Entity]:
    """Employers and places named in ``text``, in order of first mention, without duplicates."""
    employers = _employers()
    found: list[Entity] = []
    seen: set[tuple[str, str]] = set()

    def add(entity: Entity) -> None:
        key = (entity.kind, _fold(entity.name))
        if key not in seen:
            seen.add(key)
            found.append(entity)

    for match in _CAP_SPAN.finditer(text):
        taken: set[str] = set()
        for sub in _sub_spans(match.group(1)):
            key = _fold(sub)
            if not key or key in _STOP_CAPS or any(key in t for t in taken):
                continue
            if key in employers:
                add(Entity("employer", employers[key]))
                taken.add(key)
            elif (city := _city(sub)) is not None:
                add(Entity("place", city[0], city[1]))
                taken.add(key)
    if label in JOB_LABELS:
        for match in _EMPLOYER_CUE.finditer(text):
            key = _fold(match.group(1))
            if not key or key in _STOP_CAPS or _city(match.group(1)) is not None:
                continue
            if any(k.kind == "employer" and _fold(k.name) in key for k in found):
                continue
            add(Entity("employer", employers.get(key, match.group(1))))
    return found
