"""Employer and place names mentioned in a post: candidate evidence for tracing.

A gazetteer, not a statistical NER: spaCy's small pipelines are only solid for French and
English here (the Spanish one needs ``--no-deps`` and is weak on organisations), they cost
1-2 ms per post, and they tag "Lyon" and "Decathlon" no better than a list does. Places come
from the project's city gazetteer, which reads them out of the text
(``geo.service.read_names``); employers from a list kept in ``data/employers.txt`` plus
capitalised names after "chez / at / en / para ..." in job-related posts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from concilia.geo import service as geo_service

JOB_LABELS = frozenset({"new_job", "promotion", "job_loss"})
_EMPLOYER_CUE = re.compile(
    r"\b(?:chez|at|for|with|en|para|por|joining|rejoins|rejoindre)\s+(?:the\s+|el\s+|la\s+|le\s+)?"
    r"([A-ZÀ-Ý][\w'’&.-]*(?:\s+[A-ZÀ-Ý][\w'’&.-]*){0,2})"
)


def _fold(text: str) -> str:
    return geo_service.fold_words(text)


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

    def employer(span: str) -> Entity | None:
        name = employers.get(_fold(span))
        return Entity("employer", name) if name is not None else None

    # The gazetteer reads the capitalised spans; a known employer wins over a place.
    for named in geo_service.read_names(text, other=employer):
        add(named if isinstance(named, Entity) else Entity("place", named.name, named.country))
    if label in JOB_LABELS:
        for match in _EMPLOYER_CUE.finditer(text):
            key = _fold(match.group(1))
            if not key or key in geo_service.NOT_NAMES:
                continue
            if geo_service.city_named(match.group(1)) is not None:
                continue
            if any(k.kind == "employer" and _fold(k.name) in key for k in found):
                continue
            add(Entity("employer", employers.get(key, match.group(1))))
    return found
