# ruff: noqa: E501  (example messages read better unbroken)
"""Behaviour of the tone checker: categories and spans per language, polite text, negation,
the interface the compliance engine relies on, and determinism."""

from __future__ import annotations

import dataclasses

import pytest

from concilia.outreach.tone import CATEGORIES, ToneChecker, ToneFlag, check_tone
from concilia.outreach.tone.checker import train_classifier
from concilia.outreach.tone.dataset import (
    held_out_examples,
    is_held_out,
    load_examples,
    load_extra_eval,
    train_examples,
)
from concilia.outreach.tone.text import detect_lang, fold

# (lang, message, category, a phrase the flag's span must contain)
ABUSIVE = [
    ("en", "Pay now or you will go to prison, Mr Harris.", "threat", "prison"),
    (
        "en",
        "Kindly note that a bailiff has been scheduled to visit you tomorrow.",
        "false_legal_claim",
        "bailiff",
    ),
    (
        "en",
        "We have notified your employer about this debt.",
        "false_legal_claim",
        "notified your employer",
    ),
    ("en", "We will keep calling you every hour until you pay.", "harassment", "every hour"),
    ("en", "Stop hiding, you pathetic loser.", "insult", "loser"),
    ("en", "We will tell your neighbours about your debt.", "public_shaming", "neighbours"),
    ("en", "You have until midnight tonight to pay.", "false_urgency", "midnight"),
    ("en", "Tell your husband to pay your debt.", "third_party_pressure", "husband"),
    (
        "fr",
        "Un huissier passera demain pour faire l'inventaire de vos biens.",
        "false_legal_claim",
        "huissier passera",
    ),
    (
        "fr",
        "Nous allons saisir votre voiture la semaine prochaine.",
        "threat",
        "saisir votre voiture",
    ),
    ("fr", "Nous vous appellerons jour et nuit jusqu'au règlement.", "harassment", "jour et nuit"),
    ("fr", "Arrêtez de vous cacher, pauvre minable.", "insult", "minable"),
    (
        "fr",
        "Nous allons publier votre nom sur notre liste publique des mauvais payeurs.",
        "public_shaming",
        "liste publique",
    ),
    ("fr", "Dernier avis : payez sous 2 heures.", "false_urgency", "sous 2 heures"),
    (
        "fr",
        "Nous avons appelé votre mère et elle est au courant de tout.",
        "third_party_pressure",
        "votre mère",
    ),
    (
        "es",
        "Ya hemos presentado una demanda judicial inmediata contra usted.",
        "false_legal_claim",
        "demanda judicial inmediata",
    ),
    ("es", "Pague ya o irá a la cárcel, señor León.", "threat", "cárcel"),
    ("es", "Le llamaremos día y noche hasta que esto se resuelva.", "harassment", "día y noche"),
    ("es", "Es usted un ladrón y un aprovechado.", "insult", "ladrón"),
    (
        "es",
        "Todo su Facebook sabrá que usted no paga sus deudas.",
        "public_shaming",
        "Facebook sabrá",
    ),
    ("es", "Último aviso: pague en 2 horas.", "false_urgency", "en 2 horas"),
    ("es", "Dígale a su marido que pague su deuda.", "third_party_pressure", "marido"),
]

POLITE = [
    (
        "en",
        "Dear Mr Schmidt, if we cannot agree a plan, the creditor may consider its legal options. We would much prefer to find a solution together.",
    ),
    (
        "en",
        "Hi Laura, a friendly reminder that your instalment of €40 is due next Monday. Reply STOP to opt out.",
    ),
    (
        "fr",
        "Monsieur Schmitt, à défaut d'accord amiable, le créancier pourra envisager les voies de droit à sa disposition.",
    ),
    (
        "fr",
        "Madame Girard, si la dette reste impayée, le créancier pourrait saisir le tribunal compétent.",
    ),
    (
        "es",
        "Señor Moreno, si no llegamos a un acuerdo, el acreedor podrá valorar las acciones legales que le correspondan conforme a la ley.",
    ),
    (
        "es",
        "Hola Javier, hemos recibido hoy su pago de 50 €. Su próxima cuota vence el 5 de marzo.",
    ),
]

NEGATED = [
    ("en", "We will not take legal action while your dispute is being reviewed."),
    ("en", "No bailiff has been instructed and no court action has started."),
    ("en", "There is no question of arrest or prison for a debt like this."),
    ("fr", "Nous n'irons pas au tribunal tant qu'un plan de paiement est respecté."),
    ("fr", "Aucun huissier n'a été mandaté et aucune action en justice n'a été engagée."),
    ("es", "No contactaremos ni con su empresa ni con su familia por esta deuda."),
    ("es", "En ningún caso hay riesgo de detención ni de cárcel por una deuda de este tipo."),
]


@pytest.fixture(scope="module")
def lexicon_only() -> ToneChecker:
    return ToneChecker(None)


@pytest.mark.parametrize(("lang", "text", "category", "phrase"), ABUSIVE)
def test_abusive_message_flagged_with_span(
    lang: str, text: str, category: str, phrase: str
) -> None:
    flags = [f for f in check_tone(text, lang) if f.category == category]
    assert flags, f"no {category} flag on {text!r}: {check_tone(text, lang)}"
    start = text.index(phrase)
    assert any(f.start <= start < f.end or start <= f.start < start + len(phrase) for f in flags)
    for f in flags:
        assert text[f.start : f.end] == f.text


@pytest.mark.parametrize(("lang", "text"), POLITE)
def test_polite_and_lawful_messages_pass(lang: str, text: str) -> None:
    assert check_tone(text, lang) == []


@pytest.mark.parametrize(("lang", "text"), NEGATED)
def test_negated_statements_are_not_flagged(
    lexicon_only: ToneChecker, lang: str, text: str
) -> None:
    assert lexicon_only.check(text, lang) == []  # type: ignore[arg-type]


def test_negation_does_not_swallow_a_conditional_threat(lexicon_only: ToneChecker) -> None:
    flags = lexicon_only.check("If you do not pay we will sue you.", "en")
    assert [(f.category, f.text) for f in flags] == [("threat", "we will sue you")]


def test_accents_and_case_do_not_matter() -> None:
    for text in (
        "UN HUISSIER PASSERA DEMAIN.",
        "Un huíssier passera demain.",
        "un huissier passera demain",
    ):
        assert {f.category for f in check_tone(text, "fr")} == {"false_legal_claim"}


def test_severity_blocks_threats_and_reviews_mild_urgency() -> None:
    (threat,) = check_tone("We know where you live.", "en")
    assert (threat.category, threat.severity) == ("threat", "block")
    mild = [
        f
        for f in check_tone("Final reminder about your balance.", "en")
        if f.category == "false_urgency"
    ]
    assert mild and all(f.severity == "review" for f in mild)


def test_suggestion_is_in_the_message_language() -> None:
    fr = check_tone("Un huissier passera demain.", "fr")[0]
    es = check_tone("Un procurador pasará mañana.", "es")[0]
    en = check_tone("A bailiff will visit you tomorrow.", "en")[0]
    assert "créancier" in fr.suggestion
    assert "acreedor" in es.suggestion
    assert "creditor" in en.suggestion


def test_interface_contract() -> None:
    flags = check_tone("We will have you arrested if the money is not in our account by Friday.")
    assert flags and all(isinstance(f, ToneFlag) for f in flags)
    f = flags[0]
    assert f.category in CATEGORIES and f.severity in ("block", "review")
    assert f.source in ("lexicon", "classifier") and f.suggestion
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = 0  # type: ignore[misc]
    assert check_tone("", "en") == []
    with pytest.raises(ValueError, match="lang"):
        check_tone("hello", "de")


def test_language_detection() -> None:
    assert detect_lang("Bonjour Madame, nous vous proposons un plan de paiement.") == "fr"
    assert detect_lang("Hola señora, le escribimos por su deuda pendiente.") == "es"
    assert detect_lang("Hello, we are writing about your outstanding balance.") == "en"
    assert {f.category for f in check_tone("Un huissier passera demain chez vous.")} == {
        "false_legal_claim"
    }


def test_fold_keeps_offsets() -> None:
    text = "İstanbul, Œuvre — déjà l’huissier"
    assert len(fold(text)) == len(text)
    assert fold("Déjà L’Huissier") == "deja l'huissier"


def test_dataset_is_large_enough_and_split_is_stable() -> None:
    examples = load_examples()
    for lang in ("fr", "es", "en"):
        mine = [e for e in examples if e.lang == lang]
        assert len(mine) >= 100
        assert sum(1 for e in mine if not e.labels) >= 40  # polite ones
        assert {c for e in mine for c in e.labels} == set(CATEGORIES)
    held = held_out_examples()
    assert 0.2 < len(held) / len(examples) < 0.4
    assert not {e.id for e in held} & {e.id for e in train_examples()}
    assert all(is_held_out(e.text) for e in held)
    assert load_extra_eval() and not {e.text for e in load_extra_eval()} & {
        e.text for e in examples
    }


def test_training_is_deterministic() -> None:
    train = train_examples()[:150]
    a, b = train_classifier(train), train_classifier(train)
    for text in ("Your wages will be taken.", "Thank you for your payment."):
        assert a.scores(text) == b.scores(text)


def test_repeated_checks_return_the_same_flags() -> None:
    text = "Kindly note that a bailiff has been scheduled to visit you tomorrow."
    assert check_tone(text) == check_tone(text) == check_tone(text, "en")


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "You are nothing but a lazy scrounger."),
        ("fr", "Vous n'êtes qu'un profiteur."),
        ("es", "No es usted más que un aprovechado."),
    ],
)
def test_restrictive_constructions_are_not_negation(
    lexicon_only: ToneChecker, lang: str, text: str
) -> None:
    assert "insult" in {f.category for f in lexicon_only.check(text, lang)}  # type: ignore[arg-type]


def test_reported_question_is_not_a_threat(lexicon_only: ToneChecker) -> None:
    text = "You asked whether you could go to prison for this debt: you cannot."
    assert lexicon_only.check(text, "en") == []
