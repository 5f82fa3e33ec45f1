"""The label sets and the hand-written labelled mentions kept in ``data/`` (see data/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).parent / "data"
TUNE_FILE = DATA_DIR / "mentions_tune.jsonl"
# Never read while choosing features or settings: only the bench scores on it.
BLIND_FILE = DATA_DIR / "mentions_blind.jsonl"

LANGUAGES = ("fr", "es", "en")
SENTIMENTS = ("negative", "neutral", "positive")
TOPICS = ("harassment", "wrong_person", "scam_warning", "praise", "question", "other")
Part = Literal["tune", "blind"]


@dataclass(frozen=True)
class Labelled:
    """One hand-labelled mention."""

    id: str
    group: int
    lang: str
    text: str
    sentiment: str
    topic: str
    phenomenon: str


def load(part: Part = "tune") -> list[Labelled]:
    """Labelled mentions of one part (``tune`` trains the model, ``blind`` only scores)."""
    path = TUNE_FILE if part == "tune" else BLIND_FILE
    out: list[Labelled] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(Labelled(**row))
    return out
