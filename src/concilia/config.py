"""Settings in one place: every value can be overridden by a ``CONCILIA_*`` environment variable."""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def is_loopback(host: str) -> bool:
    """Whether a host name or address only reaches this machine."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _default_var_dir() -> Path:
    return Path(os.environ.get("CONCILIA_VAR_DIR", "var")).resolve()


class Settings(BaseSettings):
    """Runtime configuration; secrets are generated into ``var/`` on first run when not given."""

    model_config = SettingsConfigDict(env_prefix="CONCILIA_", extra="ignore")

    var_dir: Path = Field(default_factory=_default_var_dir)
    database_url: str = ""
    secret_key: SecretStr | None = None
    # 32 random bytes, URL-safe base64: AES-256-GCM for fields, HMAC-SHA256 for blind indexes.
    data_key: SecretStr | None = None
    session_cookie_name: str = "concilia_session"
    session_hours: int = 12
    # Secure cookies unless told otherwise, or unless the server listens on a loopback
    # address only (local development and `make demo` over plain http).
    cookie_secure: bool = True
    api_token_days: int = 90
    # Failed sign-ins (within login_window_minutes) allowed per (account, address) and,
    # times login_ip_factor, per address; past them the address waits
    # login_backoff_seconds, doubled at each further failure, at most the max.
    login_max_failures: int = 5
    login_ip_factor: int = 4
    login_backoff_seconds: int = 60
    login_backoff_max_minutes: int = 60
    login_window_minutes: int = 60
    # Request bodies: a small limit for everything; a route that takes files declares its own
    # larger limit through its router module's body_limits() (from its domain's settings).
    max_body_bytes: int = 1_048_576
    default_page_size: int = 50
    max_page_size: int = 500
    host: str = "127.0.0.1"
    port: int = 8000

    def model_post_init(self, __context: object) -> None:
        if "cookie_secure" not in self.model_fields_set and is_loopback(self.host):
            self.cookie_secure = False
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'concilia.db'}"

    def ensure_secrets(self) -> None:
        """Load or create the secret and data keys under ``var_dir`` (never committed)."""
        if self.secret_key is None:
            self.secret_key = SecretStr(self._key_file("secret.key"))
        if self.data_key is None:
            self.data_key = SecretStr(self._key_file("data.key"))

    def _key_file(self, name: str) -> str:
        path = self.var_dir / name
        if path.exists():
            return path.read_text().strip()
        # Keys and the embedded database live here: no other local account may list or read it.
        self.var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        # Exclusive create so two processes starting together cannot write different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(value + "\n")
        return value

    @property
    def data_key_bytes(self) -> bytes:
        self.ensure_secrets()
        assert self.data_key is not None
        raw = base64.urlsafe_b64decode(self.data_key.get_secret_value())
        if len(raw) != 32:
            raise ValueError("CONCILIA_DATA_KEY must be 32 bytes in URL-safe base64")
        return raw

    @property
    def secret_key_bytes(self) -> bytes:
        self.ensure_secrets()
        assert self.secret_key is not None
        return self.secret_key.get_secret_value().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests override by calling ``get_settings.cache_clear()``)."""
    settings = Settings()
    settings.ensure_secrets()
    return settings
