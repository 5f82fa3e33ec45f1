"""Normalisation shared by both sides of the linkage (debtors and public profiles).

Every function works on one value and is cached, because real portfolios repeat the same
names, cities and employers thousands of times: the table-level functions in
:mod:`concilia.tracing.prepare` map them over the distinct values only.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import jellyfish
import phonenumbers

from concilia.once import once

# Particles are kept in the displayed family name but do not identify anybody on their own:
# "de La Fontaine" and "Lafontaine" must meet on "fontaine".
PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "des",
        "d",
        "l",
        "la",
        "las",
        "los",
        "le",
        "lo",
        "van",
        "der",
        "den",
        "ten",
        "von",
        "y",
        "e",
    ]
)
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "m",
        "mme",
        "mlle",
        "sr",
        "sra",
        "srta",
        "don",
        "dona",
        "prof",
    ]
)
LEGAL_SUFFIXES = frozenset(
    [
        "sa",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "sca",
        "snc",
        "sl",
        "slu",
        "sll",
        "sau",
        "scp",
        "selarl",
        "ltd",
        "limited",
        "plc",
        "llp",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "bv",
        "nv",
        "srl",
        "spa",
        "oy",
        "ab",
        "as",
        "kg",
    ]
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NON_NAME = re.compile(r"[^a-z\- ]+")
_LETTERS = re.compile(r"[^a-z]+")


@lru_cache(maxsize=500_000)
def fold(text: str | None) -> str:
    """Accent-fold and case-fold: 'Ñúñez-Ü' -> 'nunez-u'."""
    if not text:
        return ""
    if text.isascii():
        return text.lower().strip()
    return text.translate(_FOLD).lower().strip()


_SPECIAL = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "’": "'",
}


class _FoldTable(dict[int, str]):
    """str.translate table filled lazily, one decomposition per distinct character."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in _SPECIAL:
            folded = _SPECIAL[char]
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def _name_words(text: str) -> list[str]:
    """Folded words of a name; apostrophes split ("d'Arc" -> d, arc), hyphens are kept."""
    cleaned = _NON_NAME.sub(" ", fold(text).replace("'", " "))
    words = []
    for word in cleaned.split():
        word = word.strip("-")
        if word:
            words.append(word)
    return words


def _split_hyphens(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if "-" in word:
            out.extend(part for part in word.split("-") if part)
        elif word:
            out.append(word)
    return out


# --- nicknames ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _nickname_groups() -> dict[str, str]:
    """Map every known given name or diminutive to one representative of its group.

    Groups are the connected components of the FR/ES/EN tables, so 'paco', 'pancho' and
    'francisco' share a key, and so do 'alex', 'alexandre' and 'alejandro'.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    folder = resources.files("concilia.tracing") / "data"
    for lang in ("fr", "es", "en"):
        text = (folder / f"nicknames_{lang}.csv").read_text(encoding="utf-8")
        for row in csv.reader(line for line in text.splitlines() if not line.startswith("#")):
            if len(row) != 2:
                continue
            a, b = fold(row[0]), fold(row[1])
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {name: find(name) for name in parent}


@lru_cache(maxsize=200_000)
def given_key(given: str) -> str:
    """Nickname-aware key of a folded given name ('pepe' and 'jose' give the same key)."""
    groups = _nickname_groups()
    if given in groups:
        return groups[given]
    compact = given.replace("-", "")
    return groups.get(compact, given)


@lru_cache(maxsize=500_000)
def phonetic(word: str) -> str:
    """Phonetic code of a folded name word, tolerant to spelling variants."""
    if not word:
        return ""
    return jellyfish.metaphone(word) or word


@once
def _gender_detector() -> Any:
    # The dictionary ships inside the package (Jörg Michael's list of first names by
    # country); it loads in about a second, once.
    import gender_guesser.detector as gender

    return gender.Detector(case_sensitive=False)


@lru_cache(maxsize=200_000)
def usually_female(given: str) -> bool:
    """Whether a folded given name is mostly borne by women ('eleonore', 'lauren'), the
    people whose surname most often changes at marriage in France, Britain and the US.
    Unknown and unisex names ('dominique') are not."""
    if not given:
        return False
    verdict = _gender_detector().get_gender(given.split("-")[0])
    return verdict in ("female", "mostly_female")


@lru_cache(maxsize=200_000)
def given_sound(word: str) -> str:
    """Soundex code of a folded given name: 'saarah' and 'sarah', 'ronld' and 'ronald'
    share one (blocking only: 'marie' and 'mario' share it too)."""
    letters = _LETTERS.sub("", word)
    return jellyfish.soundex(letters) if letters else ""


# --- names -------------------------------------------------------------------------------


def family_tokens(words: list[str]) -> list[str]:
    """Identifying surname tokens (particles dropped) plus the run-together form.

    'García López' -> [garcia, lopez, garcialopez]; 'Le Goff' -> [goff, legoff]; so that
    'García' alone, 'López García' and 'Legoff' each meet the debtor on some token.
    """
    return _family_tokens(_split_hyphens(words))


def _core(parts: list[str]) -> list[str]:
    return [w for w in parts if w not in PARTICLES and len(w) > 1]


def _family_tokens(parts: list[str], core: list[str] | None = None) -> list[str]:
    out = list(dict.fromkeys(_core(parts) if core is None else core))
    compact = "".join(parts)
    if len(parts) > 1 and compact not in out:
        out.append(compact)
    return out


class ParsedName:
    """A person's name split into folded parts used by comparisons and blocking."""

    __slots__ = ("family", "family_first", "family_tokens", "given", "name_tokens")

    def __init__(self, given: str, family_words: list[str], extra_given: list[str]) -> None:
        self.given = given
        parts = _split_hyphens(family_words)
        core_only = _core(parts)
        self.family_tokens = _family_tokens(parts, core_only)
        self.family = " ".join(core_only)
        self.family_first = core_only[0] if core_only else ""
        tokens = _split_hyphens([given, *extra_given]) + core_only
        self.name_tokens = list(dict.fromkeys(t for t in tokens if t))


@lru_cache(maxsize=500_000)
def parse_debtor_name(given_names: str | None, family_names: str | None) -> ParsedName:
    """Debtor names come split by the creditor: keep double surnames and particles whole."""
    gwords = _name_words(given_names or "")
    fwords = _name_words(family_names or "")
    # 'Le Teixeira' in the given-name field is a surname (the file swapped the two): no
    # given name begins with a particle, and 'le' would be read as one.
    while len(gwords) > 1 and gwords[0] in PARTICLES:
        gwords = gwords[1:]
    given = gwords[0] if gwords else ""
    return ParsedName(given, fwords, gwords[1:])


@lru_cache(maxsize=500_000)
def parse_display_name(display_name: str | None) -> ParsedName:
    """Split a free-text display name into given and family parts.

    'DUPONT Jean' (French administrative order, family name in capitals) is swapped;
    other orders are left to the comparisons, which also test the swapped reading.
    """
    raw = (display_name or "").strip()
    raw_words = [w for w in re.split(r"\s+", raw) if w]
    words = _name_words(raw)
    if len(words) >= 2 and len(raw_words) == len(words):
        first, rest = raw_words[0], raw_words[1:]
        if first.isupper() and len(first) > 1 and not all(w.isupper() for w in rest):
            words = words[1:] + words[:1]
    while len(words) > 1 and words[0].strip(".") in TITLES:
        words = words[1:]
    if not words:
        return ParsedName("", [], [])
    return ParsedName(words[0], words[1:], [])


@lru_cache(maxsize=500_000)
def handle_letters(handle: str | None) -> str:
    """Letters of a handle without digits or separators: '@Jean.Dupont_75' -> 'jeandupont'."""
    return _LETTERS.sub("", fold(handle or ""))


def handle_keys(name: ParsedName) -> list[str]:
    """Handles a person with this name would plausibly choose."""
    g, f = name.given.replace("-", ""), name.family_first
    if not g or not f:
        return []
    # Every surname run together ('lorrainemoranturner'): handles hold no spaces.
    fam_all = name.family.replace(" ", "") if name.family else f
    keys = [g + f, g[0] + f, f + g, f + g[0], g + fam_all, g[0] + fam_all]
    nick = given_key(name.given).replace("-", "")
    if nick != g:
        keys.append(nick + f)
    return list(dict.fromkeys(k for k in keys if len(k) >= 4))


# --- other fields -------------------------------------------------------------------------


@lru_cache(maxsize=500_000)
def phone_e164(raw: str, country: str | None = None) -> str | None:
    """E.164 form of a phone number given in any national or international form."""
    region = (country or "").upper() or None
    if region == "UK":
        region = "GB"
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=500_000)
def email_canonical(raw: str) -> str | None:
    """Canonical e-mail: lower case, '+tag' dropped, dots dropped for Gmail."""
    value = fold(raw).strip().strip("<>")
    if value.count("@") != 1:
        return None
    local, domain = value.split("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    if not local or "." not in domain:
        return None
    return f"{local}@{domain}"


@lru_cache(maxsize=200_000)
def employer_key(raw: str | None) -> str:
    """Employer without legal form: 'Acme S.A.S.' and 'ACME' both give 'acme'."""
    value = fold(raw or "").replace(".", "").replace("&", " and ")
    words = [w for w in _NON_ALNUM.sub(" ", value).split() if w not in LEGAL_SUFFIXES]
    return " ".join(words)


@lru_cache(maxsize=200_000)
def city_key(raw: str | None) -> str:
    """Folded city name: 'St-Étienne' and 'Saint Etienne' give 'saint etienne'."""
    words = _NON_ALNUM.sub(" ", fold(raw or "").replace("'", " ")).split()
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in words]
    return " ".join(words)


def split_multi(value: object) -> list[str]:
    """A multi-valued field given as a list or as a '|'-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split("|") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    try:
        return [str(v).strip() for v in list(value) if str(v).strip()]  # type: ignore[call-overload]
    except TypeError:
        return []
