"""Does a text reveal a special category of personal data? Decided before anything is stored.

Recall first: a false alarm only means that less is kept (a post's text is redacted, a bio
dropped), a miss means storing someone's health, faith or politics. A text is special when a
strong term or named entity reveals a category (``lexicon.STRONG``), or when the classifier
(``head``) gives it at least ``THRESHOLD``.

Languages: French, Spanish and English are what the guard was written and measured for. A text
in another language the multilingual encoder knows is read by the same classifier (the
embeddings carry meaning across languages; the character n-grams and the words mostly do not),
with a lower threshold since it was never measured there. A text in any other language is
``refused``: the guard cannot vouch for it, so it is not stored.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from concilia.special import embeddings, head, lexicon

CATEGORIES = lexicon.CATEGORIES
# Chosen on out-of-fold predictions of the tuning part (bench/signals_guard.py --cv prints them):
# recall 1.0 in each of FR, ES, EN from 0.2 to 0.45 (the special texts without a strong term
# scored 0.48 at least), false alarms 5-8.5 % at 0.3: the lower end, for a margin on recall.
THRESHOLD = 0.3
# Unmeasured languages: half the threshold (recall first where nothing was checked).
OTHER_THRESHOLD = THRESHOLD / 2
# A category head this sure names its category even when another one is also named.
CATEGORY_FLOOR = 0.5
OURS: tuple[str, ...] = ("fr", "es", "en")
# Languages of Universal Sentence Encoder multilingual v3 (its model card's list).
ENCODER_LANGS = frozenset(
    {"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru"}
)
# Below this share of probability for FR+ES+EN together, a text is in another language.
OURS_FLOOR = 0.05
# Language identification guesses on a text this short ("STOP", "OK", "Vale", "two" came out
# as Slovene, Serbian, Latvian, Polish): unless it reads as FR/ES/EN, such a text is "und"
# (undetermined), read by the classifier instead of being refused or held to the threshold
# of languages never measured.
SHORT_WORDS = 3
UNDETERMINED = "und"


@dataclass(frozen=True)
class Verdict:
    """What the guard found in one text: never the words, only the categories."""

    categories: frozenset[str]
    lang: str
    # A language the guard cannot read: treat as not storable.
    refused: bool = False

    @property
    def special(self) -> bool:
        return bool(self.categories)

    @property
    def storable(self) -> bool:
        """True when the text may be stored as it is."""
        return not self.categories and not self.refused


def languages(texts: Sequence[str]) -> list[str]:
    """ISO 639-1 code of each text ("" for a text without letters)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    global _identifier
    if _identifier is None:
        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident = _identifier
    labels = list(ident.nb_classes)
    ours = [labels.index(code) for code in OURS]
    out: list[str] = []
    for text in texts:
        if not any(ch.isalpha() for ch in text):
            out.append("")
            continue
        scores = ident._decide(text)
        mine = [float(scores[i]) for i in ours]
        if sum(mine) >= OURS_FLOOR:
            out.append(OURS[mine.index(max(mine))])
            continue
        code = str(labels[int(np.argmax(scores))])
        if len(text.split()) <= SHORT_WORDS:
            code = UNDETERMINED
        out.append(code)
    return out


_identifier = None
# What the classifier reads: the encoder's languages and short texts of undetermined language.
_READ = ENCODER_LANGS | {UNDETERMINED}


def _needs_reading(code: str, prepared: str) -> bool:
    """Must the classifier read this text? The cheap first stage: a text in FR/ES/EN (or too
    short to tell) made only of neutral words (function words, greetings, numbers, dates, the
    words of paying a debt: ``lexicon.NEUTRAL``) is cleared without being embedded, since
    there is nothing in it to read. No text of the tuning part is cleared by it (the portal's
    debtor chat is where it pays off), and the blind figures of bench/signals_guard.py are
    unchanged. A broader stage (clearing any text without a category's word) was tried and
    lost a blind special text: the classifier also reads meaning the word lists lack."""
    if code not in _READ or not prepared.strip():
        return False
    return not ((code in OURS or code == UNDETERMINED) and lexicon.only_neutral(prepared))


def scan_many(texts: Sequence[str], *, model: head.Head | None = None) -> list[Verdict]:
    """The verdict on every text, in order; texts are embedded in batches, each distinct
    text once (imports repeat the same mention or bio many times)."""
    if not texts:
        return []
    distinct = list(dict.fromkeys(texts))
    if len(distinct) < len(texts):
        found = dict(zip(distinct, _scan_distinct(distinct, model), strict=True))
        return [found[text] for text in texts]
    return _scan_distinct(texts, model)


def _scan_distinct(texts: Sequence[str], model: head.Head | None) -> list[Verdict]:
    langs = languages(texts)
    prepared = lexicon.prepare(texts)
    strong = [lexicon.strong_categories(p) for p in prepared]
    readable = [i for i, code in enumerate(langs) if _needs_reading(code, prepared[i])]
    p_special = np.zeros(len(texts))
    p_category = np.zeros((len(texts), len(CATEGORIES)))
    if readable:
        fitted = model or head.get_head()
        vectors = embeddings.embed([texts[i] for i in readable])
        x = fitted.features([prepared[i] for i in readable], vectors)
        special, per = fitted.proba(x)
        p_special[readable] = special
        p_category[readable] = per
    verdicts: list[Verdict] = []
    for i, code in enumerate(langs):
        found = set(strong[i])
        refused = bool(code) and code not in _READ
        # A short text is read at the measured threshold: its language is a guess, and a
        # few words reveal a category through a strong term (always caught) far more often
        # than through meaning alone.
        threshold = THRESHOLD if code in OURS or code == UNDETERMINED else OTHER_THRESHOLD
        if code in _READ and p_special[i] >= threshold:
            found.update(
                c for c, p in zip(CATEGORIES, p_category[i], strict=True) if p >= CATEGORY_FLOOR
            )
            if not found:
                found.add(CATEGORIES[int(np.argmax(p_category[i]))])
        verdicts.append(Verdict(frozenset(found), code or "none", refused and not found))
    return verdicts


def warm() -> None:
    """Load what a verdict needs (language identifier, encoder, classifier) and run one, so
    that the first real text does not wait for it; once per process, at start-up."""
    scan_many(["warming up the guard", "un texte pour chauffer le modèle de santé"])


# Texts screened one at a time by many threads (portal chat messages, replies) wait here and
# are read together by one thread: a batch costs little more than one text, and the texts no
# longer queue up one 10 ms read after another.
_waiting: queue.SimpleQueue[tuple[str, Future[Verdict]]] = queue.SimpleQueue()
_reader_lock = threading.Lock()
_reader: threading.Thread | None = None
# Texts per read: bounds the wait of the last one of a burst.
READ_BATCH = 64


def _read_forever() -> None:
    while True:
        batch = [_waiting.get()]
        while len(batch) < READ_BATCH:
            try:
                batch.append(_waiting.get_nowait())
            except queue.Empty:
                break
        try:
            verdicts = scan_many([text for text, _ in batch])
        except BaseException as exc:  # every waiting caller gets the error, the reader lives
            for _, future in batch:
                future.set_exception(exc)
            continue
        for (_, future), verdict in zip(batch, verdicts, strict=True):
            future.set_result(verdict)


def scan_shared(text: str) -> Verdict:
    """The verdict on one text, read together with the texts other threads are screening at
    the same moment (for request handlers; a caller with many texts uses :func:`scan_many`).

    A text the cheap first stage clears is answered at once, in the calling thread."""
    global _reader
    if not _needs_reading(languages([text])[0], lexicon.prepare([text])[0]):
        return scan_many([text])[0]
    with _reader_lock:
        if _reader is None:
            _reader = threading.Thread(target=_read_forever, name="special-guard", daemon=True)
            _reader.start()
    future: Future[Verdict] = Future()
    _waiting.put((text, future))
    return future.result()


def scan(text: str, *, model: head.Head | None = None) -> Verdict:
    """The verdict on one text (prefer :func:`scan_many` for many: it embeds in batches)."""
    return scan_many([text], model=model)[0]


def named_by_terms(text: str) -> frozenset[str]:
    """Categories a strong term names in a short field (a job title): the word list only,
    since a classifier reads "infirmière" or "pharmacist" as health too often."""
    return lexicon.strong_categories(lexicon.prepare([text])[0])
