"""What a person would look at to tell a fake account: pure functions over profile records.

Some features only make sense against the rest of the batch (a bio copied by fourteen other
profiles, a photo worn by six different names), so :func:`featurize` takes the whole batch.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from rapidfuzz import fuzz


@dataclass(frozen=True)
class ProfileRecord:
    """The public facts of one profile the features need (no contact data)."""

    key: str  # any id unique in the batch (a database id or an external id)
    network: str
    display_name: str
    handle: str | None = None
    city: str | None = None
    employer: str | None = None
    job_title: str | None = None
    school: str | None = None
    birthday: str | None = None
    bio: str | None = None
    photo_hash: str | None = None
    created: date | None = None
    friends_count: int | None = None
    followers_count: int | None = None
    following_count: int | None = None
    posts_count: int | None = None
    privacy: str = "public"
    language: str | None = None
    post_times: tuple[datetime, ...] = ()
    post_texts: tuple[str, ...] = ()
    friend_keys: frozenset[str] = field(default_factory=frozenset)


FEATURES: tuple[str, ...] = (
    "account_age_days",
    "log_friends",
    "log_followers",
    "log_following",
    "log_posts",
    "following_per_follower",
    "friends_per_year",
    "posts_per_year",
    "posts_seen",
    "post_interval_cv",
    "burst_share_1h",
    "burst_share_1d",
    "dup_post_share",
    "copied_post_share",
    "bio_length",
    "bio_shared_by",
    "photo_missing",
    "photo_names",
    "handle_length",
    "handle_digits",
    "handle_trailing_digits",
    "handle_entropy",
    "handle_name_similarity",
    "handle_consonant_run",
    "completeness",
    "partial_privacy",
    "name_words",
    "edges_seen",
)
_OPTIONAL_FIELDS = ("city", "employer", "job_title", "school", "birthday", "bio", "photo_hash")
_VOWELS = set("aeiouy")


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced text for comparisons."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", plain)).strip()


def shannon_entropy(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _max_consonant_run(text: str) -> int:
    best = run = 0
    for ch in text:
        if ch.isalpha() and ch not in _VOWELS:
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best


def _burst_share(times: Sequence[datetime], seconds: float) -> float:
    """Largest share of the posts that fall in one window of the given length."""
    if len(times) < 2:
        return 0.0
    ts = sorted(t.timestamp() for t in times)
    best, lo = 1, 0
    for hi in range(len(ts)):
        while ts[hi] - ts[lo] > seconds:
            lo += 1
        best = max(best, hi - lo + 1)
    return best / len(ts)


def _interval_cv(times: Sequence[datetime]) -> float:
    if len(times) < 3:
        return -1.0
    ts = sorted(t.timestamp() for t in times)
    gaps = [b - a for a, b in itertools.pairwise(ts)]
    mean = statistics.fmean(gaps)
    return statistics.pstdev(gaps) / mean if mean > 0 else 10.0


def _log(value: int | None) -> float:
    return math.log1p(value) if value is not None else -1.0


@dataclass(frozen=True)
class BatchContext:
    """Counts over the whole batch: who else uses this bio, this photo, this post text."""

    bio_names: dict[str, set[str]]
    photo_names: dict[str, set[str]]
    text_authors: dict[str, set[str]]

    @classmethod
    def of(cls, records: Sequence[ProfileRecord]) -> BatchContext:
        bio_names: dict[str, set[str]] = defaultdict(set)
        photo_names: dict[str, set[str]] = defaultdict(set)
        text_authors: dict[str, set[str]] = defaultdict(set)
        for r in records:
            name = fold(r.display_name)
            if r.bio and len(fold(r.bio)) >= 12:
                bio_names[fold(r.bio)].add(name)
            if r.photo_hash:
                photo_names[r.photo_hash.lower()].add(name)
            for text in set(r.post_texts):
                if len(fold(text)) >= 20:
                    text_authors[fold(text)].add(name)
        return cls(dict(bio_names), dict(photo_names), dict(text_authors))


def features_of(record: ProfileRecord, ctx: BatchContext, as_of: date) -> dict[str, float]:
    """The feature vector of one profile, by name (see :data:`FEATURES`)."""
    name = fold(record.display_name)
    handle = (record.handle or "").lower().lstrip("@")
    letters = re.sub(r"[^a-z]", "", fold(handle))
    age = (as_of - record.created).days if record.created else -1
    years = max(age, 30) / 365.25 if age >= 0 else 1.0
    followers, following = record.followers_count, record.following_count
    texts = [fold(t) for t in record.post_texts if t]
    long_texts = [t for t in texts if len(t) >= 20]
    copied = sum(1 for t in long_texts if len(ctx.text_authors.get(t, set()) - {name}) > 0)
    bio = fold(record.bio) if record.bio else ""
    trailing = re.search(r"\d+$", handle)
    filled = sum(1 for f in _OPTIONAL_FIELDS if getattr(record, f))
    return {
        "account_age_days": float(age),
        "log_friends": _log(record.friends_count),
        "log_followers": _log(followers),
        "log_following": _log(following),
        "log_posts": _log(record.posts_count),
        "following_per_follower": (
            (following + 1) / (followers + 1)
            if followers is not None and following is not None
            else -1.0
        ),
        "friends_per_year": (record.friends_count or 0) / years,
        "posts_per_year": (record.posts_count or 0) / years,
        "posts_seen": float(len(record.post_times)),
        "post_interval_cv": _interval_cv(record.post_times),
        "burst_share_1h": _burst_share(record.post_times, 3600),
        "burst_share_1d": _burst_share(record.post_times, 86400),
        "dup_post_share": (1 - len(set(texts)) / len(texts)) if texts else 0.0,
        "copied_post_share": copied / len(long_texts) if long_texts else 0.0,
        "bio_length": float(len(bio)),
        "bio_shared_by": float(len(ctx.bio_names.get(bio, set()) - {name})) if bio else 0.0,
        "photo_missing": 0.0 if record.photo_hash else 1.0,
        "photo_names": (
            float(len(ctx.photo_names.get(record.photo_hash.lower(), set()) - {name}))
            if record.photo_hash
            else 0.0
        ),
        "handle_length": float(len(handle)),
        "handle_digits": float(sum(c.isdigit() for c in handle)),
        "handle_trailing_digits": float(len(trailing.group(0))) if trailing else 0.0,
        "handle_entropy": shannon_entropy(handle),
        "handle_name_similarity": (
            fuzz.partial_ratio(letters, name.replace(" ", "")) / 100 if letters and name else 0.0
        ),
        "handle_consonant_run": float(_max_consonant_run(letters)),
        "completeness": filled / len(_OPTIONAL_FIELDS),
        "partial_privacy": 1.0 if record.privacy != "public" else 0.0,
        "name_words": float(len(name.split())),
        "edges_seen": float(len(record.friend_keys)),
    }


def featurize(records: Sequence[ProfileRecord], as_of: date) -> list[list[float]]:
    """Feature rows, in :data:`FEATURES` order, for a batch of profiles."""
    ctx = BatchContext.of(records)
    return [[f[name] for name in FEATURES] for f in (features_of(r, ctx, as_of) for r in records)]
