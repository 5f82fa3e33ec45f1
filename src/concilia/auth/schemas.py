"""Auth shapes for the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from concilia.auth.roles import Role


@dataclass(frozen=True)
class Principal:
    """Who is making a request, resolved once per request."""

    user_id: int
    username: str
    role: Role
    team_ids: frozenset[int]
    via: str  # "token" or "session"

    @property
    def sees_all_teams(self) -> bool:
        """Admins, compliance officers and auditors oversee every team's cases."""
        return self.role in (Role.admin, Role.compliance_officer, Role.auditor)

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        return f"user:{self.username}"


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


# Bounds match the columns; a password is hashed, so its bound only caps the hashing work.
USERNAME_MAX = 100
PASSWORD_MAX = 1024
TeamName = Annotated[str, Field(min_length=1, max_length=100)]


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=USERNAME_MAX, pattern=r"^[A-Za-z0-9_.@-]+$")
    full_name: str = Field("", max_length=200)
    role: Role
    teams: list[TeamName] = Field(default_factory=list, max_length=100)
    password: str | None = Field(default=None, min_length=12, max_length=PASSWORD_MAX)


class UserUpdate(BaseModel):
    full_name: str | None = Field(None, max_length=200)
    role: Role | None = None
    teams: list[TeamName] | None = Field(None, max_length=100)
    is_active: bool | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    role: Role
    is_active: bool
    teams: list[TeamOut]


class UserCreated(UserOut):
    one_time_password: str | None = None


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=USERNAME_MAX)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    token_name: str = Field("api", min_length=1, max_length=100)


class PasswordChangeIn(BaseModel):
    username: str = Field(min_length=1, max_length=USERNAME_MAX)
    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX)
    new_password: str = Field(min_length=12, max_length=PASSWORD_MAX)


class CsrfOut(BaseModel):
    csrf_token: str


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    token: str
