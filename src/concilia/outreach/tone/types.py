"""The tone checker's public data types (the compliance engine codes against these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Severity = Literal["block", "review"]
Source = Literal["lexicon", "classifier"]
Lang = Literal["fr", "es", "en"]

CATEGORIES: Final[tuple[str, ...]] = (
    "threat",
    "harassment",
    "insult",
    "public_shaming",
    "false_urgency",
    "false_legal_claim",
    "third_party_pressure",
)
LANGS: Final[tuple[Lang, ...]] = ("fr", "es", "en")

# Harassment and false urgency are often a matter of degree ("please reply soon" vs "we will
# call you every hour"), so they default to human review; a rule marked strong escalates.
BLOCKING_CATEGORIES: Final[frozenset[str]] = frozenset(
    {"threat", "false_legal_claim", "insult", "public_shaming", "third_party_pressure"}
)


@dataclass(frozen=True)
class ToneFlag:
    """One problem found in a message: where it is, what it is, how bad, and a better wording."""

    category: str
    start: int
    end: int
    text: str
    severity: Severity
    suggestion: str
    source: Source
