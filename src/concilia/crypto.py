"""Field encryption (AES-256-GCM) and keyed blind indexes for exact look-ups on encrypted data."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from concilia.config import get_settings

_VERSION = b"\x01"


def _keys(key: bytes | None) -> tuple[bytes, bytes]:
    return _derive(key if key is not None else get_settings().data_key_bytes)


@lru_cache(maxsize=8)
def _derive(master: bytes) -> tuple[bytes, bytes]:
    # Separate sub-keys so the blind index never reuses the encryption key; cached because
    # bulk imports encrypt hundreds of thousands of fields with the same master key.
    enc = hmac.new(master, b"concilia/field-encryption", hashlib.sha256).digest()
    idx = hmac.new(master, b"concilia/blind-index", hashlib.sha256).digest()
    return enc, idx


def encrypt(plaintext: str, *, context: str, key: bytes | None = None) -> str:
    """Encrypt a value; ``context`` (e.g. ``"debtor.dob"``) is bound as associated data."""
    enc_key, _ = _keys(key)
    nonce = os.urandom(12)
    sealed = AESGCM(enc_key).encrypt(nonce, plaintext.encode(), context.encode())
    return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode()


def decrypt(token: str, *, context: str, key: bytes | None = None) -> str:
    """Decrypt a value produced by :func:`encrypt` with the same context."""
    enc_key, _ = _keys(key)
    raw = base64.urlsafe_b64decode(token.encode())
    if raw[:1] != _VERSION:
        raise ValueError("unknown ciphertext version")
    nonce, sealed = raw[1:13], raw[13:]
    return AESGCM(enc_key).decrypt(nonce, sealed, context.encode()).decode()


def normalise_for_index(value: str) -> str:
    """Canonical form used before hashing, so look-ups ignore case and spacing."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def blind_index(value: str, *, context: str, key: bytes | None = None) -> str:
    """A keyed hash of the normalised value: equal inputs give equal indexes, nothing leaks."""
    _, idx_key = _keys(key)
    message = context.encode() + b"\x00" + normalise_for_index(value).encode()
    return hmac.new(idx_key, message, hashlib.sha256).hexdigest()


def same_secret(expected: str, given: str) -> bool:
    """Constant-time comparison of two secrets given as text (signatures, tokens).

    ``hmac.compare_digest`` refuses ``str`` with non-ASCII characters (TypeError): a request
    header or path can carry any, so both sides are compared as UTF-8 bytes."""
    return hmac.compare_digest(expected.encode(), given.encode())
