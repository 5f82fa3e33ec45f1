"""Portal secrets in use: link tokens, CSRF values, one-time codes, keyed hashes.

Everything is keyed from the app's secret key (config), each use with its own label so a
value made for one purpose is worthless for another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from datetime import UTC, datetime

from concilia import crypto
from concilia.config import get_settings

# 12 bytes of payload + 13 of tag = 25 bytes = exactly 40 base32 characters: no padding
# bits, so each token has one spelling (a flipped last letter cannot decode to the same).
_LINK_TAG_BYTES = 13
_LINK_PAYLOAD = struct.Struct(">QI")  # case id, expiry as Unix seconds


def _mac(label: str, message: bytes) -> bytes:
    key = hmac.new(
        get_settings().secret_key_bytes, b"concilia/portal/" + label.encode(), hashlib.sha256
    ).digest()
    return hmac.new(key, message, hashlib.sha256).digest()


def make_link_token(*, case_id: int, expires_at: datetime) -> str:
    """A signed token for one case until ``expires_at``: lower-case base32, no debt detail."""
    payload = _LINK_PAYLOAD.pack(case_id, int(expires_at.timestamp()))
    raw = payload + _mac("link", payload)[:_LINK_TAG_BYTES]
    # One letter case only: survives SMS apps, e-mail clients and people who retype links.
    return base64.b32encode(raw).decode().rstrip("=").lower()


def read_link_token(token: str, *, now: datetime) -> int | None:
    """The case id of a valid, unexpired link token; None for anything else."""
    text = token.strip().upper()
    if len(text) != 40:
        return None
    try:
        raw = base64.b32decode(text)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _LINK_PAYLOAD.size + _LINK_TAG_BYTES:
        return None
    payload, tag = raw[: _LINK_PAYLOAD.size], raw[_LINK_PAYLOAD.size :]
    if not hmac.compare_digest(tag, _mac("link", payload)[:_LINK_TAG_BYTES]):
        return None
    case_id, expires = _LINK_PAYLOAD.unpack(payload)
    if datetime.fromtimestamp(expires, UTC) <= now:
        return None
    return int(case_id)


def new_secret() -> str:
    """A random cookie value."""
    return secrets.token_urlsafe(32)


def digest(clear: str) -> str:
    """What is stored for a cookie value (never the value itself)."""
    return hashlib.sha256(clear.encode()).hexdigest()


def csrf_for(cookie_value: str) -> str:
    """The CSRF value bound to a browser's portal cookie (flow or session)."""
    return _mac("csrf", cookie_value.encode()).hex()[:40]


def csrf_ok(cookie_value: str | None, sent: str | None) -> bool:
    """Does the form's (or header's) CSRF value belong to this cookie?"""
    if not cookie_value or not sent:
        return False
    return hmac.compare_digest(csrf_for(cookie_value), sent)


def new_otp() -> str:
    """Six digits, uniformly drawn."""
    return f"{secrets.randbelow(1_000_000):06d}"


def otp_hash(flow_hash: str, code: str) -> str:
    """The stored form of a one-time code, bound to its flow."""
    return _mac("otp", f"{flow_hash}|{code}".encode()).hex()


def normalise_message_code(code: str) -> str:
    """Codes are typed in any case, with or without the dash or spaces."""
    text = "".join(c for c in code.upper() if c.isalnum())
    return f"{text[:4]}-{text[4:]}" if len(text) == 8 else text


def reference_key(reference: str) -> str:
    """Keyed hash of an account reference, spacing and dashes ignored."""
    compact = "".join(c for c in reference if c.isalnum())
    return crypto.blind_index(compact, context="portal.reference")


def ip_key(ip: str) -> str:
    """Keyed hash of a client address: counted, never stored."""
    return crypto.blind_index(ip, context="portal.ip")


def seen_value(session_cookie: str, at: datetime) -> str:
    """The signed "last active" cookie of a session: when, bound to that session's cookie."""
    stamp = int(at.timestamp())
    return f"{stamp}.{_mac('seen', f'{session_cookie}|{stamp}'.encode()).hex()[:32]}"


def seen_at(session_cookie: str, value: str | None) -> datetime | None:
    """When the session was last active, from its signed cookie; None if absent or forged."""
    stamp, _, tag = (value or "").partition(".")
    if not stamp.isdigit() or len(stamp) > 12:
        return None
    expected = seen_value(session_cookie, datetime.fromtimestamp(int(stamp), UTC))
    if not hmac.compare_digest(expected, f"{stamp}.{tag}"):
        return None
    return datetime.fromtimestamp(int(stamp), UTC)


def csrf_ok_exact(expected: str, sent: str) -> bool:
    """Constant-time comparison of a stored CSRF value with the one sent."""
    return hmac.compare_digest(expected, sent)
