"""The audit chain's key, kept apart from the database.

Each entry's hash is an HMAC-SHA256 under this key, so someone who can write to the database
but does not hold the key cannot alter an entry and recompute the chain: `concilia audit
verify` (which holds the key) finds the entry altered. The key is ``CONCILIA_AUDIT_KEY``
(32 bytes, URL-safe base64) or else the file ``audit.key`` in the var directory, created on
first use (mode 0600). Keep it off the database host's backups of the database, and back it
up on its own: without it the chain cannot be verified.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from concilia.config import get_settings

KEY_FILE = "audit.key"
ENV_VAR = "CONCILIA_AUDIT_KEY"

_cache: dict[tuple[str, str], bytes] = {}


def _decode(text: str, where: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip())
    except ValueError as exc:
        raise ValueError(f"{where}: the audit key is not URL-safe base64") from exc
    if len(raw) != 32:
        raise ValueError(f"{where}: the audit key must be 32 bytes (URL-safe base64)")
    return raw


def _load_or_create(path: Path) -> bytes:
    if path.exists():
        return _decode(path.read_text(), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    # Exclusive create: two processes starting together must not write different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _decode(path.read_text(), str(path))
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    return _decode(text, str(path))


def audit_key() -> bytes:
    """The 32-byte key of the audit chain (from the environment, or the var directory)."""
    from_env = os.environ.get(ENV_VAR, "")
    path = get_settings().var_dir / KEY_FILE
    cache_key = (str(path), from_env)
    if cache_key not in _cache:
        _cache[cache_key] = _decode(from_env, ENV_VAR) if from_env else _load_or_create(path)
    return _cache[cache_key]
