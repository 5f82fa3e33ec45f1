"""Line-level checks of imported items: schema, provenance, visibility, retention, references.

Every problem names the field and says why, so a bad file can be fixed line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.sources.models import Profile, Source
from concilia.sources.schemas import (
    DEFAULT_RETENTION_DAYS,
    ITEM_SCHEMAS,
    PATTERN_REASONS,
    FriendItem,
    ItemKind,
    PostItem,
    _Item,
)

# Anything but `public` was seen by us only because of a relationship with the person: CNIL
# fined KASPR for collecting contact details restricted to the person's network.
VISIBILITY_REASON = (
    "visibility {value!r}: the item is restricted to the person's {who}; only items visible "
    "to everyone are accepted (GDPR art. 6, CNIL SAN-2024-020 KASPR)"
)
_RESTRICTED = {
    "friends": "friends",
    "friends_of_friends": "friends of friends",
    "network": "network",
    "connections": "network",
    "followers": "followers",
    "private": "own eyes (private)",
    "custom": "chosen audience",
}
PROVENANCE_REASON = (
    "provenance is missing: every item needs provenance.url, captured_at, captured_by and "
    "legal_basis; items without provenance are refused"
)
# Clocks differ between a capture tool and us; a day of slack avoids refusing honest items.
FUTURE_SLACK = timedelta(days=1)
REF_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an item is refused (the file and line are added by the caller)."""

    field: str
    reason: str


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "(line)"
        if err["type"] == "missing":
            reason = PROVENANCE_REASON if loc == "provenance" else "required field is missing"
        elif err["type"] == "string_pattern_mismatch" and loc in PATTERN_REASONS:
            reason = PATTERN_REASONS[loc]
        else:
            reason = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] not in ("value_error", "missing") and "input" in err:
                shown = repr(err["input"])
                reason = f"{reason} (got {shown[:60]})"
        out.append(Problem(loc, reason))
    return out


def visibility_problem(value: Any) -> Problem | None:
    """Why an item's visibility is refused, or None when it is public."""
    if value == "public":
        return None
    if value is None:
        return Problem("visibility", "required field is missing: only `public` items are accepted")
    who = _RESTRICTED.get(str(value).strip().lower())
    if who is None:
        return Problem("visibility", f"unknown visibility {value!r}: only `public` is accepted")
    return Problem("visibility", VISIBILITY_REASON.format(value=value, who=who))


def check_item(
    data: dict[str, Any],
    *,
    kind: ItemKind,
    source: Source,
    now: datetime,
    retention: int | None = None,
) -> tuple[_Item | None, list[Problem]]:
    """Validate one item against its schema and the source's declaration
    (``retention``: the source's days for this kind, when the caller has it at hand)."""
    problems: list[Problem] = []
    vis = visibility_problem(data.get("visibility"))
    if vis:
        problems.append(vis)
    try:
        item = ITEM_SCHEMAS[kind].model_validate(data)
    except ValidationError as exc:
        problems.extend(p for p in _pydantic_problems(exc) if p.field != "visibility")
        return None, problems
    if item.source is not None and item.source != source.name:
        problems.append(
            Problem("source", f"line names source {item.source!r} but --source is {source.name!r}")
        )
    captured = item.provenance.captured_at
    if captured > now + FUTURE_SLACK:
        problems.append(Problem("provenance.captured_at", "captured in the future"))
    else:
        days = retention if retention is not None else retention_days(source, kind)
        if captured + timedelta(days=days) <= now:
            problems.append(
                Problem(
                    "provenance.captured_at",
                    f"captured more than {days} days ago: past the source's retention for "
                    f"{kind.value}, it would be purged at once",
                )
            )
    network = getattr(item, "network", None)
    if kind == ItemKind.profiles and source.platform and network != source.platform:
        problems.append(
            Problem(
                "network",
                f"network {network!r} is not the platform {source.platform!r} this source "
                "declares terms for",
            )
        )
    if isinstance(item, FriendItem) and item.profile_id == item.friend_id:
        problems.append(Problem("friend_id", "an edge from a profile to itself"))
    if isinstance(item, PostItem) and item.created_at.tzinfo is None:
        # Documented: a time without offset is read as UTC.
        item.created_at = item.created_at.replace(tzinfo=now.tzinfo)
    return (None if problems else item), problems


def retention_days(source: Source, kind: ItemKind) -> int:
    """The source's retention for a kind of item, in days."""
    return int((source.retention_days or {}).get(kind.value, DEFAULT_RETENTION_DAYS[kind.value]))


def resolve_profiles(
    db_session: Session, *, source_id: int, external_ids: Iterable[str]
) -> dict[str, int]:
    """Profile ids of the source for these external ids (missing ones are absent)."""
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), REF_CHUNK):
        chunk = wanted[start : start + REF_CHUNK]
        rows = db_session.execute(
            select(Profile.external_id, Profile.id).where(
                Profile.source_id == source_id, Profile.external_id.in_(chunk)
            )
        )
        found.update({ext: pid for ext, pid in rows})
    return found


def profiles_elsewhere(
    db_session: Session, *, source_id: int, external_ids: Iterable[str]
) -> set[str]:
    """Which of these external ids are profiles of another declared source."""
    wanted = sorted(set(external_ids))
    if not wanted:
        return set()
    # IN on the leading column keeps the (source_id, external_id) unique index usable.
    others = list(db_session.scalars(select(Source.id).where(Source.id != source_id)))
    found: set[str] = set()
    for start in range(0, len(wanted), REF_CHUNK):
        chunk = wanted[start : start + REF_CHUNK]
        found.update(
            db_session.scalars(
                select(Profile.external_id)
                .where(Profile.source_id.in_(others), Profile.external_id.in_(chunk))
                .distinct()
            )
        )
    return found


def reference_problems(
    items: Sequence[_Item], known: dict[str, int], source_name: str
) -> list[list[Problem]]:
    """For each friend/post item, the references to profiles that are not in the source."""
    out: list[list[Problem]] = []
    for item in items:
        problems: list[Problem] = []
        refs: list[tuple[str, str]] = []
        if isinstance(item, FriendItem):
            refs = [("profile_id", item.profile_id), ("friend_id", item.friend_id)]
        elif isinstance(item, PostItem):
            refs = [("profile_id", item.profile_id)]
        for field, ext in refs:
            if ext not in known:
                problems.append(
                    Problem(
                        field,
                        f"no profile {ext!r} in source {source_name!r} (import its profiles "
                        "first; refused profiles cannot be referenced)",
                    )
                )
        out.append(problems)
    return out


def referenced_ids(items: Iterable[_Item]) -> set[str]:
    """Every profile external id that friend/post items refer to."""
    out: set[str] = set()
    for item in items:
        if isinstance(item, FriendItem):
            out.add(item.profile_id)
            out.add(item.friend_id)
        elif isinstance(item, PostItem):
            out.add(item.profile_id)
    return out
