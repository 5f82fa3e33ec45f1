"""Suggested rewordings, per category and language, in the message's own language."""

from __future__ import annotations

from typing import Final

from concilia.outreach.tone.types import Lang

SUGGESTIONS: Final[dict[str, dict[Lang, str]]] = {
    "threat": {
        "en": (
            "If we cannot agree a plan, the creditor may consider the options the law allows. "
            "We would much rather find a solution with you."
        ),
        "fr": (
            "À défaut d'accord, le créancier pourra envisager les voies prévues par la loi. "
            "Nous préférons trouver une solution avec vous."
        ),
        "es": (
            "Si no llegamos a un acuerdo, el acreedor podrá valorar las opciones que permite la "
            "ley. Preferimos encontrar una solución con usted."
        ),
    },
    "harassment": {
        "en": (
            "We will contact you again at a time that suits you. Tell us how and when you "
            "prefer to be contacted."
        ),
        "fr": (
            "Nous reprendrons contact avec vous à un moment qui vous convient. Dites-nous "
            "comment et quand vous préférez être contacté."
        ),
        "es": (
            "Volveremos a contactarle en un momento que le convenga. Díganos cómo y cuándo "
            "prefiere que le contactemos."
        ),
    },
    "insult": {
        "en": (
            "We understand this may be a difficult time. We would like to find a solution together."
        ),
        "fr": (
            "Nous comprenons que la période puisse être difficile. Nous souhaitons trouver "
            "une solution ensemble."
        ),
        "es": (
            "Entendemos que puede ser un momento difícil. Queremos encontrar una solución juntos."
        ),
    },
    "public_shaming": {
        "en": "This matter is confidential and stays between you and us.",
        "fr": "Ce dossier est confidentiel et reste entre vous et nous.",
        "es": "Este asunto es confidencial y queda entre usted y nosotros.",
    },
    "false_urgency": {
        "en": "Please contact us by [date] so that we can agree a plan that works for you.",
        "fr": (
            "Merci de nous contacter avant le [date] afin de convenir d'un plan qui vous convient."
        ),
        "es": "Le rogamos que nos contacte antes del [fecha] para acordar un plan que le convenga.",
    },
    "false_legal_claim": {
        "en": (
            "No legal action has been taken at this stage. If no agreement is reached, the "
            "creditor may consider its options, and you will be informed beforehand."
        ),
        "fr": (
            "Aucune procédure n'est engagée à ce stade. À défaut d'accord, le créancier pourra "
            "envisager ses options, et vous en serez informé au préalable."
        ),
        "es": (
            "No se ha iniciado ninguna acción legal por ahora. Si no hay acuerdo, el acreedor "
            "podrá valorar sus opciones y usted será informado antes."
        ),
    },
    "third_party_pressure": {
        "en": "We will discuss this matter only with you, or with someone you have authorised.",
        "fr": (
            "Nous n'évoquerons ce dossier qu'avec vous, ou avec une personne que vous avez "
            "autorisée."
        ),
        "es": "Solo trataremos este asunto con usted o con la persona que usted autorice.",
    },
}


def suggestion_for(category: str, lang: Lang) -> str:
    """Return the default rewording for a category in the given language."""
    return SUGGESTIONS[category][lang]
