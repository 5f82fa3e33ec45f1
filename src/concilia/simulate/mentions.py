"""Public posts about debt-collection agencies (praise, complaints, questions), and scam posts."""

from __future__ import annotations

import random

from concilia.simulate import noise

STANCES = ("praise", "complaint", "question")
_MENTIONS: dict[str, dict[str, list[str]]] = {
    "fr": {
        "praise": [
            "Franchement {agency} a été correct, échéancier accepté sans problème",
            "Merci à la conseillère de {agency}, très humaine au téléphone",
            "{agency} m'a proposé un plan adapté à mes moyens, je ne m'y attendais pas",
        ],
        "complaint": [
            "{agency} m'appelle 5 fois par jour, c'est du harcèlement",
            "Courrier menaçant de {agency} pour une dette que j'ai déjà payée !!",
            "Impossible de joindre {agency}, personne ne répond jamais",
            "{agency} a appelé mon employeur, c'est légal ça ?",
        ],
        "question": [
            "Quelqu'un a déjà eu affaire à {agency} ? C'est sérieux ?",
            "{agency} me réclame 800 €, je fais quoi ?",
            "C'est une arnaque {agency} ou pas ?",
        ],
    },
    "es": {
        "praise": [
            "La verdad es que {agency} fue muy correcto, aceptaron el plan de pagos",
            "Gracias a la gestora de {agency}, muy amable",
        ],
        "complaint": [
            "{agency} me llama 5 veces al día, esto es acoso",
            "Carta amenazante de {agency} por una deuda ya pagada!!",
            "Imposible hablar con {agency}, nadie contesta",
        ],
        "question": [
            "¿Alguien ha tratado con {agency}? ¿Son de fiar?",
            "{agency} me reclama 800 €, ¿qué hago?",
        ],
    },
    "en": {
        "praise": [
            "Honestly {agency} were decent, agreed a payment plan I can afford",
            "Shout out to the agent at {agency}, really kind on the phone",
        ],
        "complaint": [
            "{agency} call me 5 times a day, this is harassment",
            "Threatening letter from {agency} for a debt I already paid!!",
            "Can't get through to {agency}, nobody ever answers",
            "{agency} contacted my employer, is that even legal?",
        ],
        "question": [
            "Anyone dealt with {agency}? Are they legit?",
            "{agency} says I owe $800, what do I do?",
            "Is {agency} a scam or what?",
        ],
    },
}
SPAM: dict[str, list[str]] = {
    "fr": [
        "Gagnez 500€ par jour depuis chez vous, écrivez-moi en privé 💰",
        "Investis avec moi 📈 lien en bio",
    ],
    "es": [
        "Gana 500€ al día desde casa, escríbeme por privado 💰",
        "Invierte conmigo 📈 link en bio",
    ],
    "en": ["Earn $500 a day from home, DM me 💰", "Invest with me 📈 link in bio"],
}


def compose(
    *, rng: random.Random, language: str, agency: str, stance: str, typo_rate: float
) -> str:
    """A mention of an agency in the given stance."""
    text = rng.choice(_MENTIONS[language][stance]).format(agency=agency)
    if rng.random() < typo_rate:
        text = noise.typo(text, rng)
    return text
