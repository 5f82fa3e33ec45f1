"""The hand-written labelled corpus and its fixed held-out split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from concilia.signals.labels import LABELS, LANGS

HELD_OUT_PERCENT = 30


@dataclass(frozen=True)
class Example:
    """One labelled post."""

    id: str
    item: str
    lang: str
    label: str
    text: str
    special: tuple[str, ...] = field(default_factory=tuple)
    origin: str = "handwritten"
    # Which hand-written batch the post came from ("corpus", "more"): the held-out split is
    # drawn within each batch, so adding a batch never moves an earlier post across sides.
    batch: str = "corpus"


def _rank(item: str) -> bytes:
    return hashlib.sha256(item.encode()).digest()


def held_out_items(examples: list[Example]) -> frozenset[str]:
    """Items of the held-out side: per batch and label, the 30 % of items with the smallest hash.

    Stratified so that every class has held-out examples; by item key, so that an item and
    its translations share a side. The three languages were written as loose parallels
    (item ``job_loss-03`` tells a similar story in French, Spanish and English); splitting
    per item keeps a story's translation out of training when the story is held out. Per
    batch, so that a later batch of posts leaves the earlier split exactly as it was.
    """
    by_label: dict[tuple[str, str], set[str]] = {}
    for example in examples:
        by_label.setdefault((example.batch, example.label), set()).add(example.item)
    chosen: set[str] = set()
    for items in by_label.values():
        ranked = sorted(items, key=_rank)
        chosen.update(ranked[: round(len(ranked) * HELD_OUT_PERCENT / 100)])
    return frozenset(chosen)


def _parse(path_name: str, raw: str, *, batch: str = "corpus") -> list[Example]:
    examples: list[Example] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["label"] not in LABELS or row["lang"] not in LANGS:
            raise ValueError(f"{path_name} line {number}: unknown label or lang")
        examples.append(
            Example(
                id=row["id"],
                item=row["item"],
                lang=row["lang"],
                label=row["label"],
                text=row["text"],
                special=tuple(row.get("special", ())),
                batch=batch,
            )
        )
    return examples


# Hand-written batches, oldest first; a batch's files may be missing (still being written).
BATCHES: tuple[str, ...] = ("corpus", "more")


def load_handwritten() -> list[Example]:
    """Every hand-written example: batch by batch (``corpus_*``, ``more_*``), FR, ES, EN."""
    data = resources.files("concilia.signals") / "data"
    examples: list[Example] = []
    for batch in BATCHES:
        for lang in LANGS:
            name = f"{batch}_{lang}.jsonl"
            path = data / name
            if batch != "corpus" and not path.is_file():
                continue
            examples.extend(_parse(name, path.read_text(encoding="utf-8"), batch=batch))
    return examples


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, held_out) by the fixed item hash."""
    held = held_out_items(examples)
    train = [e for e in examples if e.item not in held]
    test = [e for e in examples if e.item in held]
    return train, test


def load_synthetic(posts_path: Path, truth_path: Path | None = None) -> list[Example]:
    """Labelled posts of the synthetic world: ``posts.jsonl`` joined to ``truth_posts.jsonl``.

    ``truth_path`` defaults to ``truth_posts.jsonl`` next to the posts. Posts in other
    languages or with labels this classifier does not model are left out. The item key is
    the author (``person_id``), so a person's cross-posted copies share a side of a split.
    """
    truth_path = truth_path or posts_path.with_name("truth_posts.jsonl")
    truth: dict[str, tuple[str, str, str]] = {}
    with truth_path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                truth[row["external_id"]] = (
                    row.get("label", ""),
                    row.get("language", ""),
                    str(row.get("person_id", row["external_id"])),
                )
    examples: list[Example] = []
    with posts_path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            label, lang, person = truth.get(row["external_id"], ("", "", ""))
            if label not in LABELS or lang not in LANGS or not row.get("text"):
                continue
            examples.append(
                Example(
                    id=f"synthetic-{row['external_id']}",
                    item=f"synthetic-{person}",
                    lang=lang,
                    label=label,
                    text=row["text"],
                    origin="synthetic",
                )
            )
    return examples


def split_synthetic(
    examples: list[Example], *, none_cap: int = 300
) -> tuple[list[Example], list[Example]]:
    """(train, held_out) of synthetic posts by author hash (70/30), ``none`` capped per side.

    The world is mostly chatter; without the cap ``none`` would swamp the sixteen classes.
    """
    train: list[Example] = []
    test: list[Example] = []
    for example in examples:
        side = test if _rank(example.item)[0] < 77 else train  # 77/256 ~ 30 %
        side.append(example)
    return _cap_none(train, none_cap), _cap_none(test, none_cap)


def _cap_none(examples: list[Example], cap: int) -> list[Example]:
    kept: list[Example] = []
    seen = 0
    for example in sorted(examples, key=lambda e: _rank(e.id)):
        if example.label == "none":
            if seen >= cap:
                continue
            seen += 1
        kept.append(example)
    return sorted(kept, key=lambda e: e.id)


def load_blind(*, second: bool = False, number: int | None = None) -> list[Example]:
    """A blind set: posts never used for training.

    The first (``blind_*``) was written after the first version was frozen, and its errors
    were read afterwards. The second (``blind2_*``) was written after the first model's
    freeze and scored once; later versions were tuned while watching its score. The third
    (``blind3_*``, ``number=3``), by another writer, is scored once after the final freeze.
    A set whose files are not all there yet is empty.
    """
    data = resources.files("concilia.signals") / "data"
    number = number if number is not None else (2 if second else 1)
    prefix = "blind" if number == 1 else f"blind{number}"
    examples: list[Example] = []
    names = [f"{prefix}_{lang}.jsonl" for lang in LANGS]
    if number > 2 and not all((data / name).is_file() for name in names):
        return []
    for name in names:
        examples.extend(_parse(name, (data / name).read_text(encoding="utf-8")))
    return examples
