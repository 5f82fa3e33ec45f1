"""Special categories of personal data (GDPR art. 9): detect them before anything is stored.

The guard is deliberately greedy: a false alarm only means that less is kept about a post
(its cues are dropped), a miss would mean storing health or religion. It looks at the
words of all three languages at once, at a few emoji, and at the classifier's label
(an illness or disability post is health data whatever its words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from concilia.signals.text import NEG_PREFIX, normalise, tokens

CATEGORIES: tuple[str, ...] = (
    "health",
    "religion",
    "politics",
    "sexuality",
    "union",
    "ethnicity",
)

# Normalised (accent-free, lowercase) words or phrases; a trailing ``*`` is a prefix.
_WORDS: dict[str, str] = {
    "health": (
        # fr
        "cancer|chimio*|maladie|malade|hopital|hospitalis*|medecin|docteur|diagnosti*|"
        "traitement|therapie|psy|psychiatr*|psycholog*|depression|burn out|burnout|handicap*|"
        "rqth|invalidit*|fauteuil|sclerose|diabet*|greffe|avc|endometriose|arret maladie|"
        "operation|chirurg*|enceinte|grossesse|echographie|test positif|fausse couche|fiv|anxiete|"
        "medicament*|cardiaque|coeur|rein|tumeur|leucemie|autis*|alzheimer|parkinson|"
        # es
        "quimio*|enfermedad|enfermo|enferma|hospital|ingresad*|medico|diagnostic*|"
        "tratamiento|terapia|psiquiatr*|depresion|ansiedad|discapacidad|incapacidad|"
        "silla de ruedas|esclerosis|diabetes|trasplante|ictus|fibromialgia|baja medica|"
        "embarazad*|ecografia|prueba positiva|aborto|operan|corazon|rinon|ri\u00f1on|"
        # en
        "chemo*|illness|ill|sick|hospital|doctor|diagnos*|treatment|therapy|psych*|"
        "depression|anxiety|burnout|disabilit*|disabled|wheelchair|ms|diabetes|transplant|"
        "stroke|endometriosis|sick note|signed off|pip|esa|pregnan*|scan|positive test|"
        "miscarriage|ivf|"
        "surgery|heart|kidney|mental health|meds|medication|rehab|autism|adhd|"
        "emojiribbon|emojipregnant|emojihealth|"
        # diseases, impairments and care, FR/ES/EN (broad on purpose)
        "epilep*|lymphom*|linfoma|leucemi*|leukaemia|leukemia|arthrit*|artritis|polyarthrit*|"
        "asthm*|asma|vih|hiv|sida|aids|hepatit*|cirrhos*|alcoolis*|alcoholis*|addict*|"
        "adiccion|toxicoman*|malvoyant*|aveugle|ciego|ciega|blind|sourd|sourde|sordo|sorda|"
        "deaf|baja vision|partially sighted|tumor|tumour|metasta*|radiotherap*|radioterapia|"
        "radiotherapy|dialys*|dialisis|covid|long covid|fibromyalg*|lupus|crohn|"
        "bipolaire|bipolar|schizophr*|esquizofren*|anorex*|bulimi*|suicid*|"
        "accouch*|parto|gave birth|birth|naissance prematuree|premature|ivg|"
        "infarctus|infarto|heart attack|paralys*|paralis*|amput*|protes*|prosthe*|"
        "arret de travail|incapacite|invalide|handicape*|minusvalia|dependance|"
        "soins palliatifs|cuidados paliativos|palliative|oncolog*|cardiolog*|neurolog*|"
        "hopital de jour|hospital de dia|day unit|clinic|clinique|clinica|urgences|urgencias|"
        "a and e|ambulance|ambulancia|ordonnance|receta medica|prescription|kine|fisio|"
        "physio|sante|salud|health|malattia"
    ),
    "religion": (
        "messe|eglise|paroisse|prier|priez|priere*|dieu|jesus|allah|ramadan|aid|eid|"
        "mosquee|synagogue|bapteme|communion|catholique*|chretien*|musulman*|juif|juive|"
        "protestant*|bouddhis*|shabbat|careme|paques|hajj|hijab|voile|kippa|imam|pretre|"
        "misa|iglesia|parroquia|rezar|rezad|rezo|oracion|dios|procesion|semana santa|"
        "bautizo|comunion|catolic*|cristian*|musulman|judio|judia|cura|"
        "mass|church|pray*|god|mosque|bible|christian*|muslim*|jewish|catholic*|easter|"
        "lent|baptism|priest|temple|sikh|hindu*|diwali|quran|coran|coran"
    ),
    "politics": (
        "manif|manifestation|greve|voter|vote|votez|election*|gauche|droite|"
        "parti politique|macron|le pen|melenchon|militant*|insoumis|ecologiste*|reforme|"
        "huelga|votar|votad|voto|izquierda|derecha|elecciones|pp|psoe|vox|"
        "manifestacion|sumar|independencia|partido|militar|milit*|campana electoral|"
        "verts|ecolog*|communiste|comunista|communist|socialist*|socialiste|fascis*|"
        "anarchis*|anarquis*|republicain*|nationalis*|nacionalis*|independentis*|"
        "voted|voting|labour|tory|tories|conservatives|election|protest|march against|"
        "strike|democrat*|republican*|trump|biden|brexit|cuts|campaign*|green party|"
        "labour party|lib dem*|snp|reform uk|canvass*|picket*|piquete|petition|petici*"
    ),
    "sexuality": (
        "gay|lesbien*|lesbiana|lesbian|bi|bisexu*|queer|lgbt*|pride|fiertes|orgullo|"
        "coming out|homo*|trans|transgenre|transgender|emojirainbow"
    ),
    "union": (
        "cgt|cfdt|fo|unsa|syndicat*|syndical*|delegue|ccoo|ugt|sindicat*|delegado|"
        "unite|unison|gmb|union rep|trade union|shop steward|union|unions|cnt|cgil|usos|"
        "asamblea del sindicato|convenio colectivo|delegue du personnel|comite d entreprise|"
        "cse|branch meeting|union branch"
    ),
    "ethnicity": (
        "origines|racines|ethni*|race|racial|raices|gitano|gitana|gitanos|roots|heritage|"
        "marocain*|algerien*|tunisien*|africain*|antillais*|maghrebin*|arabe|"
        "latino|latina|hispanic|asian|afro*|romani|nigerian|pakistani|"
        "magrebi|marroqui|senegales*"
    ),
}

# Labels that reveal health whatever the words: an illness, and a birth or pregnancy.
HEALTH_LABELS = frozenset({"illness_or_disability", "new_child"})

_EMOJI = {"🏳️‍🌈": "sexuality", "🏳‍🌈": "sexuality", "🏳️‍⚧️": "sexuality", "✝": "religion",
          "☪": "religion", "✡": "religion", "🕌": "religion", "⛪": "religion", "🕍": "religion",
          "📿": "religion", "🗳": "politics", "🎗": "health", "🤰": "health", "💊": "health",
          "🏥": "health", "♿": "health"}  # fmt: skip


def _compile() -> tuple[dict[str, list[tuple[str, tuple[str, ...]]]], list[tuple[str, str]]]:
    exact: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    prefix: list[tuple[str, str]] = []
    for category, raw in _WORDS.items():
        for phrase in raw.split("|"):
            words = tuple(phrase.split())
            if len(words) == 1 and words[0].endswith("*"):
                prefix.append((words[0][:-1], category))
            else:
                exact.setdefault(words[0], []).append((category, words))
    return exact, prefix


_EXACT, _PREFIX = _compile()
# One C-level test per token instead of a Python loop over every stem.
_PREFIX_RE = re.compile(
    "|".join(re.escape(stem) for stem, _ in sorted(_PREFIX, key=lambda p: -len(p[0])))
)


@dataclass(frozen=True)
class GuardResult:
    """The special categories a post reveals, and the words that revealed them."""

    categories: frozenset[str]
    words: frozenset[str]

    @property
    def special(self) -> bool:
        return bool(self.categories)


def scan(
    text: str, *, labels: Iterable[str] = (), toks: Sequence[str] | None = None
) -> GuardResult:
    """Special categories revealed by ``text`` and by the event ``labels`` it may carry.

    ``toks`` are the tokens of ``normalise(text)`` when the caller already has them
    (negation-marked tokens are fine: the ``neg_`` prefix is ignored).
    """
    categories: set[str] = set()
    words: set[str] = set()
    for emoji, category in _EMOJI.items():
        if emoji in text:
            categories.add(category)
    if toks is None:
        toks = tokens(normalise(text))
    plain = [t[len(NEG_PREFIX) :] if t.startswith(NEG_PREFIX) else t for t in toks]
    for i, tok in enumerate(plain):
        for category, phrase in _EXACT.get(tok, ()):
            if tuple(plain[i : i + len(phrase)]) == phrase:
                categories.add(category)
                words.update(phrase)
        if _PREFIX_RE.match(tok):
            for stem, category in _PREFIX:
                if tok.startswith(stem):
                    categories.add(category)
                    words.add(tok)
    if HEALTH_LABELS.intersection(labels):
        categories.add("health")
    return GuardResult(frozenset(categories), frozenset(words))


def safe_cues(cues: Iterable[str], result: GuardResult) -> list[str]:
    """The cues that may be stored: none at all for a special-category post."""
    if result.special:
        return []
    return list(cues)
