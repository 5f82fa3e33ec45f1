"""The special-category guard (GDPR art. 9) in the three languages."""

from __future__ import annotations

import pytest

from concilia.signals.guard import safe_cues, scan


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Chimio n°3 aujourd'hui, courage", "health"),
        ("Me han diagnosticado diabetes", "health"),
        ("Signed off with depression again", "health"),
        ("Messe de minuit avec la famille", "religion"),
        ("Rezad por mi abuela en la misa", "religion"),
        ("Ramadan Mubarak everyone", "religion"),
        ("Grosse manif contre la réforme demain", "politics"),
        ("Mañana huelga general", "politics"),
        ("Proud to vote Labour", "politics"),
        ("Marche des fiertés samedi 🏳️‍🌈", "sexuality"),
        ("Orgullo gay este finde", "sexuality"),
        ("Délégué CGT depuis 5 ans", "union"),
        ("Delegado de CCOO en mi empresa", "union"),
        ("Proud to be a Unite rep", "union"),
        ("Fière de mes origines marocaines", "ethnicity"),
        ("Orgullosa de mis raíces gitanas", "ethnicity"),
        ("Proud of my Nigerian roots", "ethnicity"),
    ],
)
def test_each_category_is_detected(text: str, category: str) -> None:
    result = scan(text)
    assert category in result.categories
    assert safe_cues(["anything"], result) == []


def test_health_follows_the_event_label_whatever_the_words() -> None:
    assert "health" in scan("Je réapprends à marcher", labels={"illness_or_disability"}).categories


def test_an_ordinary_post_is_not_special() -> None:
    result = scan("Nouvelle voiture, une Clio toute neuve !", labels={"vehicle_purchase"})
    assert not result.special
    assert safe_cues(["voiture"], result) == ["voiture"]
