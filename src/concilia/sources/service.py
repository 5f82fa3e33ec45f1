"""The sources domain's door: declarations, the purpose gate, imports, capture, redaction, purge.

Bulk reads for other domains (linkage, inference, signals) live in ``reads.py`` and are
re-exported here, so callers only ever import ``concilia.sources.service``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.certification import service as certification_service
from concilia.db import utcnow
from concilia.errors import Conflict, Forbidden, InputProblem, InvalidInput, NotFound
from concilia.sources import personal_data as personal_data
from concilia.sources.checks import check_item
from concilia.sources.importer import ImportReport, get_active_source, run_import
from concilia.sources.models import FriendEdge, Mention, Post, Profile, ProfileContact, Source
from concilia.sources.reads import (
    friend_edges,
    get_profiles,
    iter_profiles_for_linkage,
    posts_for_profiles,
    profile_detail,
)
from concilia.sources.schemas import (
    ItemKind,
    ManualCaptureIn,
    Purpose,
    SourceDeclaration,
    SourceKind,
)
from concilia.sources.writer import fingerprint, write_batch

__all__ = [
    "ImportReport",
    "allowed_for",
    "declare",
    "friend_edges",
    "get",
    "get_by_name",
    "get_profiles",
    "iter_profiles_for_linkage",
    "list_sources",
    "manual_capture",
    "posts_for_profiles",
    "profile_detail",
    "profiles_at_address",
    "purge_expired",
    "redact_post",
    "redact_posts",
    "require_purpose",
    "run_import",
    "source_ids_allowing",
]

RedactionReason = Literal[
    "special_category", "vulnerability_possible", "minimisation", "data_subject_request"
]
Outcome = Literal["created", "updated", "unchanged"]


def get(*, db_session: Session, source_id: int) -> Source:
    """The source with this id, or NotFound."""
    source = db_session.get(Source, source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id}")
    return source


def get_by_name(*, db_session: Session, name: str) -> Source | None:
    """The source with this name, if declared."""
    return db_session.scalar(select(Source).where(Source.name == name))


def list_sources(*, db_session: Session) -> list[Source]:
    """Every declared source, by name."""
    return list(db_session.scalars(select(Source).order_by(Source.name)))


def declare(
    *, db_session: Session, declaration: SourceDeclaration, actor: str, replace: bool = False
) -> Source:
    """Declare a source (or, with ``replace``, re-declare its terms); audited."""
    source = get_by_name(db_session=db_session, name=declaration.name)
    if source is not None and not replace:
        raise Conflict(f"source {declaration.name!r} is already declared")
    values: dict[str, Any] = {
        "kind": declaration.kind.value,
        "platform": declaration.platform,
        "allowed_purposes": sorted(p.value for p in declaration.allowed_purposes),
        "automated_messaging": declaration.automated_messaging,
        "retention_days": declaration.full_retention(),
        "terms_url": declaration.terms_url,
        "notes": declaration.notes,
        "declared_at": utcnow(),
        "declared_by": actor,
        "active": True,
    }
    created = source is None
    if source is None:
        source = Source(name=declaration.name, **values)
        db_session.add(source)
    else:
        for key, value in values.items():
            setattr(source, key, value)
    db_session.flush()
    terms = {k: v for k, v in values.items() if k not in ("declared_at", "declared_by")}
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="sources.declared" if created else "sources.redeclared",
        object_type="source",
        object_id=source.id,
        change={"name": source.name, **terms},
        detail={"name": source.name, **terms},
    )
    return source


def _source(db_session: Session, source: int | str | Source) -> Source:
    if isinstance(source, Source):
        return source
    if isinstance(source, int):
        return get(db_session=db_session, source_id=source)
    found = get_by_name(db_session=db_session, name=source)
    if found is None:
        raise NotFound(f"no source {source!r}")
    return found


def allowed_for(*, db_session: Session, source: int | str | Source, purpose: Purpose | str) -> bool:
    """Whether the source's terms allow using its items for this purpose (and it is active)."""
    found = _source(db_session, source)
    return found.active and Purpose(purpose).value in (found.allowed_purposes or [])


def require_purpose(
    *, db_session: Session, source: int | str | Source, purpose: Purpose | str
) -> Source:
    """The source, or Forbidden naming the purpose its terms do not allow."""
    found = _source(db_session, source)
    wanted = Purpose(purpose).value
    if not found.active:
        raise Forbidden(f"source {found.name!r} is deactivated")
    if wanted not in (found.allowed_purposes or []):
        allowed = ", ".join(found.allowed_purposes or []) or "nothing"
        raise Forbidden(
            f"source {found.name!r} may not be used for {wanted}: its terms allow {allowed}"
        )
    return found


def source_ids_allowing(*, db_session: Session, purpose: Purpose | str) -> set[int]:
    """Ids of the active sources whose terms allow this purpose (for bulk filters)."""
    wanted = Purpose(purpose).value
    return {
        s.id
        for s in db_session.scalars(select(Source).where(Source.active.is_(True)))
        if wanted in (s.allowed_purposes or [])
    }


def manual_capture(
    *, db_session: Session, capture: ManualCaptureIn, username: str, actor: str
) -> tuple[int, Outcome, datetime]:
    """Record a profile an agent looked at by hand; returns (profile id, outcome, retain_until)."""
    # Only certified staff capture profiles by hand (issue 20); audited if refused.
    certification_service.require_social_channels(
        db_session=db_session, action="sources.capture", actor=actor, username=username
    )
    source = get_active_source(db_session, capture.source)
    if source.kind != SourceKind.manual_capture.value:
        raise Conflict(
            f"source {source.name!r} is a {source.kind} source; manual captures go to a source "
            "declared with kind manual_capture"
        )
    now = utcnow()
    data: dict[str, Any] = dict(capture.fields)
    data.setdefault("external_id", capture.url)
    data["visibility"] = capture.visibility
    data["provenance"] = {
        "url": capture.url,
        "captured_at": now.isoformat(),
        "captured_by": f"agent:{username}",
        "legal_basis": capture.legal_basis,
    }
    item, problems = check_item(data, kind=ItemKind.profiles, source=source, now=now)
    if item is None:
        raise InvalidInput(
            problems=[InputProblem("capture", 1, p.field, p.reason) for p in problems]
        )
    # As for files, the fingerprint covers provenance: looking again refreshes the capture
    # time and so the retention date.
    counts = write_batch(
        db_session,
        kind=ItemKind.profiles,
        source=source,
        items=[(item, fingerprint(data))],
        now=now,
    )
    profile_id = counts.ids[item.external_id]
    outcome: Outcome = "created" if counts.created else "updated" if counts.updated else "unchanged"
    retain = db_session.scalar(select(Profile.retain_until).where(Profile.id == profile_id))
    assert retain is not None
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="sources.captured",
        object_type="source_profile",
        object_id=profile_id,
        change={"source": source.name, "url": capture.url, "fields": sorted(capture.fields)},
        detail={"source": source.name, "outcome": outcome, "fields": sorted(capture.fields)},
    )
    return profile_id, outcome, retain


def redact_posts(
    *, db_session: Session, post_ids: Iterable[int], reason: RedactionReason, actor: str
) -> int:
    """Remove the text and hashtags of posts (e.g. a special-category post, GDPR art. 9);
    the row stays so a re-import does not bring the text back. One audit entry."""
    ids = sorted(set(post_ids))
    done = 0
    now = utcnow()
    for start in range(0, len(ids), 5_000):
        chunk = ids[start : start + 5_000]
        result = db_session.execute(
            update(Post)
            .where(Post.id.in_(chunk), Post.redacted_at.is_(None))
            .values(text=None, hashtags=[], redacted_at=now, redaction_reason=reason)
            .execution_options(synchronize_session=False)
        )
        done += int(getattr(result, "rowcount", 0) or 0)
    if ids:
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="sources.posts_redacted",
            object_type="source_post",
            object_id=ids[0] if len(ids) == 1 else f"{len(ids)} posts",
            change={"post_ids": ids, "reason": reason},
            # The reason is a category of rule, never the sensitive detail itself.
            detail={"posts": len(ids), "redacted": done, "reason": reason},
        )
    return done


def redact_post(*, db_session: Session, post_id: int, reason: RedactionReason, actor: str) -> bool:
    """Redact one post (see :func:`redact_posts`); False when it was already redacted."""
    if db_session.get(Post, post_id) is None:
        raise NotFound(f"no post with id {post_id}")
    return redact_posts(db_session=db_session, post_ids=[post_id], reason=reason, actor=actor) == 1


def purge_expired(
    *, db_session: Session, now: datetime | None = None, actor: str = "job:purge"
) -> dict[str, int]:
    """Delete every item past its ``retain_until`` (dependants of purged profiles too); audited."""
    now = (now or utcnow()).astimezone(UTC)
    expired_profiles = select(Profile.id).where(Profile.retain_until <= now)
    counts: dict[str, int] = {}

    def _delete(name: str, stmt: Any) -> None:
        result = db_session.execute(stmt.execution_options(synchronize_session=False))
        counts[name] = counts.get(name, 0) + int(getattr(result, "rowcount", 0) or 0)

    # Children first, so the purge does not depend on ON DELETE CASCADE being enforced.
    _delete("posts", delete(Post).where(Post.retain_until <= now))
    _delete("posts", delete(Post).where(Post.profile_id.in_(expired_profiles)))
    _delete("friends", delete(FriendEdge).where(FriendEdge.retain_until <= now))
    _delete(
        "friends",
        delete(FriendEdge).where(
            FriendEdge.profile_id.in_(expired_profiles) | FriendEdge.friend_id.in_(expired_profiles)
        ),
    )
    _delete(
        "contacts", delete(ProfileContact).where(ProfileContact.profile_id.in_(expired_profiles))
    )
    _delete("profiles", delete(Profile).where(Profile.retain_until <= now))
    _delete("mentions", delete(Mention).where(Mention.retain_until <= now))
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="sources.purged",
        object_type="sources",
        object_id="retention",
        change={"now": now.isoformat(), **counts},
        detail={"now": now.isoformat(), **counts},
    )
    return counts


def counts_by_source(*, db_session: Session) -> dict[int, dict[str, int]]:
    """Number of stored items per source and kind."""
    out: dict[int, dict[str, int]] = {}
    for kind, model in (
        ("profiles", Profile),
        ("friends", FriendEdge),
        ("posts", Post),
        ("mentions", Mention),
    ):
        for source_id, n in db_session.execute(
            select(model.source_id, func.count()).group_by(model.source_id)
        ):
            out.setdefault(source_id, {})[kind] = n
    return out


def profiles_at_address(*, db_session: Session, address: str) -> list[int]:
    """Ids of imported profiles a social address (handle, @handle or profile URL) points at."""
    raw = address.strip()
    if "://" in raw:
        # A profile URL ends with the handle (https://network/handle[/]).
        raw = raw.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    elif ":" in raw:
        # Provider addresses name the network first (fb:handle).
        raw = raw.split(":", 1)[1]
    handle = raw.removeprefix("@")
    if not handle:
        return []
    query = select(Profile.id).where(Profile.handle.in_({handle, handle.lower()}))
    return sorted(db_session.scalars(query))


def list_mentions(*, db_session: Session, after_id: int = 0, limit: int = 500) -> list[Mention]:
    """Imported mentions with an id above ``after_id``, by id (reputation reads in batches)."""
    query = select(Mention).where(Mention.id > after_id).order_by(Mention.id).limit(limit)
    return list(db_session.scalars(query))
