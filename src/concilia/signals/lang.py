"""Offline language identification: French, Spanish, English, or ``other``.

Two detectors, each where it is good: ``py3langid`` (97 languages, very fast) says whether
a post is in one of our three languages at all, and lingua restricted to French, Spanish
and English (more accurate on short, noisy text) says which of the three. A lingua over a
dozen languages in high-accuracy mode was as accurate but ten times slower; in its
low-accuracy mode it mislabelled one short post in forty.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

OTHER = "other"
TARGETS = frozenset({"fr", "es", "en"})
# py3langid's answers that we trust as "another language". Any other answer on a short
# post is more often a misfire (Latin, Occitan, Maltese...) than the truth, so lingua decides.
KNOWN_OTHERS = frozenset(
    {"de", "it", "pt", "nl", "ca", "gl", "eu", "pl", "tr", "ro", "ar", "ru", "uk", "zh", "ja",
     "ko", "sv", "da", "no", "fi", "cs", "hu", "el", "he", "hi", "ur", "fa", "vi", "id"}
)  # fmt: skip
_CODES = {"FRENCH": "fr", "SPANISH": "es", "ENGLISH": "en"}
_lock = threading.Lock()
_detector: Any = None


def detector() -> Any:
    """The shared lingua detector for FR/ES/EN (built once; read-only afterwards)."""
    global _detector
    with _lock:
        if _detector is None:
            from lingua import Language, LanguageDetectorBuilder

            _detector = LanguageDetectorBuilder.from_languages(
                Language.FRENCH, Language.SPANISH, Language.ENGLISH
            ).build()
        return _detector


def detect(texts: Sequence[str]) -> list[str]:
    """``fr``, ``es``, ``en`` or ``other`` for each text."""
    import py3langid

    out: list[str] = [OTHER] * len(texts)
    ask: list[int] = []
    for i, text in enumerate(texts):
        if any(ch.isalpha() for ch in text) and py3langid.classify(text)[0] not in KNOWN_OTHERS:
            ask.append(i)
    if ask:
        # One call for the batch: the per-call overhead dominates on short posts.
        found = detector().detect_languages_in_parallel_of([texts[i] for i in ask])
        for i, lang in zip(ask, found, strict=True):
            out[i] = OTHER if lang is None else _CODES[lang.name]
    return out
