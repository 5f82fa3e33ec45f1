"""Lexicon baseline for sentiment (what the trained model must beat): VADER for English, a
small hand-made word list with negation for French and Spanish."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_POSITIVE = {
    "fr": "merci correct correcte humain humaine adapte recommande bien top respectueux "
    "respectueuse patient patiente ecoute cordial nickel chapeau super bonne surprise aide "
    "comprehension sympa serieux",
    "es": "gracias correcto amable adaptado recomiendo bien excelente respetuoso respetuosos "
    "paciente cordial majos genio buena onda ayudo comprension serio agradecer diez",
}
_NEGATIVE = {
    "fr": "harcelement harcele menace menacant menaces arnaque escroc escroquerie phishing "
    "faux fausse honte scandaleux agressif agressive impossible stop malsain galere plante "
    "erreur jamais marre ras bol frauduleux mauvais",
    "es": "acoso amenaza amenazante amenazo estafa estafador timo phishing falso falsa "
    "verguenza indignante agresivo humillante imposible basta asco fraude error harto "
    "pesados fraudulenta nunca",
}
_NEGATIONS = {
    "fr": {"pas", "jamais", "aucun", "aucune", "ni", "sans"},
    "es": {"no", "nunca", "sin", "ni", "nada"},
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(text: str, lang: str) -> str:
    """negative / neutral / positive by lexicon (VADER's compound ±0.05 for English)."""
    if lang == "en":
        score = float(_vader().polarity_scores(text)["compound"])
        return "positive" if score >= 0.05 else "negative" if score <= -0.05 else "neutral"
    pos, neg = set(_POSITIVE[lang].split()), set(_NEGATIVE[lang].split())
    words = re.findall(r"\w+", _fold(text))
    total = 0
    for i, word in enumerate(words):
        polarity = 1 if word in pos else -1 if word in neg else 0
        # A negation within the three previous words flips the word ("pas agressive").
        if polarity and _NEGATIONS[lang] & set(words[max(0, i - 3) : i]):
            polarity = -polarity
        total += polarity
    return "positive" if total > 0 else "negative" if total < 0 else "neutral"
