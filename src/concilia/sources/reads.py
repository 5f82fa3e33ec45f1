"""Bulk reads for other domains, as plain dicts (Core selects, keyset pages, no ORM objects).

Every read applies the purpose gate: only sources whose declared terms allow the purpose
are read. Linkage reads for ``locating``; signals read posts for ``credit_assessment``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.errors import NotFound
from concilia.sources.models import FriendEdge, Post, Profile, ProfileContact, Source
from concilia.sources.schemas import Purpose
from concilia.sources.writer import CONTACT_CONTEXT

_CHUNK = 5_000

PROFILE_COLUMNS = (
    Profile.id,
    Profile.source_id,
    Profile.external_id,
    Profile.network,
    Profile.display_name,
    Profile.handle,
    Profile.city,
    Profile.country,
    Profile.employer,
    Profile.job_title,
    Profile.school,
    Profile.bio,
    Profile.birthday_mmdd.label("birthday"),
    Profile.photo_hash,
    Profile.account_created,
    Profile.friends_count,
    Profile.followers_count,
    Profile.following_count,
    Profile.posts_count,
    Profile.privacy,
    Profile.language,
    Profile.url,
    Profile.captured_at,
)


def _allowed_ids(db_session: Session, purpose: Purpose | str) -> set[int]:
    wanted = Purpose(purpose).value
    return {
        s.id
        for s in db_session.scalars(select(Source).where(Source.active.is_(True)))
        if wanted in (s.allowed_purposes or [])
    }


def _contacts(db_session: Session, lo: int, hi: int) -> dict[int, dict[str, list[str]]]:
    out: dict[int, dict[str, list[str]]] = {}
    rows = db_session.execute(
        select(ProfileContact.profile_id, ProfileContact.kind, ProfileContact.value_encrypted)
        .where(ProfileContact.profile_id.between(lo, hi))
        .order_by(ProfileContact.id)
    )
    for profile_id, kind, token in rows:
        value = crypto.decrypt(token, context=CONTACT_CONTEXT[kind])
        out.setdefault(profile_id, {"phone": [], "email": []})[kind].append(value)
    return out


def _with_contacts(db_session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    contacts = _contacts(db_session, min(ids), max(ids))
    out: list[dict[str, Any]] = []
    for row in rows:
        item = dict(row._mapping)
        item["profile_id"] = item["id"]
        found = contacts.get(row.id, {})
        item["phones"] = found.get("phone", [])
        item["emails"] = found.get("email", [])
        out.append(item)
    return out


def iter_profiles_for_linkage(
    *,
    db_session: Session,
    source_ids: Iterable[int] | None = None,
    purpose: Purpose | str = Purpose.locating,
    batch_size: int = 50_000,
) -> Iterator[list[dict[str, Any]]]:
    """Batches of profiles (dicts; ``phones``/``emails`` decrypted) from sources allowing the
    purpose, optionally only from ``source_ids``; ordered by id, memory bounded by the batch."""
    allowed = _allowed_ids(db_session, purpose)
    if source_ids is not None:
        allowed &= set(source_ids)
    if not allowed:
        return
    last = 0
    while True:
        query = (
            select(*PROFILE_COLUMNS)
            .where(Profile.source_id.in_(sorted(allowed)), Profile.id > last)
            .order_by(Profile.id)
            .limit(batch_size)
        )
        rows = db_session.execute(query).all()
        if not rows:
            return
        last = rows[-1].id
        yield _with_contacts(db_session, rows)


def get_profiles(
    *, db_session: Session, profile_ids: Iterable[int], purpose: Purpose | str = Purpose.locating
) -> list[dict[str, Any]]:
    """Profiles by id in the linkage shape, only from sources allowing the purpose."""
    allowed = sorted(_allowed_ids(db_session, purpose))
    ids = sorted(set(profile_ids))
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), _CHUNK):
        rows = db_session.execute(
            select(*PROFILE_COLUMNS)
            .where(Profile.id.in_(ids[start : start + _CHUNK]), Profile.source_id.in_(allowed))
            .order_by(Profile.id)
        ).all()
        # Contacts are read per row range; chunks are sorted so the ranges stay tight.
        out.extend(_with_contacts(db_session, rows))
    return out


def friend_edges(*, db_session: Session, profile_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Public edges touching these profiles: ``profile_id``, ``friend_id``, ``kind``, ``source_id``.

    Friends' data is for aggregates only (DESIGN.md): callers count, they do not keep it.
    """
    ids = sorted(set(profile_ids))
    allowed = sorted(_allowed_ids(db_session, Purpose.locating))
    out: list[dict[str, Any]] = []
    seen: set[tuple[int, int, str]] = set()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = db_session.execute(
            select(
                FriendEdge.profile_id, FriendEdge.friend_id, FriendEdge.kind, FriendEdge.source_id
            )
            .where(
                or_(FriendEdge.profile_id.in_(chunk), FriendEdge.friend_id.in_(chunk)),
                FriendEdge.source_id.in_(allowed),
            )
            .order_by(FriendEdge.id)
        )
        for pid, fid, kind, sid in rows:
            if (pid, fid, kind) not in seen:
                seen.add((pid, fid, kind))
                out.append({"profile_id": pid, "friend_id": fid, "kind": kind, "source_id": sid})
    return out


def posts_for_profiles(
    *,
    db_session: Session,
    profile_ids: Iterable[int],
    purpose: Purpose | str = Purpose.credit_assessment,
) -> tuple[list[dict[str, Any]], int]:
    """Posts of these profiles from sources allowing the purpose, and how many were left out
    because their source's terms forbid it. Redacted posts come with ``text`` None and their
    ``redaction_reason``."""
    ids = sorted(set(profile_ids))
    allowed = sorted(_allowed_ids(db_session, purpose))
    posts: list[dict[str, Any]] = []
    skipped = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = db_session.execute(
            select(
                Post.id,
                Post.profile_id,
                Post.source_id,
                Post.external_id,
                Post.posted_at,
                Post.text,
                Post.language,
                Post.hashtags,
                Post.reply_to,
                Post.url,
                Post.redacted_at,
                Post.redaction_reason,
            )
            .where(Post.profile_id.in_(chunk), Post.source_id.in_(allowed))
            .order_by(Post.profile_id, Post.posted_at)
        )
        for row in rows:
            item = dict(row._mapping)
            item["redacted"] = item.pop("redacted_at") is not None
            posts.append(item)
        skipped += (
            db_session.scalar(
                select(func.count())
                .select_from(Post)
                .where(Post.profile_id.in_(chunk), Post.source_id.not_in(allowed))
            )
            or 0
        )
    return posts, skipped


def profile_detail(*, db_session: Session, profile_id: int) -> dict[str, Any]:
    """One profile with its source name, provenance and decrypted published contacts."""
    row = db_session.execute(
        select(
            *PROFILE_COLUMNS,
            Profile.bio,
            Source.name.label("source"),
            Profile.captured_by,
            Profile.legal_basis,
            Profile.retain_until,
        )
        .join(Source, Source.id == Profile.source_id)
        .where(Profile.id == profile_id)
    ).first()
    if row is None:
        raise NotFound(f"no profile with id {profile_id}")
    return _with_contacts(db_session, [row])[0]
