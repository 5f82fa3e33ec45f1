"""Likely employer from professional-network contacts who state one (counts only)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_LEGAL = re.compile(
    r"\b(s\.?a\.?s?\.?|s\.?a\.?r\.?l\.?|s\.?l\.?u?\.?|ltd|limited|inc|llc|plc|gmbh|corp|"
    r"corporation|company|co|group|groupe|grupo|e\.?u\.?r\.?l\.?|y asociados|et fils|"
    r"and sons)\b\.?",
    re.IGNORECASE,
)


def employer_key(name: str) -> str:
    """Comparable form of a company name: no accents, case, punctuation or legal form."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).casefold()
    plain = _LEGAL.sub(" ", plain)
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


@dataclass(frozen=True)
class EmployerGuess:
    """The employer most contacts share, with how many do."""

    name: str
    colleagues: int
    contacts_stating_employer: int
    share: float
    stated_agrees: bool | None
    explanation: str


def infer_employer(
    stated: str | None,
    contact_employers: Sequence[str | None],
    *,
    min_colleagues: int = 2,
    min_share: float = 0.3,
) -> EmployerGuess | None:
    """The employer shared by enough professional contacts, or None when nothing stands out."""
    named = [e for e in contact_employers if e and employer_key(e)]
    if not named:
        return None
    keys = Counter(employer_key(e) for e in named)
    ((key, n),) = keys.most_common(1)
    share = n / len(named)
    if n < min_colleagues or share < min_share:
        return None
    display = Counter(e for e in named if employer_key(e) == key).most_common(1)[0][0]
    agrees = None if not stated else employer_key(stated) == key
    text = f"{n} of {len(named)} professional contacts stating an employer work at {display}"
    if agrees is True:
        text += "; the profile itself says so too"
    elif agrees is False:
        text += f"; the profile itself says {stated}"
    return EmployerGuess(display, n, len(named), round(share, 3), agrees, text)
