"""Normalisation, negation scopes and lexicon cues: no model needed."""

from __future__ import annotations

import pytest

from concilia.signals.lexicon import find_cues, keyword_label
from concilia.signals.text import mark_negation, model_text, normalise, tokens


def marked(text: str, lang: str) -> list[str]:
    return mark_negation(tokens(normalise(text)), lang)


@pytest.mark.parametrize(
    ("text", "lang", "negated_word"),
    [
        ("Je n'ai pas perdu mon travail", "fr", "perdu"),
        ("Je ne quitte pas Lyon", "fr", "quitte"),
        ("Personne n'a été viré chez nous", "fr", "vire"),
        ("No me han despedido", "es", "despedido"),
        ("Nadie me ha despedido", "es", "despedido"),
        ("I have not lost my job", "en", "lost"),
        ("I wasn't fired", "en", "fired"),
        ("Nobody got sacked here", "en", "sacked"),
    ],
)
def test_negation_scope_covers_the_event_word(text: str, lang: str, negated_word: str) -> None:
    assert f"neg_{negated_word}" in marked(text, lang)


def test_negation_scope_closes_at_punctuation() -> None:
    toks = marked("Pas de chance, licencié ce matin", "fr")
    assert "licencie" in toks and "neg_licencie" not in toks


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Je n'ai pas perdu mon travail", "fr"),
        ("No me han despedido, era un rumor", "es"),
        ("I have not lost my job", "en"),
    ],
)
def test_negated_cue_is_flagged_and_the_baseline_says_none(text: str, lang: str) -> None:
    cues = [c for c in find_cues(marked(text, lang), lang) if c.label == "job_loss"]
    assert cues and all(c.negated for c in cues)
    assert keyword_label(marked(text, lang), lang) == "none"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("J'ai perdu mon travail hier", "fr"),
        ("Me han despedido hoy", "es"),
        ("I lost my job", "en"),
    ],
)
def test_plain_cue_counts(text: str, lang: str) -> None:
    assert keyword_label(marked(text, lang), lang) == "job_loss"


def test_cue_carrying_its_own_negation_is_not_negated() -> None:
    cues = find_cues(marked("no job no money, the company went bust", "en"), "en")
    assert any(c.label == "job_loss" and not c.negated for c in cues)


def test_hashtags_emoji_and_accents_are_normalised() -> None:
    text = normalise("Nouvelle Voiture 🚗 #NouveauDépart chez Renault")
    assert "emojicar" in text
    assert "nouveau depart" in text and "nouveaudepart" in text
    assert "é" not in text


def test_repeated_letters_are_squeezed() -> None:
    assert model_text("trop contenteeeee", "fr") == "trop contentee"


def test_funeral_and_health_emoji_are_cues_of_their_event() -> None:
    assert "emojifuneral" in tokens(normalise("Adieu papa ⚰️"))
    labels = {c.label for c in find_cues(marked("Adieu papa ⚰️", "fr"), "fr")}
    assert labels == {"bereavement"}
    labels = {c.label for c in find_cues(marked("Otra vez aquí 🏥💊", "es"), "es")}
    assert labels == {"illness_or_disability"}
