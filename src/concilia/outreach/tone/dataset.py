"""The hand-written labelled tone set shipped in package data, and its fixed held-out split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from concilia.outreach.tone.types import CATEGORIES, LANGS, Lang

# About 30% of messages are held out for evaluation. The split depends only on the message
# text, so adding messages never moves existing ones between train and test.
HELD_OUT_PERCENT = 30


@dataclass(frozen=True)
class Span:
    """A labelled span inside an example's text."""

    category: str
    start: int
    end: int


@dataclass(frozen=True)
class Example:
    """One labelled message (no labels means a message that should pass)."""

    id: str
    lang: Lang
    text: str
    labels: frozenset[str]
    spans: tuple[Span, ...]


def is_held_out(text: str) -> bool:
    """True when the message belongs to the held-out (evaluation) split."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100 < HELD_OUT_PERCENT


def _parse(line: str, where: str) -> Example:
    try:
        raw = json.loads(line)
        lang = raw["lang"]
        text = raw["text"]
        labels = frozenset(raw["labels"])
        spans = tuple(Span(s["category"], int(s["start"]), int(s["end"])) for s in raw["spans"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{where}: malformed example ({exc})") from exc
    if lang not in LANGS:
        raise ValueError(f"{where}: field 'lang' must be one of {LANGS}, got {lang!r}")
    unknown = labels - set(CATEGORIES)
    if unknown:
        raise ValueError(f"{where}: field 'labels' has unknown categories {sorted(unknown)}")
    for s in spans:
        if s.category not in labels or not 0 <= s.start < s.end <= len(text):
            raise ValueError(f"{where}: field 'spans' has a bad span {s}")
    return Example(str(raw["id"]), lang, text, labels, spans)


@lru_cache(maxsize=1)
def load_examples() -> tuple[Example, ...]:
    """Return every labelled example, FR then ES then EN, in file order."""
    out: list[Example] = []
    data = resources.files("concilia.outreach.tone") / "data"
    for lang in LANGS:
        name = f"messages_{lang}.jsonl"
        lines = (data / name).read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines, 1):
            if line.strip():
                out.append(_parse(line, f"{name} line {n}"))
    return tuple(out)


def train_examples() -> tuple[Example, ...]:
    """Return the examples the evaluated model may learn from."""
    return tuple(e for e in load_examples() if not is_held_out(e.text))


def held_out_examples() -> tuple[Example, ...]:
    """Return the examples kept for evaluation only."""
    return tuple(e for e in load_examples() if is_held_out(e.text))


def load_extra_eval() -> tuple[Example, ...]:
    """Return the 'fresh' evaluation-only messages (written after the rules were frozen).

    They are never used to train the shipped model nor to tune rules: a second, untouched
    check on top of the hash-based held-out split.
    """
    out: list[Example] = []
    data = resources.files("concilia.outreach.tone") / "data"
    for lang in LANGS:
        res = data / f"fresh_{lang}.jsonl"
        if not res.is_file():
            continue
        for n, line in enumerate(res.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                out.append(_parse(line, f"fresh_{lang}.jsonl line {n}"))
    return tuple(out)
