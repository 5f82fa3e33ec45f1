"""Audit shapes for the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryOut(BaseModel):
    """One audit entry as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    change_digest: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class VerifyResult(BaseModel):
    """Outcome of walking the chain: ``ok`` or the first entry that does not fit."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str | None = None
