"""Impersonation: profiles that wear someone else's name and photo.

Candidate pairs (copy, original) are profiles whose folded names are equal — look-alike
letters folded too ("rn" reads as "m") — and whose photo hashes are equal or near-equal (a
recompressed or cropped copy flips a few bits of a perceptual hash), across or within
networks; when the original shows no photo, a handle built on the original's handle
("marie.dupont" → "marie.dupont_official") stands in for it. Each pair is scored by a
gradient-boosting model trained by the project on a synthetic world (``data/
impersonation_training.csv``) from what a person would compare: which account is newer,
mutual friends, copied bio, city, employer and posts, a derived handle, the copy's own
bot-like counters. For each profile the most likely original is kept; above the threshold the
profile is flagged, with the reasons in plain words. A person's own accounts on several
networks, or an old account they abandoned, are old, have their own friends and their own
words, and are not flagged.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources

import numpy as np
from rapidfuzz import fuzz
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from concilia.authenticity.features import ProfileRecord, fold
from concilia.once import once

PHOTO_MAX_BITS = 6
# Chosen on the training world (see docs/authenticity.md), never on the evaluation world.
IMPERSONATION_THRESHOLD = 0.5
TRAINING_FILE = "data/impersonation_training.csv"
_LOOKALIKE = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"))

PAIR_FEATURES: tuple[str, ...] = (
    "same_network",
    "photo_bits",
    "no_photo",
    "handle_derived",
    "handle_extra",
    "handle_ratio",
    "name_identical",
    "age_days",
    "original_age_days",
    "age_gap_days",
    "log_friends",
    "original_log_friends",
    "following_per_follower",
    "original_following_per_follower",
    "bio_copied",
    "city_copied",
    "employer_copied",
    "edges_seen",
    "mutual_share",
    "posts_copied",
    "posts_seen",
    "original_posts_seen",
)


@dataclass(frozen=True)
class ImpersonationFlag:
    """A profile flagged as impersonating another one."""

    key: str
    original_key: str
    score: float
    reasons: list[str]


def name_key(display_name: str) -> str:
    """Folded name, look-alike letters folded, word order ignored, digits dropped."""
    text = fold(display_name)
    for look, real in _LOOKALIKE:
        text = text.replace(look, real)
    return " ".join(sorted(w for w in re.sub(r"\d+", " ", text).split() if w))


def photo_distance(a: str | None, b: str | None) -> int:
    """Bits that differ between two hex perceptual hashes (99 when either is missing)."""
    if not a or not b:
        return 99
    try:
        return (int(a, 16) ^ int(b, 16)).bit_count()
    except ValueError:
        return 99


def _handle(r: ProfileRecord) -> str:
    return (r.handle or "").lower().lstrip("@")


def _derived(copy: ProfileRecord, original: ProfileRecord) -> bool:
    h, o = _handle(copy), _handle(original)
    return bool(o) and h != o and h.startswith(o) and len(h) - len(o) <= 10


def candidate_pairs(records: Sequence[ProfileRecord]) -> list[tuple[ProfileRecord, ProfileRecord]]:
    """Ordered (copy, original) pairs worth scoring: same name key and a shared photo, or a
    handle derived from the other's when the original shows no photo."""
    by_name: dict[str, list[ProfileRecord]] = defaultdict(list)
    for r in records:
        key = name_key(r.display_name)
        if key:
            by_name[key].append(r)
    pairs: list[tuple[ProfileRecord, ProfileRecord]] = []
    for key in sorted(by_name):
        members = sorted(by_name[key], key=lambda r: r.key)
        if len(members) < 2 or len(members) > 200:
            # Hundreds of profiles with one name are namesakes of a very common name; a copy
            # among them still needs its photo to match, checked below pairwise, so cap work.
            members = members[:200]
        for a in members:
            for b in members:
                if a.key == b.key:
                    continue
                if photo_distance(a.photo_hash, b.photo_hash) <= PHOTO_MAX_BITS or (
                    not b.photo_hash and not a.photo_hash and _derived(a, b)
                ):
                    pairs.append((a, b))
    return pairs


def _age(r: ProfileRecord, as_of: date) -> float:
    return float((as_of - r.created).days) if r.created else -1.0


def _ratio(r: ProfileRecord) -> float:
    if r.followers_count is None or r.following_count is None:
        return -1.0
    return (r.following_count + 1) / (r.followers_count + 1)


def _same(a: str | None, b: str | None, min_len: int = 2) -> float:
    if not a or not b:
        return -1.0
    return 1.0 if fold(a) == fold(b) and len(fold(a)) >= min_len else 0.0


def _copied_posts(copy: ProfileRecord, original: ProfileRecord) -> int:
    ref = {fold(t) for t in original.post_texts if len(fold(t)) >= 15}
    return sum(1 for t in copy.post_texts if fold(t) in ref)


def pair_features(copy: ProfileRecord, original: ProfileRecord, as_of: date) -> dict[str, float]:
    """What a person compares between a suspected copy and its original."""
    age, o_age = _age(copy, as_of), _age(original, as_of)
    same_net = copy.network == original.network
    mutual = -1.0
    if same_net and copy.friend_keys:
        mutual = len(copy.friend_keys & original.friend_keys) / len(copy.friend_keys)
    h, o = _handle(copy), _handle(original)
    return {
        "same_network": 1.0 if same_net else 0.0,
        "photo_bits": float(photo_distance(copy.photo_hash, original.photo_hash)),
        "no_photo": 0.0 if copy.photo_hash and original.photo_hash else 1.0,
        "handle_derived": 1.0 if _derived(copy, original) else 0.0,
        "handle_extra": float(len(h) - len(o)),
        "handle_ratio": fuzz.ratio(h, o) / 100 if h and o else 0.0,
        "name_identical": 1.0 if copy.display_name == original.display_name else 0.0,
        "age_days": age,
        "original_age_days": o_age,
        "age_gap_days": o_age - age if age >= 0 and o_age >= 0 else 0.0,
        "log_friends": math.log1p(copy.friends_count or 0),
        "original_log_friends": math.log1p(original.friends_count or 0),
        "following_per_follower": _ratio(copy),
        "original_following_per_follower": _ratio(original),
        "bio_copied": _same(copy.bio, original.bio, 6),
        "city_copied": _same(copy.city, original.city),
        "employer_copied": _same(copy.employer, original.employer),
        "edges_seen": float(len(copy.friend_keys)),
        "mutual_share": mutual,
        "posts_copied": float(_copied_posts(copy, original)),
        "posts_seen": float(len(copy.post_texts)),
        "original_posts_seen": float(len(original.post_texts)),
    }


def pair_reasons(f: dict[str, float], original: ProfileRecord) -> list[str]:
    """Plain-words reasons for a flagged pair, from its features."""
    photo = (
        "no photo on either"
        if f["no_photo"]
        else "the same photo"
        if f["photo_bits"] == 0
        else "a near-identical photo"
    )
    lines = [f"same name and {photo} as an older profile on {original.network}"]
    if f["age_gap_days"] > 60:
        lines.append(
            f"created {_span(f['age_days'])} ago, {_span(f['age_gap_days'])} after that profile"
        )
    if f["handle_derived"]:
        lines.append("username is the other profile's username with a few characters added")
    if f["mutual_share"] >= 0:
        lines.append(f"{f['mutual_share']:.0%} of its friends are friends of that profile")
    copied = [
        what
        for what, key in (
            ("bio", "bio_copied"),
            ("city", "city_copied"),
            ("employer", "employer_copied"),
        )
        if f[key] == 1.0
    ]
    if copied:
        lines.append("copies its " + ", ".join(copied))
    if f["posts_copied"]:
        lines.append(f"{int(f['posts_copied'])} post(s) copied from it")
    if f["following_per_follower"] >= 5:
        lines.append(
            f"follows {f['following_per_follower']:.0f} times more accounts than follow it"
        )
    return lines


def _span(days: float) -> str:
    d = int(days)
    if d < 60:
        return f"{d} days"
    if d < 730:
        return f"{d // 30} months"
    return f"{d // 365} years"


@dataclass(frozen=True)
class PairModel:
    """The trained pair classifier."""

    classifier: HistGradientBoostingClassifier
    version: str
    threshold: float


def train_pairs(x: np.ndarray, y: np.ndarray) -> HistGradientBoostingClassifier:
    """Fit the pair classifier deterministically (fixed seed, no early stopping)."""
    clf = HistGradientBoostingClassifier(
        max_iter=150,
        learning_rate=0.08,
        max_leaf_nodes=15,
        min_samples_leaf=5,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    )
    with threadpool_limits(1):
        clf.fit(x, y)
    return clf


def build_pair_model(text: str, threshold: float = IMPERSONATION_THRESHOLD) -> PairModel:
    """Train on a pair CSV's text (columns: PAIR_FEATURES..., label)."""
    from concilia.authenticity.model import read_csv

    x, y = read_csv(text, PAIR_FEATURES, TRAINING_FILE)
    version = "imp-" + hashlib.sha256(text.encode()).hexdigest()[:12]
    return PairModel(train_pairs(x, y), version, threshold)


@once
def get_pair_model() -> PairModel:
    """The pair model, trained once per process from the shipped file."""
    text = resources.files("concilia.authenticity").joinpath(TRAINING_FILE).read_text("utf-8")
    return build_pair_model(text)


def find_impersonators(
    records: Sequence[ProfileRecord],
    as_of: date,
    model: PairModel | None = None,
) -> list[ImpersonationFlag]:
    """Every profile that looks like a copy of another, with its most likely original."""
    model = model or get_pair_model()
    pairs = candidate_pairs(records)
    if not pairs:
        return []
    feats = [pair_features(c, o, as_of) for c, o in pairs]
    with threadpool_limits(1):
        proba = model.classifier.predict_proba(
            np.asarray([[f[n] for n in PAIR_FEATURES] for f in feats], dtype=float)
        )[:, 1]
    best: dict[str, int] = {}
    for i, (copy, original) in enumerate(pairs):
        j = best.get(copy.key)
        if j is None or (proba[i], original.key) > (proba[j], pairs[j][1].key):
            best[copy.key] = i
    flags = [
        ImpersonationFlag(
            key=key,
            original_key=pairs[i][1].key,
            score=round(float(proba[i]), 4),
            reasons=pair_reasons(feats[i], pairs[i][1]),
        )
        for key, i in sorted(best.items())
        if proba[i] >= model.threshold
    ]
    # A profile is either a copy or an original: when two flag each other keep the likelier.
    by_key = {f.key: f for f in flags}
    return [
        f
        for f in flags
        if not (
            f.original_key in by_key
            and by_key[f.original_key].original_key == f.key
            and (by_key[f.original_key].score, f.original_key) > (f.score, f.key)
        )
    ]
