"""High-precision phrase rules per language, with clause-level negation handling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from concilia.outreach.tone.types import Lang


@dataclass(frozen=True)
class Rule:
    """One phrase pattern (on folded text: lowercase, no accents) for one category."""

    category: str
    pattern: str
    # Strong harassment/false-urgency rules block instead of asking for review.
    strong: bool = False
    # False for patterns that carry their own negation ("we will not stop calling").
    negatable: bool = True


@dataclass(frozen=True)
class LexiconHit:
    """A rule match on a message."""

    category: str
    start: int
    end: int
    strong: bool


@dataclass(frozen=True)
class _Compiled:
    category: str
    regex: re.Pattern[str]
    strong: bool
    negatable: bool


# Negation cues and the words that open a new clause (a cue before them does not negate what
# follows: "if you do not pay, we will sue you" is a threat).
_NEGATION: Final[dict[Lang, re.Pattern[str]]] = {
    "en": re.compile(
        r"n't\b|\b(?:not|never|no|nobody|none|neither|nor|without|cannot|nothing)\b|\bno one\b"
    ),
    "fr": re.compile(r"\bn'|\b(?:ne|pas|jamais|aucun|aucune|ni|sans|nullement|rien)\b"),
    "es": re.compile(r"\b(?:no|nunca|jamas|ningun|ninguna|ninguno|nadie|ni|sin|tampoco)\b"),
}
_CLAUSE_OPENERS: Final[dict[Lang, re.Pattern[str]]] = {
    "en": re.compile(r"[.!?;:,\n]|\b(?:if|unless|otherwise|or else|until)\b"),
    "fr": re.compile(r"[.!?;:,\n]|\b(?:si|s'|sinon|faute de quoi|sans quoi|tant que)\b"),
    "es": re.compile(r"[.!?;:,\n]|\b(?:si|sino|de lo contrario|a menos que|mientras)\b"),
}
# A verb about the debtor's own action between the cue and the match means the cue negates
# that verb ("if you don't pay we will sue"), not the match.
_DEBTOR_VERBS: Final[dict[Lang, re.Pattern[str]]] = {
    "en": re.compile(r"\b(?:pay|paid|respond|reply|call|contact|answer|settle)\b"),
    "fr": re.compile(r"\b(?:pay\w*|regl\w*|repond\w*|rappel\w*|contact\w*)\b"),
    "es": re.compile(r"\b(?:pag\w*|respond\w*|contest\w*|llam\w*|contact\w*|abon\w*)\b"),
}
# A reported question ("you asked whether you could go to prison: you cannot") talks about
# the debtor's fear, it does not make a threat.
_REPORTED_QUESTION: Final[dict[Lang, re.Pattern[str]]] = {
    "en": re.compile(
        r"\b(?:asked|ask|asking|wonder\w*|worried)(?: us| me)? (?:whether|if)\b|\bwhether\b"
    ),
    "fr": re.compile(r"\b(?:demande\w*|craign\w*|inquiet\w*)(?: nous| vous)? si\b|\bsi vous risqu"),
    "es": re.compile(r"\b(?:pregunt\w*|consult\w*|preocup\w*)(?: si|nos si)\b"),
}
# Restrictive constructions look negative but assert: "you are nothing but a scrounger",
# "vous n'êtes qu'un profiteur", "no es usted más que un vago".
_RESTRICTIVE: Final[dict[Lang, re.Pattern[str]]] = {
    "en": re.compile(
        r"\bnothing (?:but|more than|less than)\b|\bno(?:thing)? (?:more|other|better) than\b"
    ),
    "fr": re.compile(r"\bn(?:e\b|')\s*[\w-]+(?:\s+[\w-]+)?\s+qu(?:e\b|')"),
    "es": re.compile(r"\bno\s+\w+(?:\s+usted)?\s+(?:mas|otra cosa)\s+que\b"),
}
_WINDOW_TOKENS: Final = 6
_TOKEN: Final = re.compile(r"\S+")


def is_negated(folded: str, start: int, lang: Lang) -> bool:
    """True when a negation cue governs the text starting at `start` within its clause."""
    left = folded[max(0, start - 80) : start]
    openers = list(_CLAUSE_OPENERS[lang].finditer(left))
    if openers:
        left = left[openers[-1].end() :]
    tokens = _TOKEN.findall(left)[-_WINDOW_TOKENS:]
    window = _RESTRICTIVE[lang].sub(" ", " ".join(tokens))
    cues = list(_NEGATION[lang].finditer(window))
    if not cues:
        return False
    after_cue = window[cues[-1].end() :]
    return not _DEBTOR_VERBS[lang].search(after_cue)


def _trim(folded: str, m: re.Match[str], lang: Lang) -> int:
    """End of the span: a trailing context tail stops before a new clause ("... if you")."""
    opener = _CLAUSE_OPENERS[lang].search(folded, m.start() + 1, m.end())
    end = opener.start() if opener else m.end()
    while end > m.start() + 1 and not folded[end - 1].isalnum():
        end -= 1
    return end


def _negated_inside(matched: str, lang: Lang) -> bool:
    """A cue inside the match's own clause ("bailiffs ... none have been instructed")."""
    opener = _CLAUSE_OPENERS[lang].search(matched, 1)
    clause = _RESTRICTIVE[lang].sub(" ", matched[: opener.start()] if opener else matched)
    return _NEGATION[lang].search(clause, 1) is not None


def _in_reported_question(folded: str, start: int, lang: Lang) -> bool:
    sentence_start = max(folded.rfind(c, 0, start) for c in ".!?\n") + 1
    return _REPORTED_QUESTION[lang].search(folded, sentence_start, start) is not None


def has_negation(folded: str, lang: Lang) -> bool:
    """True when folded text contains any negation cue of the language."""
    return _NEGATION[lang].search(folded) is not None


@dataclass(frozen=True)
class _Group:
    """The rules of one category, behind one combined regex that says whether any can match."""

    gate: re.Pattern[str] | None
    rules: tuple[_Compiled, ...]


@lru_cache(maxsize=3)
def _compiled(lang: Lang) -> tuple[_Group, ...]:
    from concilia.outreach.tone.lexicon import en, es, fr

    rules = {"en": en.RULES, "fr": fr.RULES, "es": es.RULES}[lang]
    groups: list[_Group] = []
    for cat in dict.fromkeys(r.category for r in rules):
        mine = [r for r in rules if r.category == cat]
        compiled = tuple(
            _Compiled(r.category, re.compile(r.pattern), r.strong, r.negatable) for r in mine
        )
        # Most messages are clean: one pass of the combined pattern per category replaces
        # dozens of passes. Patterns with back-references cannot be combined (group numbers).
        backref = [
            c for c, r in zip(compiled, mine, strict=True) if re.search(r"\\[1-9]", r.pattern)
        ]
        plain = [c for c in compiled if c not in backref]
        gate = re.compile(
            "|".join(
                f"(?:{r.pattern})" for r in mine if r.pattern in {c.regex.pattern for c in plain}
            )
        )
        groups.append(_Group(gate, tuple(plain)))
        groups.extend(_Group(None, (c,)) for c in backref)
    return tuple(groups)


def rules_for(lang: Lang) -> int:
    """Return how many rules the language has (for reports)."""
    return sum(len(g.rules) for g in _compiled(lang))


def match(folded: str, lang: Lang) -> list[LexiconHit]:
    """Return the non-negated rule hits in folded text, overlapping same-category hits merged."""
    hits: list[LexiconHit] = []
    for group in _compiled(lang):
        if group.gate is not None and group.gate.search(folded) is None:
            continue
        for rule in group.rules:
            hits.extend(_rule_hits(rule, folded, lang))
    return _merge(hits)


def _rule_hits(rule: _Compiled, folded: str, lang: Lang) -> list[LexiconHit]:
    hits: list[LexiconHit] = []
    for m in rule.regex.finditer(folded):
        if m.end() == m.start():
            continue
        if (
            rule.negatable
            and (
                is_negated(folded, m.start(), lang)
                # "bailiffs ... none have been instructed": a cue inside the match negates it.
                or _negated_inside(folded[m.start() : m.end()], lang)
                or _in_reported_question(folded, m.start(), lang)
            )
        ):
            continue
        hits.append(LexiconHit(rule.category, m.start(), _trim(folded, m, lang), rule.strong))
    return hits


def _merge(hits: list[LexiconHit]) -> list[LexiconHit]:
    merged: list[LexiconHit] = []
    for h in sorted(hits, key=lambda h: (h.category, h.start, -h.end)):
        last = merged[-1] if merged else None
        if last is not None and last.category == h.category and h.start <= last.end:
            merged[-1] = LexiconHit(
                h.category, last.start, max(last.end, h.end), last.strong or h.strong
            )
        else:
            merged.append(h)
    return sorted(merged, key=lambda h: (h.start, h.category))
