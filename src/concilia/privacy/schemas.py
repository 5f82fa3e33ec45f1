"""Privacy's request and response shapes for the staff API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from concilia.privacy.contract import TableOutcome


class SubjectIn(BaseModel):
    """A data subject as the creditor knows them, and how the request came in."""

    model_config = ConfigDict(extra="forbid")

    creditor: str = Field(min_length=1, max_length=200)
    debtor_reference: str = Field(min_length=1, max_length=100)
    reason: str = Field(default="", max_length=500)


class ErasureIn(SubjectIn):
    """Art. 17 erasure, art. 18 restriction or art. 21 objection; a reason is required."""

    reason: str = Field(min_length=1, max_length=500)
    article: Literal["17", "18", "21"] = "17"


class RequestIn(SubjectIn):
    """A request as it came in; the month to answer runs from ``received_on``."""

    kind: Literal["access", "erasure", "restriction", "objection"]
    received_on: date | None = None


class RequestOut(BaseModel):
    """A tracked request with its one-month deadline."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    debtor_id: int
    received_at: datetime
    due_at: datetime
    status: str
    done_at: datetime | None
    handled_by: str
    outcome: dict[str, Any]


class ExportOut(BaseModel):
    """The access request's answer (the same document the command writes)."""

    request: RequestOut
    document: dict[str, Any]


class ErasureOut(BaseModel):
    """What each table did and kept, and why."""

    request: RequestOut
    tables: list[TableOutcome]


class PurgeIn(BaseModel):
    """One pass of the retention schedule."""

    model_config = ConfigDict(extra="forbid")

    dry_run: bool = True


class NoticeOut(BaseModel):
    """An art. 14 notice still owed."""

    model_config = ConfigDict(from_attributes=True)

    debtor_id: int
    first_use_at: datetime
    due_at: datetime
    lang: str


class ReadOut(BaseModel):
    """One logged read of a person's decrypted data."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    debtor_id: int
    what: str
    purpose: str
    via: str
    items: int


class ReadAlertOut(BaseModel):
    """A reader far above their usual daily number of people."""

    actor: str
    day: str
    people: int
    usual: float
    threshold: float
