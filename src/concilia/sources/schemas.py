"""Shapes of the JSON Lines items (docs/source-format.md), of source declarations and of the API."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)


class ItemKind(StrEnum):
    """What a JSON Lines file holds."""

    profiles = "profiles"
    friends = "friends"
    posts = "posts"
    mentions = "mentions"


class SourceKind(StrEnum):
    """How a source's items reach us (never a scraper)."""

    platform_api = "platform_api"
    platform_export = "platform_export"
    data_provider = "data_provider"
    manual_capture = "manual_capture"


class Purpose(StrEnum):
    """What an item may be used for, as the platform's terms bind us."""

    locating = "locating"
    contact = "contact"
    credit_assessment = "credit_assessment"
    reputation = "reputation"


# Defaults when a declaration leaves a kind out. 90 days for posts comes from the issue; the
# others stay well under the 5 years CNIL found excessive in SAN-2024-020.
DEFAULT_RETENTION_DAYS: dict[str, int] = {
    "profiles": 180,
    "friends": 90,
    "posts": 90,
    "mentions": 365,
}

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text300 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
OptText300 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None
NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,99}$"
MMDD_PATTERN = r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"

# GDPR art. 6(1) bases; legitimate interest must name its balancing test (6(1)(f), CNIL 2024).
_LEGAL_BASIS = re.compile(
    r"^(consent|contract|legal_obligation|vital_interests|public_task|legitimate_interest)"
    r"(:[A-Za-z0-9_.\-/]{1,150})?$"
)
_CAPTURED_BY = re.compile(r"^(connector|agent):[A-Za-z0-9_.@\-]{1,150}$")


def check_legal_basis(value: str) -> str:
    """A GDPR art. 6(1) basis; ``legitimate_interest`` must carry its balancing-test reference."""
    value = value.strip()
    if not _LEGAL_BASIS.match(value):
        raise ValueError(
            "expected an art. 6(1) basis such as 'legitimate_interest:LIA-2026-01' "
            "(consent, contract, legal_obligation, vital_interests, public_task, "
            "legitimate_interest)"
        )
    if value == "legitimate_interest":
        raise ValueError(
            "legitimate_interest needs the reference of its balancing test, "
            "e.g. 'legitimate_interest:LIA-2026-01'"
        )
    return value


def check_url(value: str) -> str:
    """An http(s) URL where the item can be seen."""
    value = value.strip()
    if not value.startswith(("https://", "http://")) or len(value) > 1000 or " " in value:
        raise ValueError("expected the public http(s) URL where the item can be seen")
    return value


URL_PATTERN = r"^https?://\S{1,990}$"
CAPTURED_BY_PATTERN = r"^(connector|agent):[A-Za-z0-9_.@\-]{1,150}$"
LEGAL_BASIS_PATTERN = (
    r"^((consent|contract|legal_obligation|vital_interests|public_task)(:[A-Za-z0-9_.\-/]{1,150})?"
    r"|legitimate_interest:[A-Za-z0-9_.\-/]{1,150})$"
)
# What a pattern mismatch means, per field (pydantic's own message only shows the regex).
PATTERN_REASONS = {
    "provenance.url": "expected the public http(s) URL where the item can be seen",
    "provenance.captured_by": "expected 'connector:NAME' or 'agent:USERNAME'",
    "provenance.legal_basis": (
        "expected a GDPR art. 6(1) basis; legitimate_interest needs the reference of its "
        "balancing test, e.g. 'legitimate_interest:LIA-2026-01'"
    ),
    "birthday": "expected day and month only, as MM-DD",
    "photo_hash": "expected a hexadecimal hash",
}


class Provenance(BaseModel):
    """Where, when, by whom and on what legal basis an item was captured.

    Checked with patterns (compiled once, run in pydantic-core) rather than Python
    validators: this runs twice per line of million-line files.
    """

    model_config = ConfigDict(extra="ignore")

    url: Annotated[str, StringConstraints(pattern=URL_PATTERN)]
    captured_at: AwareDatetime
    captured_by: Annotated[str, StringConstraints(pattern=CAPTURED_BY_PATTERN)]
    legal_basis: Annotated[str, StringConstraints(pattern=LEGAL_BASIS_PATTERN)]


class _Item(BaseModel):
    # Unknown fields are dropped, never stored: minimisation by construction.
    model_config = ConfigDict(extra="ignore")

    source: str | None = None
    visibility: str
    provenance: Provenance
    external_id: Text200


Count = Annotated[int, Field(ge=0)] | None
StrList = list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]]


class ProfileItem(_Item):
    """One line of ``profiles.jsonl``."""

    network: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    display_name: Text300
    handle: OptText300 = None
    city: OptText300 = None
    country: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] | None = None
    employer: OptText300 = None
    job_title: OptText300 = None
    school: OptText300 = None
    birthday: (
        Annotated[str, StringConstraints(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")] | None
    ) = None
    bio: Annotated[str, StringConstraints(max_length=5000)] | None = None
    photo_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{1,64}$")] | None = None
    created_at: date | None = None
    friends_count: Count = None
    followers_count: Count = None
    following_count: Count = None
    posts_count: Count = None
    privacy: Literal["public", "partial"] = "public"
    language: Annotated[str, StringConstraints(max_length=10)] | None = None
    phones: StrList = Field(default_factory=list)
    emails: StrList = Field(default_factory=list)


class FriendItem(_Item):
    """One line of ``friends.jsonl``: a public edge between two profiles of the source."""

    profile_id: Text200
    friend_id: Text200
    kind: Literal["friend", "follows"] = "friend"


class PostItem(_Item):
    """One line of ``posts.jsonl``."""

    profile_id: Text200
    created_at: datetime
    text: Annotated[str, StringConstraints(max_length=20_000)]
    language: Annotated[str, StringConstraints(max_length=10)] | None = None
    hashtags: StrList = Field(default_factory=list)
    reply_to: Annotated[str, StringConstraints(max_length=200)] | None = None


class MentionItem(_Item):
    """One line of ``mentions.jsonl``."""

    author_handle: Text300
    network: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)]
    created_at: datetime
    text: Annotated[str, StringConstraints(max_length=20_000)]
    agency: OptText300 = None
    language: Annotated[str, StringConstraints(max_length=10)] | None = None
    url: str | None = None


ITEM_SCHEMAS: dict[ItemKind, type[_Item]] = {
    ItemKind.profiles: ProfileItem,
    ItemKind.friends: FriendItem,
    ItemKind.posts: PostItem,
    ItemKind.mentions: MentionItem,
}


class SourceDeclaration(BaseModel):
    """A source declared as data (``concilia sources add`` or a YAML file)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
    kind: SourceKind
    platform: Annotated[str, StringConstraints(max_length=50)] | None = None
    allowed_purposes: list[Purpose] = Field(default_factory=list)
    automated_messaging: bool = False
    retention_days: dict[ItemKind, Annotated[int, Field(ge=1, le=3650)]] = Field(
        default_factory=dict
    )
    terms_url: str | None = Field(None, max_length=500)
    notes: str = Field("", max_length=5000)

    @field_validator("terms_url")
    @classmethod
    def _terms(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    def full_retention(self) -> dict[str, int]:
        """Retention per item kind, defaults filled in."""
        out = dict(DEFAULT_RETENTION_DAYS)
        out.update({k.value: v for k, v in self.retention_days.items()})
        return out


class SourceOut(BaseModel):
    """A declared source as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    platform: str | None
    allowed_purposes: list[str]
    automated_messaging: bool
    retention_days: dict[str, int]
    terms_url: str | None
    notes: str
    declared_at: datetime
    declared_by: str
    active: bool


class ManualCaptureIn(BaseModel):
    """A profile an agent looked at by hand: its URL, what it shows publicly, the legal basis."""

    model_config = ConfigDict(extra="forbid")

    source: Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
    kind: Literal["profile"] = "profile"
    url: str = Field(max_length=1000)
    legal_basis: str = Field(max_length=200)
    visibility: str = Field(max_length=50)
    fields: dict[str, Any]

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("legal_basis")
    @classmethod
    def _basis(cls, value: str) -> str:
        return check_legal_basis(value)


class ProfileOut(BaseModel):
    """A public profile with its provenance and published contacts."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    external_id: str
    network: str
    display_name: str
    handle: str | None
    city: str | None
    country: str | None
    employer: str | None
    job_title: str | None
    school: str | None
    birthday: str | None
    bio: str | None
    photo_hash: str | None
    account_created: date | None
    friends_count: int | None
    followers_count: int | None
    following_count: int | None
    posts_count: int | None
    privacy: str
    language: str | None
    phones: list[str]
    emails: list[str]
    url: str
    captured_at: datetime
    captured_by: str
    legal_basis: str
    retain_until: datetime


class CaptureOut(BaseModel):
    """What a manual capture did."""

    profile_id: int
    outcome: Literal["created", "updated", "unchanged"]
    retain_until: datetime
