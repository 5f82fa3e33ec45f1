"""Hand-written event cue lexicon per language: the keyword baseline, and readable cues.

A cue is one or more normalised tokens (accent-free, lowercase); a token ending in ``*`` is
a prefix. The same lexicon serves three purposes: the keyword-only baseline that the
benchmark compares against, the human-readable ``cues`` of a decision, and the negation
rule (an event whose only cues sit inside a negation scope is not an event).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from concilia.signals.text import NEG_PREFIX

_RAW: dict[str, dict[str, str]] = {
    "new_job": {
        "fr": "embauch*|cdi|nouveau boulot|nouveau taf|nouveau poste|nouveautaf|premier jour|"
        "premier salaire|recrut*|periode d essai|trouve du travail|trouver du travail|"
        "un taf|decroche*|j ai eu le poste|rejoins|contrat chez|prise chez",
        "es": "contrat*|me han contratado|primer dia|nuevo trabajo|nuevo curro|tengo curro|"
        "tengo trabajo|indefinido|primera nomina|periodo de prueba|me cogieron|"
        "me incorporo|me ficho|empiezo",
        "en": "hired|new job|newjob|first day|first shift|first paycheck|got the job|"
        "landed the job|offer from|got a job|joining the team|starting at|"
        "passed my probation|permanent|got the position|employed again",
    },
    "promotion": {
        "fr": "promu*|promotion|augmentation|passe manager|passe cadre|nomme*|monte en grade|"
        "titularise*|directrice|directeur|chef de|cheffe|responsable|associe|prime",
        "es": "ascen*|subida de sueldo|subieron el sueldo|encargad*|nombrad*|jefe|jefa|"
        "director*|coordinador*|gerente|supervisor*|socio|hecho fija",
        "en": "promot*|pay rise|raise|made manager|made partner|moved up|bumped|"
        "head of|foreman|new role|new title|taking over|senior",
    },
    "job_loss": {
        "fr": "licenci*|vire|viree|chomage|pole emploi|plan social|fin de mon cdd|"
        "rupture conventionnelle|perdu mon travail|perdu mon emploi|plus de taf|"
        "remercier|pas ete renouvele|sur le carreau|mis a pied|dehors",
        "es": "despid*|despedido|paro|sepe|ere|a la calle|sin trabajo|sin curro|echaron|"
        "echado|no me renuevan|perdi mi trabajo|mi puesto desaparece|sin puesto",
        "en": "laid off|fired|sacked|redundan*|unemployed|let go|universal credit|"
        "lost my job|out of work|didnt renew|contract ends|no job",
    },
    "business_opened": {
        "fr": "ouverture|inauguration|j ouvre|ouvre ses portes|on ouvre|on a ouvert|"
        "micro entreprise|auto entrepreneur|a mon compte|siret|creation de ma|lancement|"
        "ma boutique|food truck|je me lance",
        "es": "inaugura*|abrimos|abri|abre|alta como autonomo|autonomo|emprend*|"
        "mi propio|nace nuestra|tienda online|registrada mi empresa|traspaso",
        "en": "opening|grand opening|opened|launch*|self employed|registered my|"
        "incorporated|my own|my online shop|starts tonight|business owner",
    },
    "business_closed": {
        "fr": "ferme*|fermeture|baisse le rideau|liquidation|faillite|redressement|"
        "cessation|depot de bilan|radie*|clôture|cloture|fin de l aventure",
        "es": "cerramos|cierra*|cierre|concurso de acreedores|quiebra|baja de autonomos|"
        "cese de actividad|liquid*|baja la persiana|se acabo el negocio",
        "en": "closing|closed|closes|liquidation|bankrupt*|administration|dissolved|"
        "wound up|shut down|lost its licence|for sale",
    },
    "vehicle_purchase": {
        "fr": "voiture|bagnole|caisse|moto|scooter|suv|4x4|camping car|utilitaire|"
        "emojicar|emojimoto|velo electrique|loa|concessionnaire",
        "es": "coche|cochazo|moto|furgoneta|camper|todoterreno|camion|patinete|renting|"
        "emojicar|emojimoto",
        "en": "new car|car|ride|motor|bike|campervan|van|pickup|suv|pcp|dealer|"
        "e bike|emojicar|emojimoto",
    },
    "property_purchase": {
        "fr": "notaire|proprietaire*|proprio|compromis|remise des cles|acte authentique|"
        "pret valide|achat immo|investissement locatif|acquisition|acheter un studio|"
        "achete un studio|emojihouse|emojikey",
        "es": "propietari*|escritura|hipoteca|entrega de llaves|arras|piso de inversion|"
        "compramos|mi primer piso|emojihouse|emojikey",
        "en": "homeowner*|completed on|completion|mortgage|got the keys|exchanged contracts|"
        "buy to let|offer accepted|offer on|first home|owners of|emojihouse|emojikey",
    },
    "luxury_purchase": {
        "fr": "rolex|chanel|louis vuitton|hermes|omega|diamant|bague|iphone|macbook|oled|"
        "piscine|jacuzzi|ps5|sneakers|collier en or|cuisine equipee|emojiwatch|emojibag|"
        "voilier|emojiboat",
        "es": "rolex|louis vuitton|gucci|hermes|omega|diamantes|anillo|iphone|portatil|"
        "piscina|jacuzzi|ps5|zapatillas|collar de oro|cocina nueva|emojiwatch|emojibag|"
        "velero|lancha|yate|emojiboat",
        "en": "rolex|chanel|louis vuitton|hermes|omega|diamond|ring|iphone|macbook|oled|"
        "pool|hot tub|ps5|sneakers|gold necklace|bespoke kitchen|emojiwatch|emojibag|"
        "yacht|speedboat|emojiboat",
    },
    "travel": {
        "fr": "vacances|voyage|sejour|croisiere|week end a|road trip|escale|decolle|"
        "sac a dos|circuit|safari|ski|emojiplane|emojipalm",
        "es": "vacaciones|viaje|crucero|finde en|ruta|esquiando|luna de miel|escala|"
        "mochileando|escapada|circuito|safari|rumbo a|emojiplane|emojipalm",
        "en": "holiday|trip|cruise|weekend in|road trip|ski|honeymoon|layover|"
        "backpacking|flying out|tour of|safari|all inclusive|emojiplane|emojipalm",
    },
    "moved": {
        "fr": "demenag*|cartons|nouvelle adresse|nouvelle ville|emmenag*|installe*|"
        "je pars vivre|mutation|nouveau quartier|coloc|retour au pays",
        "es": "mudanza|mudamos|me mudo|mudado|nueva ciudad|nueva direccion|instalad*|"
        "nos vamos a vivir|traslado|cajas|compartir piso|vuelvo a mi tierra",
        "en": "moving to|moved|move done|new address|new city|boxes packed|relocat*|"
        "settled in|settling in|flatshare|moving back|new neighbourhood",
    },
    "relationship_end": {
        "fr": "separe*|separation|divorc*|celibataire|rupture|rompu|quitte*|largue|"
        "mon ex|c est fini entre|fin du pacs|pension alimentaire",
        "es": "divorci*|separa*|soltera|soltero|ruptura|hemos roto|lo dejamos|me dejo|"
        "se acabo lo nuestro|custodia|pension de alimentos",
        "en": "divorce*|separat*|single again|breakup|broke up|dumped|my ex|its over|"
        "splitting up|called it quits|engagement s off|decree absolute",
    },
    "new_child": {
        "fr": "naissance|ne ce matin|nee|bebe|enceinte|jumel*|echographie|nouveau ne|"
        "maman pour|papa pour|conge paternite|test positif|adoption|emojibaby|emojipregnant",
        "es": "nacio|nacido|nacimiento|bebe|embarazad*|gemelos|ecografia|recien nacido|"
        "madre|papa por|baja de paternidad|positivo|adopcion|emojibaby|emojipregnant",
        "en": "born|baby|expecting|pregnan*|twins|scan|newborn|became a mum|dad for|"
        "paternity leave|positive test|adoption|emojibaby|emojipregnant",
    },
    "bereavement": {
        "fr": "deced*|deces|quittes|repose en paix|rip|obseques|funerailles|enterre|deuil|"
        "la mort|partie rejoindre|parti trop tot|perdu mon|emojidove|emojifuneral|est parti|"
        "est partie|nous a quitte*|s est eteint*|fausse couche|perdu notre|perdu ma",
        "es": "fallec*|murio|muerto|muerte|dep|descansa en paz|entierro|funeral|luto|"
        "perdi a|perdimos|enterramos|emojidove|emojifuneral|se llevo|se nos fue|nos dejo|"
        "ya no esta|aborto|perdimos al|perdi al",
        "en": "passed away|passed|died|rip|rest in peace|funeral|buried|death|lost my|"
        "lost the baby|gone too soon|emojidove|emojifuneral|miscarr*|lost our|lost her|lost him|"
        "no longer with us|left us|passed on",
    },
    "illness_or_disability": {
        "fr": "cancer|chimio|maladie|arret maladie|burn out|handicap*|hospitalise*|"
        "sclerose|depression|invalidite|fauteuil|diabete|greffe|psychiatri*|avc|"
        "endometriose|diagnostic|emojiribbon|emojihealth",
        "es": "cancer|quimio|baja por|baja medica|discapacidad|ingresad*|esclerosis|"
        "depresion|incapacidad|silla de ruedas|diabetes|trasplante|psiquiatr*|ictus|"
        "fibromialgia|diagnosticaron|emojiribbon|emojihealth",
        "en": "cancer|chemo|signed off|burnout|disabilit*|in hospital|ms|depression|"
        "wheelchair|diabetes|transplant|psych*|stroke|endometriosis|sick note|pip|esa|"
        "diagnosis|diagnosed|emojiribbon|emojihealth",
    },
    "financial_hardship": {
        "fr": "decouvert|surendettement|huissier|plus un centime|fin du mois|fin de mois|"
        "restos du coeur|expulsion|impaye*|fauche|saisie|credits|aide d urgence|"
        "compte bloque|boucler le mois|interdit de chequier|emojicandle|colis alimentaire|"
        "banque alimentaire|epicerie solidaire|ficp|fiche a la banque de france|rsa|"
        "dettes|endette*",
        "es": "numeros rojos|segunda oportunidad|cobrador|sin un euro|banco de alimentos|"
        "desahucio|impag*|sin blanca|embarg*|asnef|fin de mes|ingreso minimo|"
        "prestamo para pagar|emojicandle|dicom|infocorp|veraz|buro de credito|"
        "comedor social|microcredito*|deudas|endeudad*|ahogado|ahogada",
        "en": "overdrawn|iva|bailiffs|not a penny|food bank|eviction|non payment|arrears|"
        "skint|make ends meet|attachment of earnings|account frozen|hardship grant|"
        "one loan to pay|credit score|emojicandle|food parcel|payday loan*|debt collector*|"
        "ccj|in debt|debts|behind on rent|cant afford",
    },
}


@dataclass(frozen=True)
class CueMatch:
    """One lexicon cue found in a post."""

    label: str
    cue: str
    negated: bool


Cue = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Index:
    """Cues of one language indexed by their first token, prefix cues apart."""

    exact: dict[str, list[Cue]]
    prefix: list[tuple[str, Cue]]
    prefix_re: re.Pattern[str]


def _compile(raw: Mapping[str, Mapping[str, str]]) -> dict[str, _Index]:
    compiled: dict[str, _Index] = {}
    for lang in ("fr", "es", "en"):
        exact: dict[str, list[Cue]] = {}
        prefix: list[tuple[str, Cue]] = []
        for label, by_lang in raw.items():
            for text in by_lang[lang].split("|"):
                cue: Cue = (label, tuple(text.split()))
                first = cue[1][0]
                if first.endswith("*"):
                    prefix.append((first[:-1], cue))
                else:
                    exact.setdefault(first, []).append(cue)
        stems = sorted({stem for stem, _ in prefix}, key=len, reverse=True)
        compiled[lang] = _Index(exact, prefix, re.compile("|".join(map(re.escape, stems))))
    return compiled


LEXICON = _compile(_RAW)


def _tok_matches(pattern: str, tok: str) -> bool:
    if pattern.endswith("*"):
        return tok.startswith(pattern[:-1])
    return tok == pattern


def find_cues(marked: Sequence[str], lang: str) -> list[CueMatch]:
    """Every lexicon cue in negation-marked tokens, each flagged when inside a negation scope."""
    index = LEXICON.get(lang)
    if index is None:
        return []
    plain = [t[len(NEG_PREFIX) :] if t.startswith(NEG_PREFIX) else t for t in marked]
    found: list[CueMatch] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for i, tok in enumerate(plain):
        candidates = list(index.exact.get(tok, ()))
        if index.prefix_re.match(tok):
            candidates.extend(cue for stem, cue in index.prefix if tok.startswith(stem))
        for label, words in candidates:
            n = len(words)
            if (label, words) in seen or i + n > len(plain):
                continue
            if all(_tok_matches(words[k], plain[i + k]) for k in range(1, n)):
                seen.add((label, words))
                # The cue's head decides: "no job" carries its own negation and is a cue.
                negated = marked[i].startswith(NEG_PREFIX)
                found.append(CueMatch(label, " ".join(plain[i : i + n]), negated))
    return found


def keyword_label(marked: Sequence[str], lang: str) -> str:
    """Keyword-only baseline: the label with most non-negated cue words, ``none`` without any.

    Counting words rather than cues lets the more specific cue win ("lost my job" over
    "lost my").
    """
    counts: dict[str, int] = {}
    for match in find_cues(marked, lang):
        if not match.negated:
            counts[match.label] = counts.get(match.label, 0) + len(match.cue.split())
    if not counts:
        return "none"
    return max(sorted(counts), key=lambda label: counts[label])
