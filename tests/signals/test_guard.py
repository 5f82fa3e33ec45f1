"""The special-category guard (GDPR art. 9) in the three languages."""

from __future__ import annotations

import pytest

from concilia.signals.guard import safe_cues, scan
from concilia.special import guard as special_guard
from concilia.special import lexicon


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


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # What the word list let through: a party's name alone, a pregnancy loss, a smaller
        # faith's place of worship, a plain statement of one's own ethnicity, a medicine's brand.
        ("Dimanche je vote RN, comme toute ma famille", "politics"),
        ("Afiliada a ERC, campaña puerta a puerta", "politics"),
        ("Out canvassing for the Lib Dems tonight", "politics"),
        ("On a perdu notre bébé à onze semaines", "health"),
        ("Perdimos al bebé a las diez semanas", "health"),
        ("Sous Lévothyrox depuis l'an dernier", "health"),
        ("Meeting at the Kingdom Hall tonight", "religion"),
        ("En el gurdwara para el langar", "religion"),
        ("Je suis kabyle et fière de l'être", "ethnicity"),
        ("Soy gitana y a mucha honra", "ethnicity"),
        ("Unison rep on the negotiating committee", "union"),
        ("Mi novia y yo nos casamos en junio", "sexuality"),
    ],
)
def test_what_the_word_list_missed_is_caught(text: str, category: str) -> None:
    assert category in scan(text).categories


@pytest.mark.parametrize(
    "text",
    [
        "Rendez-vous place de l'Église à 18h pour le vide-grenier",
        "Change at Temple station for the District line",
        "Vivo en la calle del Hospital, al lado de la panadería",
        "Pride of the club, that goal in the 90th minute!",
        "Our company health plan finally covers glasses",
        "Dios mío, qué partidazo anoche",
        "Je suis malade de rire devant cette vidéo",
        "Podemos quedar mañana a las seis",
    ],
)
def test_hard_negatives_stay_ordinary(text: str) -> None:
    result = scan(text)
    assert result.storable, result


def test_places_named_after_a_category_word_are_masked() -> None:
    assert (
        lexicon.strong_categories(lexicon.prepare(["Rue de la Mosquée, salon de thé"])[0]) == set()
    )
    assert lexicon.strong_categories(lexicon.prepare(["Prière à la mosquée"])[0]) == {"religion"}


def test_other_languages_are_read_or_refused() -> None:
    # German is one of the encoder's languages: read by the same classifier.
    assert "health" in scan("Ich habe Krebs und beginne nächste Woche die Chemotherapie").categories
    # Swahili is not: the guard cannot vouch for it, so it is not storable.
    unreadable = special_guard.scan("Nina ugonjwa wa kisukari na ninatumia dawa kila siku")
    assert unreadable.refused and not unreadable.storable
    assert safe_cues(["x"], scan("Nina ugonjwa wa kisukari na ninatumia dawa kila siku")) == []


def test_a_job_title_is_judged_by_the_word_list_only() -> None:
    assert special_guard.named_by_terms("Délégué syndical CGT") == {"union"}
    assert special_guard.named_by_terms("Infirmière de bloc") == set()


def test_short_replies_of_undetermined_language_are_read_not_refused() -> None:
    # Language identification guesses on one or two words ("STOP" came out as Slovene):
    # such texts are read by the classifier instead of being refused as a foreign language.

    verdicts = special_guard.scan_many(["STOP", "OK", "Vale", "yes", "Baja", "two", "dos"])
    assert all(v.storable for v in verdicts), verdicts
    assert {v.lang for v in verdicts} == {special_guard.UNDETERMINED}
    # Short is not a pass: a strong term still names its category.
    assert special_guard.scan("Ramadan").categories == {"religion"}
    assert special_guard.scan("diabetic").categories == {"health"}
    # A longer text in a language the guard cannot read is still refused.
    long_text = "Nina kisukari na siwezi kufanya kazi tena kwa sasa"
    assert special_guard.scan(long_text).refused
