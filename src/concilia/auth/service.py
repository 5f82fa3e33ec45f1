"""The auth domain's door: users, teams, passwords, tokens, sessions, rate limiting."""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.auth import personal_data as personal_data
from concilia.auth.models import ApiToken, LoginAttempt, Team, User, WebSession
from concilia.auth.roles import Role
from concilia.auth.schemas import Principal
from concilia.config import get_settings
from concilia.db import utcnow
from concilia.errors import (
    ConciliaError,
    Conflict,
    InputProblem,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
)

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("concilia-timing-equaliser")
MIN_PASSWORD_LENGTH = 12


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def generate_password() -> str:
    """A random password for one-time use (printed once, never stored in clear)."""
    return secrets.token_urlsafe(18)


def hash_password(password: str) -> str:
    """Argon2id hash of a password that meets the length policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def get_team_by_name(*, db_session: Session, name: str) -> Team | None:
    """The team with this name, if any."""
    return db_session.scalar(select(Team).where(Team.name == name))


def get_or_create_team(*, db_session: Session, name: str, actor: str) -> Team:
    """The team with this name, created (and audited) when missing."""
    team = get_team_by_name(db_session=db_session, name=name)
    if team is None:
        team = Team(name=name, created_at=utcnow())
        db_session.add(team)
        db_session.flush()
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="auth.team_created",
            object_type="team",
            object_id=team.id,
            change={"name": name},
            detail={"name": name},
        )
    return team


def list_teams(*, db_session: Session) -> list[Team]:
    """All teams by name."""
    return list(db_session.scalars(select(Team).order_by(Team.name)))


def get_user(*, db_session: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = db_session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def get_user_by_username(*, db_session: Session, username: str) -> User | None:
    """The user with this username, if any."""
    return db_session.scalar(select(User).where(User.username == username))


def list_users(*, db_session: Session) -> list[User]:
    """All users by username."""
    return list(db_session.scalars(select(User).order_by(User.username)))


def is_active_team_member(*, db_session: Session, user_id: int, team_id: int) -> bool:
    """True when the user exists, is active and belongs to the team."""
    user = db_session.get(User, user_id)
    return user is not None and user.is_active and any(t.id == team_id for t in user.teams)


def create_user(
    *,
    db_session: Session,
    username: str,
    role: Role,
    actor: str,
    password: str | None = None,
    full_name: str = "",
    teams: list[str] | None = None,
) -> tuple[User, str | None]:
    """Create a user; without a password one is generated and returned once."""
    if get_user_by_username(db_session=db_session, username=username) is not None:
        raise Conflict(f"user {username!r} already exists")
    one_time = None
    if password is None:
        password = one_time = generate_password()
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=hash_password(password),
        is_active=True,
        must_change_password=one_time is not None,
        created_at=utcnow(),
        # A name given twice is one membership (the link table's key would refuse it).
        teams=[
            get_or_create_team(db_session=db_session, name=t, actor=actor)
            for t in dict.fromkeys(teams or [])
        ],
    )
    db_session.add(user)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="auth.user_created",
        object_type="user",
        object_id=user.id,
        change={"username": username, "role": role.value, "teams": sorted(teams or [])},
        detail={"username": username, "role": role.value},
    )
    return user, one_time


def update_user(
    *,
    db_session: Session,
    user_id: int,
    actor: str,
    full_name: str | None = None,
    role: Role | None = None,
    teams: list[str] | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a user's role, teams or status; deactivation ends their sessions and tokens."""
    user = get_user(db_session=db_session, user_id=user_id)
    change: dict[str, object] = {}
    if full_name is not None:
        user.full_name = full_name
        change["full_name"] = "changed"
    if role is not None and role != user.role:
        change["role"] = [user.role.value, role.value]
        user.role = role
    if teams is not None:
        user.teams = [
            get_or_create_team(db_session=db_session, name=t, actor=actor)
            for t in dict.fromkeys(teams)
        ]
        change["teams"] = sorted(teams)
    if is_active is not None and is_active != user.is_active:
        user.is_active = is_active
        change["is_active"] = is_active
        if not is_active:
            _revoke_all(db_session=db_session, user_id=user.id)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="auth.user_updated",
        object_type="user",
        object_id=user.id,
        change=change,
        detail={k: v for k, v in change.items() if k != "full_name"},
    )
    return user


UI_LANGUAGES = ("fr", "es", "en")


def set_language(*, db_session: Session, user_id: int, language: str | None, actor: str) -> User:
    """Set the UI language a user reads (None: follow the browser); audited."""
    if language is not None and language not in UI_LANGUAGES:
        raise InvalidInput(
            problems=[InputProblem("(form)", 0, "language", f"one of {', '.join(UI_LANGUAGES)}")]
        )
    user = get_user(db_session=db_session, user_id=user_id)
    if user.language != language:
        before, user.language = user.language, language
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="auth.language_set",
            object_type="user",
            object_id=user.id,
            change={"before": before, "after": language},
            detail={"before": before, "after": language},
        )
    return user


def change_password(*, db_session: Session, user: User, new_password: str, actor: str) -> None:
    """Replace a user's password; every session and token of theirs ends (audited, no hash)."""
    if _verifies(user.password_hash, new_password):
        raise ConciliaError("the new password must differ from the current one")
    try:
        user.password_hash = hash_password(new_password)
    except ValueError as exc:
        raise ConciliaError(str(exc)) from exc
    user.must_change_password = False
    _revoke_all(db_session=db_session, user_id=user.id)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="auth.password_changed",
        object_type="user",
        object_id=user.id,
        change={"password": "changed"},
    )


def reset_password(*, db_session: Session, username: str, actor: str) -> str:
    """Give a user a new one-time password (returned once) that must be changed at sign-in.

    Their sessions and tokens end at once. NotFound when there is no such user.
    """
    user = get_user_by_username(db_session=db_session, username=username)
    if user is None:
        raise NotFound(f"user {username!r} not found")
    one_time = generate_password()
    user.password_hash = hash_password(one_time)
    user.must_change_password = True
    _revoke_all(db_session=db_session, user_id=user.id)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=actor,
        action="auth.password_reset",
        object_type="user",
        object_id=user.id,
        change={"password": "reset", "must_change_password": True},
        detail={"username": username},
    )
    return one_time


def _revoke_all(*, db_session: Session, user_id: int) -> None:
    now = utcnow()
    for token in db_session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    for web in db_session.scalars(
        select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    ):
        web.revoked_at = now


def _failures(
    *, db_session: Session, since: datetime, username: str | None, ip: str
) -> tuple[int, datetime | None]:
    conditions = [LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > since]
    if username is not None:
        conditions.append(LoginAttempt.username == username)
    row = db_session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(*conditions)
    ).one()
    return int(row[0] or 0), row[1]


def _wait_left(count: int, last: datetime | None, threshold: int, now: datetime) -> timedelta:
    """Back-off: past the threshold each failure doubles the wait, up to the cap."""
    settings = get_settings()
    if count < threshold or last is None:
        return timedelta(0)
    seconds = settings.login_backoff_seconds * 2 ** min(count - threshold, 30)
    wait = min(timedelta(seconds=seconds), timedelta(minutes=settings.login_backoff_max_minutes))
    return max(timedelta(0), last + wait - now)


def _check_rate_limit(*, db_session: Session, username: str, ip: str) -> None:
    """Refuse a sign-in from an address that failed too often, for this account or any.

    Failures count per (account, address) and per address only, never per account alone:
    someone guessing from elsewhere cannot lock the real user out. A success from an address
    clears that address's count for the account, not the address's overall count.
    """
    settings = get_settings()
    now = utcnow()
    since = now - timedelta(minutes=settings.login_window_minutes)
    last_success = db_session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.success.is_(True),
        )
    )
    pair_since = max(since, last_success) if last_success else since
    pair = _failures(db_session=db_session, since=pair_since, username=username, ip=ip)
    by_ip = _failures(db_session=db_session, since=since, username=None, ip=ip)
    wait = max(
        _wait_left(*pair, settings.login_max_failures, now),
        _wait_left(*by_ip, settings.login_max_failures * settings.login_ip_factor, now),
    )
    if wait > timedelta(0):
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        unit = "minute" if minutes == 1 else "minutes"
        raise TooManyRequests(f"too many failed sign-ins; try again in {minutes} {unit}")


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(*, db_session: Session, username: str, password: str, ip: str) -> User:
    """Check a password under the rate limit; every attempt is recorded.

    Web sign-in and API tokens both come here, so they share one rule and one message.
    """
    _check_rate_limit(db_session=db_session, username=username, ip=ip)
    user = get_user_by_username(db_session=db_session, username=username)
    ok = _verifies(user.password_hash if user else _DUMMY_HASH, password)
    ok = ok and user is not None and user.is_active
    db_session.add(LoginAttempt(username=username, ip=ip[:64], at=utcnow(), success=ok))
    db_session.flush()
    if not ok or user is None:
        raise Unauthorized("wrong username or password")
    return user


def principal_for(user: User, via: str) -> Principal:
    """The request principal for a user."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        team_ids=frozenset(t.id for t in user.teams),
        via=via,
    )


def create_token(
    *, db_session: Session, user_id: int, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a bearer token; the clear value is returned once and only its hash is kept."""
    user = get_user(db_session=db_session, user_id=user_id)
    clear = "cnc_" + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=clear[:12],
        token_hash=_sha256(clear),
        created_at=now,
        expires_at=now + timedelta(days=days or get_settings().api_token_days),
    )
    db_session.add(token)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=f"user:{user.username}",
        action="auth.token_created",
        object_type="api_token",
        object_id=token.id,
        change={"user_id": user.id, "name": name, "prefix": token.prefix},
        detail={"prefix": token.prefix},
    )
    return token, clear


def list_tokens(*, db_session: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first."""
    return list(
        db_session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_token(*, db_session: Session, principal: Principal, token_id: int) -> ApiToken:
    """Revoke one of the principal's tokens (admins may revoke anyone's)."""
    token = db_session.get(ApiToken, token_id)
    if token is None or (token.user_id != principal.user_id and principal.role != Role.admin):
        raise NotFound(f"token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit_service.record(
            db_session=db_session,
            actor=principal.actor,
            action="auth.token_revoked",
            object_type="api_token",
            object_id=token.id,
            change={"revoked_at": token.revoked_at.isoformat()},
        )
    return token


# A token's last use is a hint for its owner ("unused for months: revoke it"), not an audit
# record: it is written at most once a minute, outside the request's transaction.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
_touched: dict[str, float] = {}
_touched_lock = threading.Lock()


def live_token(*, db_session: Session, clear: str) -> tuple[ApiToken, User] | None:
    """The unexpired, unrevoked token with this clear value and its active user, or None."""
    token = db_session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(clear)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    user = db_session.get(User, token.user_id)
    if user is None or not user.is_active or user.must_change_password:
        return None
    return token, user


def principal_from_token(*, db_session: Session, clear: str) -> Principal | None:
    """The principal behind a live bearer token, or None; reads only."""
    found = live_token(db_session=db_session, clear=clear)
    return principal_for(found[1], "token") if found else None


def claim_token_touch(token: ApiToken) -> bool:
    """Whether this process should record the token's use now (at most once an interval).

    The claim is taken before the write so that concurrent requests with the same token do
    not all queue for the database's write lock.
    """
    now = time.monotonic()
    if token.last_used_at is not None and utcnow() - token.last_used_at < TOKEN_TOUCH_INTERVAL:
        return False
    with _touched_lock:
        last = _touched.get(token.token_hash)
        if last is not None and now - last < TOKEN_TOUCH_INTERVAL.total_seconds():
            return False
        _touched[token.token_hash] = now
    return True


def forget_token_touches() -> None:
    """Forget this process's touch claims (tests, or after the clock jumps)."""
    with _touched_lock:
        _touched.clear()


def touch_token(*, db_session: Session, token_id: int) -> None:
    """Record that a token was used now, unless another process did so within the interval."""
    now = utcnow()
    db_session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < now - TOKEN_TOUCH_INTERVAL,
            ),
        )
        .values(last_used_at=now)
    )


def create_web_session(*, db_session: Session, user: User) -> tuple[WebSession, str]:
    """Start a browser session; returns the row and the cookie value (shown once)."""
    clear = secrets.token_urlsafe(32)
    now = utcnow()
    web = WebSession(
        user_id=user.id,
        token_hash=_sha256(clear),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + timedelta(hours=get_settings().session_hours),
    )
    db_session.add(web)
    db_session.flush()
    audit_service.record(
        db_session=db_session,
        actor=f"user:{user.username}",
        action="auth.signed_in",
        object_type="user",
        object_id=user.id,
        change={"web_session": web.id},
    )
    return web, clear


def get_web_session(
    *, db_session: Session, clear: str, pending_ok: bool = False
) -> tuple[WebSession, User] | None:
    """The live session and its user for a cookie value, or None.

    A user who must still replace a one-time password has no usable session: only the
    password page and sign-out pass ``pending_ok=True`` to see it.
    """
    web = db_session.scalar(select(WebSession).where(WebSession.token_hash == _sha256(clear)))
    if web is None or web.revoked_at is not None or web.expires_at <= utcnow():
        return None
    user = db_session.get(User, web.user_id)
    if user is None or not user.is_active:
        return None
    if user.must_change_password and not pending_ok:
        return None
    return web, user


def end_web_session(*, db_session: Session, clear: str) -> None:
    """Sign a browser out (also a session still waiting for a password change)."""
    found = get_web_session(db_session=db_session, clear=clear, pending_ok=True)
    if found is None:
        return
    web, user = found
    web.revoked_at = utcnow()
    audit_service.record(
        db_session=db_session,
        actor=f"user:{user.username}",
        action="auth.signed_out",
        object_type="user",
        object_id=user.id,
        change={"web_session": web.id},
    )


def team_scope(principal: Principal) -> frozenset[int] | None:
    """Team ids whose cases the principal may see, or None for every team."""
    return None if principal.sees_all_teams else principal.team_ids
