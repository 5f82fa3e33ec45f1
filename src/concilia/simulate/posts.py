"""Compose post texts from templates, with emoji, hashtags, typos and dropped accents."""

from __future__ import annotations

import random
from dataclasses import dataclass
from types import ModuleType

from concilia.simulate import noise, texts_en, texts_es, texts_fr, texts_other
from concilia.simulate.noise import pick
from concilia.simulate.schemas import NoiseRates

# Relative frequency of life events (moves are driven by the `moved` rate instead).
EVENT_WEIGHTS: dict[str, float] = {
    "new_job": 10,
    "promotion": 5,
    "job_loss": 7,
    "business_opened": 2,
    "business_closed": 2,
    "vehicle_purchase": 6,
    "property_purchase": 3,
    "luxury_purchase": 3,
    "travel": 14,
    "relationship_end": 4,
    "new_child": 4,
    "bereavement": 4,
    "illness_or_disability": 3,
    "financial_hardship": 5,
}
_TEXTS: dict[str, ModuleType] = {"fr": texts_fr, "es": texts_es, "en": texts_en}
_EMOJI: dict[str, list[str]] = {
    "new_job": ["🎉", "💼", "🙌", "😊"],
    "promotion": ["🎉", "🚀", "🥂"],
    "job_loss": ["😞", "😢", "💔"],
    "business_opened": ["🎉", "🛍️", "✨"],
    "business_closed": ["😢", "🙏"],
    "vehicle_purchase": ["🚗", "😎", "🔑"],
    "property_purchase": ["🏡", "🔑", "🥳"],
    "luxury_purchase": ["💎", "😍", "✨"],
    "travel": ["✈️", "🌴", "☀️", "🏖️"],
    "moved": ["📦", "🏠", "🚚"],
    "relationship_end": ["💔", "😔"],
    "new_child": ["👶", "❤️", "🍼"],
    "bereavement": ["🕊️", "🖤", "💔"],
    "illness_or_disability": ["🏥", "😷", "💪"],
    "financial_hardship": ["😩", "💸", "😔"],
    "none": ["😂", "😅", "👍", "❤️", "🔥", "☕", "⚽"],
}
_HASHTAGS: dict[str, dict[str, list[str]]] = {
    "fr": {
        "new_job": ["#nouveaujob", "#cdi", "#recrutement"],
        "promotion": ["#promotion", "#carriere"],
        "job_loss": ["#chomage", "#licenciement", "#recherchedemploi"],
        "travel": ["#vacances", "#voyage"],
        "moved": ["#demenagement"],
        "new_child": ["#bebe", "#naissance"],
        "vehicle_purchase": ["#nouvellevoiture"],
        "property_purchase": ["#proprietaires", "#immobilier"],
        "none": ["#lundi", "#weekend", "#foot", "#food", "#tbt", "#instagood"],
    },
    "es": {
        "new_job": ["#nuevotrabajo", "#empleo"],
        "promotion": ["#ascenso"],
        "job_loss": ["#paro", "#despido", "#buscoempleo"],
        "travel": ["#vacaciones", "#viajar"],
        "moved": ["#mudanza"],
        "new_child": ["#bebe", "#nacimiento"],
        "vehicle_purchase": ["#cochenuevo"],
        "property_purchase": ["#casanueva"],
        "none": ["#lunes", "#finde", "#futbol", "#tbt", "#instagood"],
    },
    "en": {
        "new_job": ["#newjob", "#hiring", "#career"],
        "promotion": ["#promotion", "#careergrowth"],
        "job_loss": ["#laidoff", "#opentowork", "#jobsearch"],
        "travel": ["#holiday", "#travel", "#wanderlust"],
        "moved": ["#newhome", "#moving"],
        "new_child": ["#newborn", "#baby"],
        "vehicle_purchase": ["#newcar"],
        "property_purchase": ["#homeowner", "#firsthome"],
        "none": ["#monday", "#weekend", "#football", "#tbt", "#mood"],
    },
}


@dataclass(frozen=True, slots=True)
class PostText:
    """A composed post and its ground truth."""

    text: str
    hashtags: list[str]
    language: str
    label: str
    negated: bool
    ironic: bool


def _fill(
    template: str, slots: dict[str, str], fillers: dict[str, list[str]], rng: random.Random
) -> str:
    if "{" not in template:
        return template
    values = dict(slots)
    for key, choices in fillers.items():
        if "{" + key + "}" in template:
            values[key] = pick(rng, choices)
    return template.format_map(values)


def compose(
    *,
    rng: random.Random,
    language: str,
    label: str,
    slots: dict[str, str],
    rates: NoiseRates,
) -> PostText:
    """A post in ``language`` whose true label is ``label`` (``none`` gives chatter or a denial)."""
    if language in texts_other.EVENTS:
        bank = texts_other.EVENTS[language]
        if label not in bank:
            label = "none"
        text = _fill(pick(rng, bank[label]), slots, texts_other.FILLERS, rng)
        return PostText(text, [], language, label, False, False)
    mod = _TEXTS[language]
    negated = ironic = False
    if label == "none":
        roll = rng.random()
        if roll < rates.negation:
            negated = True
            template = pick(rng, mod.NEGATED[pick(rng, sorted(mod.NEGATED))])
        elif roll < rates.negation + rates.irony:
            ironic = True
            template = pick(rng, mod.IRONIC_NONE)
        else:
            template = pick(rng, mod.CHATTER)
    elif label in mod.IRONIC and rng.random() < rates.irony * 4:
        # Irony is concentrated on the events people joke about (job loss, money, hospital).
        ironic = True
        template = pick(rng, mod.IRONIC[label])
    else:
        template = pick(rng, mod.EVENTS[label])
    body = _fill(template, slots, mod.FILLERS, rng)
    opener = pick(rng, mod.OPENERS)
    if opener.endswith(", ") and template[0] != "{" and not body.startswith(("I ", "I'")):
        body = body[0].lower() + body[1:]
    text = opener + body + pick(rng, mod.CLOSERS)
    if rng.random() < rates.emoji:
        text += " " + "".join(pick(rng, _EMOJI[label]) for _ in range(rng.randint(1, 3)))
    tags: list[str] = []
    if rng.random() < rates.hashtag:
        bank_tags = _HASHTAGS[language].get(label) or _HASHTAGS[language]["none"]
        tags = sorted(set(rng.sample(bank_tags, min(len(bank_tags), rng.randint(1, 2)))))
        text += " " + " ".join(tags)
    if language in ("fr", "es") and rng.random() < rates.post_accent_dropped:
        text = noise.strip_accents(text)
    if rng.random() < rates.post_typo:
        text = noise.typos(text, rng, rng.randint(1, 2))
        tags = [t for t in tags if t in text]
    if rng.random() < 0.08:
        text = text.lower()
        tags = [t for t in tags if t in text]
    return PostText(text, tags, language, label, negated, ironic)
