"""Settings in one place: every value can be overridden by a ``CONCILIA_*`` environment variable."""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    cookie_secure: bool = False
    api_token_days: int = 90
    login_max_failures: int = 5
    login_window_minutes: int = 15
    default_page_size: int = 50
    max_page_size: int = 500
    host: str = "127.0.0.1"
    port: int = 8000

    def model_post_init(self, __context: object) -> None:
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
        self.var_dir.mkdir(parents=True, exist_ok=True)
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
