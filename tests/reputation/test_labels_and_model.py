"""The labelled set (size, split, labels) and the classifier on it."""

from __future__ import annotations

from collections import Counter

import pytest

from concilia.reputation import classifier, labels, language, lexicon


def test_labelled_set_is_large_balanced_and_blind_part_disjoint() -> None:
    tune, blind = labels.load("tune"), labels.load("blind")
    assert len(tune) + len(blind) >= 300
    assert Counter(r.lang for r in tune + blind) == {"fr": 107, "es": 107, "en": 107}
    assert 0.25 <= len(blind) / (len(tune) + len(blind)) <= 0.35
    # The FR/ES/EN versions of one idea share a group; a group is wholly tune or wholly blind,
    # so no translation of a blind mention is trained on.
    assert not {r.group for r in tune} & {r.group for r in blind}
    for row in tune + blind:
        assert row.sentiment in labels.SENTIMENTS and row.topic in labels.TOPICS
    assert {r.topic for r in blind} == set(labels.TOPICS)
    phenomena = Counter(r.phenomenon for r in tune + blind)
    assert phenomena["irony"] >= 15 and phenomena["negation"] >= 15
    assert phenomena["hard_negative"] >= 10 and phenomena["regional"] >= 20


def test_model_learns_its_training_part(ngram_model: classifier.MentionClassifier) -> None:
    tune = labels.load("tune")
    predicted = ngram_model.predict([r.text for r in tune])
    topic_hits = sum(p.topic == r.topic for p, r in zip(predicted, tune, strict=True))
    assert topic_hits / len(tune) > 0.95
    assert all(0.0 < p.confidence <= 1.0 for p in predicted)
    assert all(p.confidence == min(p.sentiment_confidence, p.topic_confidence) for p in predicted)


def test_language_detection_and_normalisation() -> None:
    assert language.detect("Ils m'appellent tous les jours, je n'en peux plus") == "fr"
    assert language.detect("Me llaman todos los días, ya no aguanto") == "es"
    assert language.detect("They call me every single day, I can't take it") == "en"
    assert language.normalise("fr-CA", "whatever the text says") == "fr"
    assert language.normalise("de", "Me llaman todos los días, ya no aguanto") == "es"


def test_lexicon_baseline_handles_negation() -> None:
    assert lexicon.sentiment("Créancia n'a jamais été agressive, très patiente", "fr") == "positive"
    assert lexicon.sentiment("Esto es acoso, qué vergüenza", "es") == "negative"
    assert lexicon.sentiment("This is harassment and a total scam", "en") == "negative"


def test_trained_model_is_kept_on_disk_and_reloaded(monkeypatch) -> None:
    calls: list[int] = []

    def fast_train(rows, config=classifier.DEFAULT_CONFIG):
        calls.append(len(rows))
        return classifier.MentionClassifier(
            classifier.FeatureConfig(chars=False, embeddings=False)
        ).fit([r.text for r in rows], [r.sentiment for r in rows], [r.topic for r in rows])

    monkeypatch.setattr(classifier, "train", fast_train)
    path = classifier._cache_path()
    path.unlink(missing_ok=True)
    classifier.get_model.cache_clear()
    try:
        first = classifier.get_model()
        assert path.exists() and calls == [len(labels.load("tune"))]
        classifier.get_model.cache_clear()
        second = classifier.get_model()
        assert calls == [len(labels.load("tune"))]  # loaded, not trained again
        text = ["Merci Recouvrex pour votre patience"]
        assert second.predict(text) == first.predict(text)
    finally:
        classifier.get_model.cache_clear()
        path.unlink(missing_ok=True)


@pytest.mark.slow
def test_shipped_model_on_clear_cases() -> None:
    model = classifier.train(labels.load("tune"))
    got = model.predict(
        [
            "Solvéo m'appelle dix fois par jour, c'est du harcèlement",
            "Attention, faux SMS au nom de Deudalia avec un lien de pago, es una estafa",
            "Thank you Northgate, the advisor was kind and patient",
        ]
    )
    assert [(p.sentiment, p.topic) for p in got] == [
        ("negative", "harassment"),
        ("negative", "scam_warning"),
        ("positive", "praise"),
    ]
