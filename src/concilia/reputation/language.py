"""Language of a mention, restricted to the languages the classifier knows (FR/ES/EN)."""

from __future__ import annotations

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from concilia.once import once

_CODES = {Language.FRENCH: "fr", Language.SPANISH: "es", Language.ENGLISH: "en"}


@once
def _detector() -> LanguageDetector:
    # Restricting lingua to three languages makes it both faster and surer on short posts.
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


def detect(text: str) -> str:
    """``fr``, ``es`` or ``en`` (``en`` when the text gives no clue, e.g. only emoji)."""
    found = _detector().detect_language_of(text)
    return _CODES.get(found, "en") if found is not None else "en"


def normalise(lang: str | None, text: str) -> str:
    """The given language code reduced to fr/es/en (``fr-CA`` → ``fr``), else the detected one."""
    if lang:
        short = lang.strip().lower().replace("_", "-").split("-", 1)[0]
        if short in ("fr", "es", "en"):
            return short
    return detect(text)
