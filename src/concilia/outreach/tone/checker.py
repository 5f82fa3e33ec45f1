"""check_tone: lexicon rules first (precise spans), then the classifier for what they missed."""

from __future__ import annotations

from functools import lru_cache
from typing import cast

from concilia.once import once
from concilia.outreach.tone import lexicon
from concilia.outreach.tone.classifier import (
    ANY_THRESHOLD,
    BLOCK_PROBABILITY,
    HEADS,
    THRESHOLD,
    ToneClassifier,
)
from concilia.outreach.tone.dataset import Example, load_examples
from concilia.outreach.tone.suggestions import suggestion_for
from concilia.outreach.tone.text import (
    detect_lang,
    fold,
    sentences,
    warm_up_language_detection,
)
from concilia.outreach.tone.types import BLOCKING_CATEGORIES, CATEGORIES, LANGS, Lang, ToneFlag

ANY_INDEX = HEADS.index("any")


def train_classifier(examples: tuple[Example, ...]) -> ToneClassifier:
    """Train the classifier on labelled examples (deterministic for a given list)."""
    return ToneClassifier.train([e.text for e in examples], [e.labels for e in examples])


class ToneChecker:
    """Finds tone problems in a message; `classifier=None` gives the lexicon-only checker."""

    def __init__(self, classifier: ToneClassifier | None) -> None:
        self.classifier = classifier

    def check(self, text: str, lang: Lang | None = None) -> list[ToneFlag]:
        """Return the flags for one message, in text order."""
        if not text.strip():
            return []
        folded = fold(text)
        language: Lang = lang if lang is not None else detect_lang(text, folded)
        flags: list[ToneFlag] = []
        for hit in lexicon.match(folded, language):
            blocking = hit.category in BLOCKING_CATEGORIES or hit.strong
            flags.append(
                ToneFlag(
                    category=hit.category,
                    start=hit.start,
                    end=hit.end,
                    text=text[hit.start : hit.end],
                    severity="block" if blocking else "review",
                    suggestion=suggestion_for(hit.category, language),
                    source="lexicon",
                )
            )
        # The classifier is the safety net for wording the rules do not know; once a rule has
        # found a blocking problem the send is blocked anyway, so skip it (and save the time).
        if self.classifier is not None and not any(f.severity == "block" for f in flags):
            flags.extend(self._classifier_flags(text, folded, language, flags))
        return sorted(flags, key=lambda f: (f.start, f.end, f.category))

    def _classifier_flags(
        self, text: str, folded: str, lang: Lang, found: list[ToneFlag]
    ) -> list[ToneFlag]:
        assert self.classifier is not None
        have = {f.category for f in found}
        probs = self.classifier.scores_folded(folded)
        picked: list[tuple[int, float]] = [
            (j, float(probs[j]))
            for j, cat in enumerate(CATEGORIES)
            if probs[j] >= THRESHOLD and cat not in have
        ]
        if not picked and not found and probs[ANY_INDEX] >= ANY_THRESHOLD:
            best = max(range(len(CATEGORIES)), key=lambda j: float(probs[j]))
            picked = [(best, float(probs[best]))]
        out: list[ToneFlag] = []
        for j, p in picked:
            cat = CATEGORIES[j]
            start, end = self._best_sentence(text, folded, j)
            # Bag-of-n-grams cannot read "we will never tell your neighbours"; negation is the
            # rules' job, so a classifier-only hit on a negated sentence is dropped.
            if lexicon.has_negation(folded[start:end], lang):
                continue
            blocking = cat in BLOCKING_CATEGORIES and p >= BLOCK_PROBABILITY
            out.append(
                ToneFlag(
                    category=cat,
                    start=start,
                    end=end,
                    text=text[start:end],
                    severity="block" if blocking else "review",
                    suggestion=suggestion_for(cat, lang),
                    source="classifier",
                )
            )
        return out

    def _best_sentence(self, text: str, folded: str, j: int) -> tuple[int, int]:
        """The sentence the classifier finds most indicative of category j."""
        classifier = self.classifier
        assert classifier is not None
        spans = sentences(text)
        if len(spans) <= 1:
            return spans[0] if spans else (0, len(text))
        return max(spans, key=lambda s: float(classifier.scores_folded(folded[s[0] : s[1]])[j]))


@once
def default_checker() -> ToneChecker:
    """The production checker: rules plus a classifier trained on the whole labelled set.

    Built on first use (about a second) and kept in memory; nothing is downloaded or read
    from outside the package.
    """
    checker = ToneChecker(train_classifier(load_examples()))
    warm_up_language_detection()
    return checker


@lru_cache(maxsize=16384)
def _check_cached(text: str, lang: str | None) -> tuple[ToneFlag, ...]:
    return tuple(default_checker().check(text, cast(Lang | None, lang)))


def check_tone(text: str, lang: str | None = None) -> list[ToneFlag]:
    """Return tone flags for a message in French, Spanish or English (detected when None)."""
    if lang is not None and lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)} or None, got {lang!r}")
    return list(_check_cached(text, lang))
