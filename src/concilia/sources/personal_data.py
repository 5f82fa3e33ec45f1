"""Sources' answer for a data subject (see ``concilia.privacy.contract``): export, erasure.

The person's social items are those of the public profiles an agent accepted as theirs: the
profiles themselves, their published contact points, posts, friend edges (either end) and
the agency mentions they authored. Erasure and objection delete them all: they were public
data used on legitimate interest, which yields to an objection (art. 21(1)) and has no legal
obligation to keep them. Nothing is kept; a later import of the same items would have to be
matched and accepted again (privacy's restriction record tells the agent not to).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from concilia import crypto
from concilia.sources.models import FriendEdge, Mention, Post, Profile, ProfileContact, Source
from concilia.sources.writer import CONTACT_CONTEXT

_GONE = ("nothing", "deleted: legitimate interest yields to erasure and objection")
PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "source_profiles": _GONE,
    "source_profile_contacts": _GONE,
    "source_posts": _GONE,
    "source_friend_edges": _GONE,
    "source_mentions": _GONE,
}


def _provenance(row: Any, source: Source | None) -> dict[str, Any]:
    return {
        "source": source.name if source else None,
        "url": row.url,
        "captured_at": row.captured_at.isoformat(),
        "captured_by": row.captured_by,
        "legal_basis": row.legal_basis,
    }


def _item(table: str, row: Any, source: Source | None, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "domain": "sources",
        "table": table,
        "record_id": row.id,
        "data": data,
        "provenance": _provenance(row, source),
        "purposes": list(source.allowed_purposes) if source else [],
        "legal_basis": row.legal_basis,
        "retain_until": row.retain_until,
    }


def _profiles(db_session: Session, profile_ids: Sequence[int]) -> list[Profile]:
    return list(db_session.scalars(select(Profile).where(Profile.id.in_(list(profile_ids)))))


def mentions_of_profiles(*, db_session: Session, profile_ids: Sequence[int]) -> list[Mention]:
    """Agency mentions authored by these profiles (same network and handle)."""
    pairs = [(p.network, p.handle) for p in _profiles(db_session, profile_ids) if p.handle]
    if not pairs:
        return []
    clauses = [(Mention.network == n) & (Mention.author_handle == h) for n, h in pairs]
    return list(db_session.scalars(select(Mention).where(or_(*clauses)).order_by(Mention.id)))


def export_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
) -> list[dict[str, Any]]:
    """Accepted profiles with their contacts, posts, friend-edge counts and mentions."""
    sources = {s.id: s for s in db_session.scalars(select(Source))}
    items: list[dict[str, Any]] = []
    for p in _profiles(db_session, profile_ids):
        source = sources.get(p.source_id)
        contacts = [
            {
                "kind": c.kind,
                "value": crypto.decrypt(c.value_encrypted, context=CONTACT_CONTEXT[c.kind]),
            }
            for c in db_session.scalars(
                select(ProfileContact).where(ProfileContact.profile_id == p.id)
            )
        ]
        edges = list(
            db_session.scalars(
                select(FriendEdge.id).where(
                    or_(FriendEdge.profile_id == p.id, FriendEdge.friend_id == p.id)
                )
            )
        )
        items.append(
            _item(
                "source_profiles",
                p,
                source,
                {
                    "network": p.network,
                    "external_id": p.external_id,
                    "display_name": p.display_name,
                    "handle": p.handle,
                    "city": p.city,
                    "country": p.country,
                    "employer": p.employer,
                    "job_title": p.job_title,
                    "school": p.school,
                    "birthday_mmdd": p.birthday_mmdd,
                    "bio": p.bio,
                    "published_contacts": contacts,
                    # Friends are other people: the count is the person's, the names are not.
                    "friend_edges": len(edges),
                },
            )
        )
        for post in db_session.scalars(
            select(Post).where(Post.profile_id == p.id).order_by(Post.posted_at)
        ):
            items.append(
                _item(
                    "source_posts",
                    post,
                    source,
                    {
                        "posted_at": post.posted_at.isoformat(),
                        "text": post.text,
                        "redacted": post.redacted_at is not None,
                        "redaction_reason": post.redaction_reason,
                    },
                )
            )
    for m in mentions_of_profiles(db_session=db_session, profile_ids=profile_ids):
        items.append(
            _item(
                "source_mentions",
                m,
                sources.get(m.source_id),
                {"posted_at": m.posted_at.isoformat(), "text": m.text, "agency": m.agency},
            )
        )
    return items


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def erase_subject(
    *,
    db_session: Session,
    debtor_id: int,
    case_ids: Sequence[int],
    profile_ids: Sequence[int],
    actor: str,
    now: datetime,
    scope: str,
) -> list[dict[str, Any]]:
    """Delete the accepted profiles and every item linked to them (erasure and objection)."""
    ids = list(profile_ids)
    mention_ids = [m.id for m in mentions_of_profiles(db_session=db_session, profile_ids=ids)]
    counts: dict[str, int] = {}
    # Children first, so erasure does not depend on ON DELETE CASCADE being enforced.
    counts["source_posts"] = _rowcount(
        db_session.execute(delete(Post).where(Post.profile_id.in_(ids)))
    )
    counts["source_friend_edges"] = _rowcount(
        db_session.execute(
            delete(FriendEdge).where(
                or_(FriendEdge.profile_id.in_(ids), FriendEdge.friend_id.in_(ids))
            )
        )
    )
    counts["source_profile_contacts"] = _rowcount(
        db_session.execute(delete(ProfileContact).where(ProfileContact.profile_id.in_(ids)))
    )
    counts["source_mentions"] = _rowcount(
        db_session.execute(delete(Mention).where(Mention.id.in_(mention_ids)))
    )
    counts["source_profiles"] = _rowcount(
        db_session.execute(delete(Profile).where(Profile.id.in_(ids)))
    )
    return [
        {
            "domain": "sources",
            "table": table,
            "action": "deleted",
            "rows": rows,
            "keeps": PERSONAL_DATA[table][0],
            "legal_ground": PERSONAL_DATA[table][1],
        }
        for table, rows in counts.items()
    ]


def count_expired(*, db_session: Session, now: datetime) -> dict[str, int]:
    """What ``purge_expired`` would delete at ``now`` (its dry run)."""
    expired = select(Profile.id).where(Profile.retain_until <= now)

    def count(query: Any) -> int:
        return len(list(db_session.scalars(query)))

    return {
        "posts": count(
            select(Post.id).where(or_(Post.retain_until <= now, Post.profile_id.in_(expired)))
        ),
        "friends": count(
            select(FriendEdge.id).where(
                or_(
                    FriendEdge.retain_until <= now,
                    FriendEdge.profile_id.in_(expired),
                    FriendEdge.friend_id.in_(expired),
                )
            )
        ),
        "profiles": count(expired),
        "mentions": count(select(Mention.id).where(Mention.retain_until <= now)),
    }
