"""The guard's cheap first stage, its shared (batched) reading and its direct heads."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from concilia.special import embeddings, guard, head, lexicon


def test_no_neutral_word_is_a_category_word() -> None:
    for word in lexicon.NEUTRAL:
        assert lexicon.counts(f" {word} ") == [0.0] * 12, word


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, je peux payer 50 euros le 12 mars ?",
        "Puedo pagar 30 euros al mes, gracias",
        "Can I pay the rest next Friday? Ref B-00012",
        "ok",
        "Vale",
    ],
)
def test_a_text_of_neutral_words_is_cleared_without_the_encoder(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    guard.warm()  # the classifier is trained (texts embedded) once, before the check

    def refuse(texts: Any) -> Any:
        raise AssertionError(f"embedded: {texts}")

    monkeypatch.setattr(embeddings, "embed", refuse)
    verdict = guard.scan(text)
    assert verdict.storable


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Je ne peux pas payer ce mois, je suis en chimio", "health"),
        ("No puedo pagar, estoy embarazada", "health"),
        ("I can pay after Ramadan", "religion"),
    ],
)
def test_one_word_beyond_the_neutral_ones_sends_the_text_to_the_classifier(
    text: str, category: str
) -> None:
    assert not lexicon.only_neutral(lexicon.prepare([text])[0])
    assert category in guard.scan(text).categories


def test_no_special_text_of_the_tuning_part_is_cleared_by_the_first_stage() -> None:
    rows = [r for r in head.load("tune") if r.special]
    prepared = lexicon.prepare(r.text for r in rows)
    assert not [r.text for r, p in zip(rows, prepared, strict=True) if lexicon.only_neutral(p)]


def test_the_direct_heads_give_what_scikit_learn_gives() -> None:
    rows = head.load("tune", langs=("en",))
    fitted = head.fit(rows)
    x = fitted.features(
        lexicon.prepare(r.text for r in rows[:40]), embeddings.embed([r.text for r in rows[:40]])
    )
    special, per = fitted.proba(x)
    assert np.allclose(special, fitted.special.predict_proba(x)[:, 1])
    for j, category in enumerate(lexicon.CATEGORIES):
        model = fitted.categories.get(category)
        expected = model.predict_proba(x)[:, 1] if model is not None else np.zeros(40)
        assert np.allclose(per[:, j], expected)


def test_texts_screened_by_many_threads_at_once_are_read_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guard.warm()
    calls: list[int] = []
    real = guard.scan_many
    gate = threading.Event()

    def counting(texts: Any, **kwargs: Any) -> Any:
        if len(texts) > 1 or "chimio" in texts[0]:
            calls.append(len(texts))
        gate.wait(5)  # hold the first read so that the others pile up behind it
        return real(texts, **kwargs)

    monkeypatch.setattr(guard, "scan_many", counting)
    texts = [f"Ma chimio numéro {i} est demain" for i in range(12)]
    results: dict[int, guard.Verdict] = {}

    def one(i: int) -> None:
        results[i] = guard.scan_shared(texts[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(30)
    assert sorted(results) == list(range(12))
    assert all("health" in v.categories for v in results.values())
    assert sum(calls) == 12
    assert len(calls) < 12  # some were read in one batch


def test_an_error_in_a_shared_read_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(texts: Any, **kwargs: Any) -> Any:
        raise RuntimeError("encoder gone")

    monkeypatch.setattr(guard, "scan_many", broken)
    with pytest.raises(RuntimeError, match="encoder gone"):
        guard.scan_shared("Mi chimio es mañana")


def test_a_text_repeated_in_a_batch_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    guard.warm()
    seen: list[int] = []
    real = embeddings.embed

    def counting(texts: Any) -> Any:
        seen.append(len(texts))
        return real(texts)

    monkeypatch.setattr(embeddings, "embed", counting)
    texts = ["Chimio demain matin", "Messe de minuit", "Chimio demain matin", "ok"]
    verdicts = guard.scan_many(texts)
    assert seen == [2]
    assert [sorted(v.categories) for v in verdicts] == [["health"], ["religion"], ["health"], []]
