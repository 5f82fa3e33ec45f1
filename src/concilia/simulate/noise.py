"""Small text corruptions: typos, dropped accents, case."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_ACCENTS = str.maketrans(
    "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ",
    "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY",
)
_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}
_KEYBOARD_NEIGHBOURS = {
    "a": "qsz",
    "e": "rzd",
    "i": "uo",
    "o": "ip",
    "u": "yi",
    "n": "bm",
    "m": "n",
    "r": "et",
    "t": "ry",
    "s": "ad",
    "l": "k",
    "c": "xv",
    "d": "sf",
}


def pick(rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice`` without its rejection loop (the bias, < 2**-40, does not matter here)."""
    return seq[int(rng.random() * len(seq))]


def strip_accents(text: str) -> str:
    """Drop accents the way people typing on a phone or an old system do."""
    out = text.translate(_ACCENTS)
    if "œ" in out or "æ" in out or "Œ" in out or "Æ" in out:
        for k, v in _LIGATURES.items():
            out = out.replace(k, v)
    return out


def typo(text: str, rng: random.Random) -> str:
    """One realistic typo: adjacent swap, dropped, doubled or neighbouring-key letter."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return text
    i = letters[rng.randrange(1, len(letters))]
    kind = rng.randrange(4)
    if kind == 0 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    near = _KEYBOARD_NEIGHBOURS.get(text[i].lower())
    if near:
        return text[:i] + rng.choice(near) + text[i + 1 :]
    return text[:i] + text[i + 1 :]


def typos(text: str, rng: random.Random, count: int) -> str:
    """Apply ``count`` typos."""
    for _ in range(count):
        text = typo(text, rng)
    return text
