"""End-to-end reading of posts: negation per language, other languages, determinism."""

from __future__ import annotations

import numpy as np
import pytest

import concilia.signals.classify as classify
from concilia.signals.corpus import Example, held_out_items, load_handwritten, split
from concilia.signals.model import EventModel


@pytest.mark.parametrize(
    ("negated", "plain", "lang"),
    [
        (
            "Je n'ai pas perdu mon travail, c'était juste une rumeur",
            "J'ai perdu mon travail hier, l'usine ferme",
            "fr",
        ),
        (
            "No me han despedido, era solo un rumor en la oficina",
            "Me han despedido hoy después de diez años",
            "es",
        ),
        (
            "I have not lost my job, it was just an office rumour",
            "I lost my job yesterday, the factory is closing",
            "en",
        ),
    ],
)
def test_negation_in_each_language(
    signals_model: EventModel, negated: str, plain: str, lang: str
) -> None:
    neg, pos = classify.read([negated, plain], model=signals_model)
    assert (neg.lang, pos.lang) == (lang, lang)
    assert pos.label == "job_loss"
    assert neg.label != "job_loss"


def test_other_languages_are_skipped(signals_model: EventModel) -> None:
    german, portuguese, emoji = classify.read(
        [
            "Heute habe ich eine neue Stelle bei Siemens angefangen",
            "Comprei um carro novo hoje",
            "🎉🎉",
        ],
        model=signals_model,
    )
    for reading in (german, portuguese, emoji):
        assert reading.skipped and reading.lang == "other" and reading.label == "none"


def test_cues_name_the_words_and_irony(signals_model: EventModel) -> None:
    (reading,) = classify.read(
        ["Génial, licenciée le jour de mon anniversaire 🙃 #ironie"], model=signals_model
    )
    assert reading.label == "job_loss"
    assert any("licenci" in cue for cue in reading.cues)
    assert any(cue.startswith("irony:") for cue in reading.cues)
    assert 0.0 < reading.confidence <= 1.0


def test_special_category_post_keeps_no_cues_nor_names(signals_model: EventModel) -> None:
    (reading,) = classify.read(
        ["Chimio à l'hôpital de Lyon aujourd'hui, je ne peux plus travailler"], model=signals_model
    )
    assert "health" in reading.special
    assert reading.cues == [] and reading.entities == []


def test_entities_are_extracted(signals_model: EventModel) -> None:
    (reading,) = classify.read(
        ["Premier jour chez Decathlon à Toulouse demain !"], model=signals_model
    )
    names = {(e.kind, e.name) for e in reading.entities}
    assert ("employer", "Decathlon") in names and ("place", "Toulouse") in names


def test_training_is_deterministic() -> None:
    train, _ = split(load_handwritten())
    subset = train[::15]
    first, second = classify.fit(subset), classify.fit(subset)
    assert np.array_equal(first.full.coef_, second.full.coef_)
    assert np.array_equal(first.fast.coef_, second.fast.coef_)
    assert first.fingerprint == second.fingerprint


def test_held_out_posts_are_never_trained_on() -> None:
    train, held_out = split(load_handwritten())
    assert {e.item for e in train}.isdisjoint({e.item for e in held_out})
    assert len(held_out) >= 0.25 * (len(train) + len(held_out))
    # Every class is represented on the held-out side in every language.
    for lang in ("fr", "es", "en"):
        labels = {e.label for e in held_out if e.lang == lang}
        assert len(labels) == 16


def test_a_later_batch_leaves_the_earlier_split_unchanged() -> None:
    examples = load_handwritten()
    first = [e for e in examples if e.batch == "corpus"]
    later = [
        Example(id=f"x-{i}", item=f"x-{i}", lang="fr", label="none", text="x", batch="more")
        for i in range(40)
    ]
    alone = held_out_items(first)
    together = held_out_items([*first, *later])
    assert together & {e.item for e in first} == alone
    # The later batch gets its own 30 % (12 of 40 items), drawn by the same hash rule.
    assert len(together - alone) == 12


def test_short_spanish_posts_are_not_taken_for_a_neighbour_language() -> None:
    from concilia.signals import lang

    # py3langid's top answer for each of them is Galician.
    texts = [
        "Subo de categoría, por fin un sueldo decente",
        "Gemelas!! dos de golpe, que Dios nos pille confesados 😅",
        "Nos vamos a recorrer Islandia en furgo, 12 días",
    ]
    import py3langid

    assert all(py3langid.classify(t)[0] not in lang.TARGETS for t in texts)
    assert lang.detect(texts) == ["es", "es", "es"]
    assert lang.detect(["Oggi ho iniziato un nuovo lavoro a Milano, che emozione!"]) == ["other"]
