"""The authenticity domain's door: score profiles, store flags, decide what may be used.

A profile flagged fake or impersonating cannot become evidence nor a contact channel until an
agent overrides the flag with a reason; :func:`can_use_as_evidence` is the single check the
tracing review flow and the outreach channels call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.authenticity import model as fake_model
from concilia.authenticity import personal_data as personal_data
from concilia.authenticity.features import FEATURES, BatchContext, ProfileRecord, features_of
from concilia.authenticity.impersonation import find_impersonators
from concilia.authenticity.models import AuthenticityFlag
from concilia.authenticity.reasons import fake_reasons
from concilia.authenticity.records import record
from concilia.db import utcnow
from concilia.errors import InputProblem, InvalidInput, NotFound
from concilia.sources import service as sources_service


@dataclass(frozen=True)
class ScoreSummary:
    """What one scoring run did."""

    scored: int
    fake: int
    impersonators: int
    model_version: str


def get_flag(*, db_session: Session, profile_id: int) -> AuthenticityFlag | None:
    """The flag row of a profile, if it was scored."""
    return db_session.scalar(
        select(AuthenticityFlag).where(AuthenticityFlag.profile_id == profile_id)
    )


def get_flag_or_raise(*, db_session: Session, profile_id: int) -> AuthenticityFlag:
    """The flag row of a profile, or NotFound."""
    flag = get_flag(db_session=db_session, profile_id=profile_id)
    if flag is None:
        raise NotFound(f"profile {profile_id} has not been scored for authenticity")
    return flag


def flags_for(*, db_session: Session, profile_ids: Sequence[int]) -> dict[int, AuthenticityFlag]:
    """Flag rows of many profiles at once, by profile id."""
    if not profile_ids:
        return {}
    rows = db_session.scalars(
        select(AuthenticityFlag).where(AuthenticityFlag.profile_id.in_(list(set(profile_ids))))
    )
    return {row.profile_id: row for row in rows}


def reasons_of(flag: AuthenticityFlag) -> list[str]:
    """Plain-words lines for an explanation: why the profile is flagged, and any override."""
    lines: list[str] = []
    if flag.is_fake:
        lines.append(
            f"likely a fake account (score {flag.fake_score:.2f}): " + "; ".join(flag.fake_reasons)
        )
    if flag.is_impersonator:
        lines.append(
            f"likely impersonates profile #{flag.impersonator_of}: "
            + "; ".join(flag.impersonation_reasons)
        )
    if flag.flagged and flag.overridden:
        lines.append(f"flag overridden by {flag.override_by}: {flag.override_reason}")
    return lines


def explain(*, db_session: Session, profile_id: int) -> list[str]:
    """The authenticity lines for a match candidate's explanation (empty when nothing to say)."""
    flag = get_flag(db_session=db_session, profile_id=profile_id)
    if flag is None:
        return ["not yet checked for fake accounts or impersonation"]
    lines = reasons_of(flag)
    return lines or [f"no sign of a fake account or impersonation (score {flag.fake_score:.2f})"]


def can_use_as_evidence(*, db_session: Session, profile_id: int) -> tuple[bool, list[str]]:
    """Whether a profile may become evidence or a contact channel, and why not.

    Unscored profiles are allowed (the check cannot block what it has not seen) and say so;
    flagged ones are refused until an agent overrides the flag with a reason.
    """
    flag = get_flag(db_session=db_session, profile_id=profile_id)
    if flag is None:
        return True, ["not yet checked for fake accounts or impersonation"]
    if flag.blocked:
        return False, [*reasons_of(flag), "an agent must override the flag, with a reason"]
    return True, reasons_of(flag)


def override(*, db_session: Session, profile_id: int, reason: str, actor: str) -> AuthenticityFlag:
    """Let a flagged profile be used anyway: an agent's decision, with its reason, audited."""
    reason = reason.strip()
    if len(reason) < 10:
        raise InvalidInput(
            [InputProblem("override", 1, "reason", "say why, in at least 10 characters")]
        )
    flag = get_flag_or_raise(db_session=db_session, profile_id=profile_id)
    if not flag.flagged:
        raise InvalidInput([InputProblem("override", 1, "profile_id", "profile is not flagged")])
    flag.overridden = True
    flag.override_reason = reason
    flag.override_by = actor
    flag.override_at = utcnow()
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="authenticity.override",
        object_type="source_profile",
        object_id=profile_id,
        change={"overridden": True, "reason": reason},
        detail={
            "is_fake": flag.is_fake,
            "is_impersonator": flag.is_impersonator,
            "fake_score": round(flag.fake_score, 4),
        },
    )
    return flag


def withdraw_override(*, db_session: Session, profile_id: int, actor: str) -> AuthenticityFlag:
    """Block a flagged profile again (audited)."""
    flag = get_flag_or_raise(db_session=db_session, profile_id=profile_id)
    if not flag.overridden:
        return flag
    flag.overridden = False
    flag.override_reason = None
    flag.override_by = None
    flag.override_at = None
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="authenticity.override_withdrawn",
        object_type="source_profile",
        object_id=profile_id,
        change={"overridden": False},
    )
    return flag


def score_records(
    *,
    db_session: Session,
    records: Sequence[ProfileRecord],
    actor: str,
    as_of: date | None = None,
    only: Sequence[int] | None = None,
) -> ScoreSummary:
    """Score a batch (record keys are profile ids as text) and upsert their flags.

    The whole batch is the context for copied bios, shared photos and impersonation groups;
    ``only`` limits which profiles get a row written. An existing override is kept when the
    new flags are the same kind as the overridden ones, and dropped (the profile is blocked
    again) when the reasons to flag it changed kind.
    """
    model = fake_model.get_model()
    today = as_of or utcnow().date()
    ctx = BatchContext.of(records)
    feats = [features_of(r, ctx, today) for r in records]
    scores = model.scores([[f[n] for n in FEATURES] for f in feats])
    impostors = {flag.key: flag for flag in find_impersonators(records, today)}
    wanted = None if only is None else {str(i) for i in only}
    existing = flags_for(
        db_session=db_session,
        profile_ids=[int(r.key) for r in records if wanted is None or r.key in wanted],
    )
    now = utcnow()
    n_fake = n_imp = n = 0
    for rec, feat, score in zip(records, feats, scores, strict=True):
        if wanted is not None and rec.key not in wanted:
            continue
        pid = int(rec.key)
        imp = impostors.get(rec.key)
        is_fake = score >= model.threshold
        flag = existing.get(pid)
        if flag is None:
            flag = AuthenticityFlag(profile_id=pid, overridden=False)
            db_session.add(flag)
        elif (
            flag.overridden
            and (flag.is_fake, flag.is_impersonator) != (is_fake, imp is not None)
            and (is_fake or imp is not None)
        ):
            # The override was for other reasons than the new ones: block again.
            flag.overridden = False
            flag.override_reason = flag.override_by = None
            flag.override_at = None
        flag.fake_score = round(score, 4)
        flag.is_fake = is_fake
        flag.fake_reasons = fake_reasons(feat) if is_fake else []
        flag.is_impersonator = imp is not None
        flag.impersonator_of = int(imp.original_key) if imp else None
        flag.impersonation_score = imp.score if imp else None
        flag.impersonation_reasons = imp.reasons if imp else []
        flag.model_version = model.version
        flag.scored_at = now
        n += 1
        n_fake += is_fake
        n_imp += imp is not None
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="authenticity.scored",
        object_type="authenticity_batch",
        object_id=now.isoformat(),
        change={"profiles": n, "fake": n_fake, "impersonators": n_imp},
        detail={"profiles": n, "fake": n_fake, "impersonators": n_imp, "model": model.version},
    )
    return ScoreSummary(scored=n, fake=n_fake, impersonators=n_imp, model_version=model.version)


def load_records(*, db_session: Session) -> list[ProfileRecord]:
    """Every profile readable for locating, with its public edges and posts, as records.

    The whole corpus is the context: a copied bio or a shared photo only shows against it.
    """
    rows = [
        row
        for batch in sources_service.iter_profiles_for_linkage(db_session=db_session)
        for row in batch
    ]
    ids = [row["id"] for row in rows]
    friends: dict[int, set[str]] = defaultdict(set)
    for edge in sources_service.friend_edges(db_session=db_session, profile_ids=ids):
        friends[edge["profile_id"]].add(str(edge["friend_id"]))
        friends[edge["friend_id"]].add(str(edge["profile_id"]))
    posts: dict[int, list[tuple[datetime, str | None]]] = defaultdict(list)
    found, _ = sources_service.posts_for_profiles(
        db_session=db_session, profile_ids=ids, purpose="locating"
    )
    for post in found:
        posts[post["profile_id"]].append((post["posted_at"], post["text"]))
    return [
        record(row, str(row["id"]), posts.get(row["id"], ()), friends.get(row["id"], ()))
        for row in rows
    ]


def score_profiles(
    *,
    db_session: Session,
    actor: str,
    profile_ids: Sequence[int] | None = None,
    as_of: date | None = None,
) -> ScoreSummary:
    """Score imported profiles (all, or only ``profile_ids``) against the whole corpus."""
    records = load_records(db_session=db_session)
    if profile_ids is not None:
        known = {r.key for r in records}
        missing = [p for p in profile_ids if str(p) not in known]
        if missing:
            raise NotFound(f"profile(s) {', '.join(map(str, missing))} not found")
    return score_records(
        db_session=db_session, records=records, actor=actor, as_of=as_of, only=profile_ids
    )
