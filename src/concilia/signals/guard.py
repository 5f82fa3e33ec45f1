"""Special categories of personal data (GDPR art. 9) in the posts signals reads.

The guard itself lives below every domain, in ``concilia.special`` (sources screens imports with
it before anything is written). Signals adds one thing: the event classifier's label. An illness
or a birth read by the classifier is health data whatever the words, so it counts as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from concilia.special import guard as special_guard
from concilia.special.head import Head

CATEGORIES = special_guard.CATEGORIES

# Labels that reveal health whatever the words: an illness, and a birth or pregnancy.
HEALTH_LABELS = frozenset({"illness_or_disability", "new_child"})


@dataclass(frozen=True)
class GuardResult:
    """The special categories a post reveals (never the words that revealed them)."""

    categories: frozenset[str]
    # The post is in a language the guard cannot read: nothing of it may be kept.
    refused: bool = False

    @property
    def special(self) -> bool:
        return bool(self.categories)

    @property
    def storable(self) -> bool:
        return not self.categories and not self.refused


def _result(verdict: special_guard.Verdict, labels: Iterable[str]) -> GuardResult:
    categories = set(verdict.categories)
    if HEALTH_LABELS.intersection(labels):
        categories.add("health")
    return GuardResult(frozenset(categories), verdict.refused and not categories)


def scan_many(
    texts: Sequence[str],
    *,
    labels: Sequence[Iterable[str]] | None = None,
    model: Head | None = None,
) -> list[GuardResult]:
    """The categories each text reveals, with each text's likely event labels (batched)."""
    verdicts = special_guard.scan_many(texts, model=model)
    given = labels if labels is not None else [()] * len(texts)
    return [_result(v, lab) for v, lab in zip(verdicts, given, strict=True)]


def scan(text: str, *, labels: Iterable[str] = (), model: Head | None = None) -> GuardResult:
    """The categories one text reveals (see :func:`scan_many`)."""
    return scan_many([text], labels=[labels], model=model)[0]


def safe_cues(cues: Iterable[str], result: GuardResult) -> list[str]:
    """The cues that may be stored: none at all for a special-category post."""
    if not result.storable:
        return []
    return list(cues)
