"""Domain errors, turned into ``application/problem+json`` responses by the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class ConciliaError(Exception):
    """Base class: ``status`` and ``title`` map to an RFC 9457 problem document."""

    status = 400
    title = "Bad request"
    # What must be written even though the unit of work that raised this is rolled back
    # (e.g. the audit entry of a refusal); called with a fresh session, then committed.
    after_rollback: Callable[[Any], None] | None = None

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


def write_after_rollback(exc: BaseException, session: Any) -> None:
    """Run ``exc.after_rollback`` in ``session`` (already rolled back) and commit it."""
    hook = exc.after_rollback if isinstance(exc, ConciliaError) else None
    if hook is None:
        return
    hook(session)
    session.commit()


class NotFound(ConciliaError):
    status = 404
    title = "Not found"


class Conflict(ConciliaError):
    status = 409
    title = "Conflict"


class Forbidden(ConciliaError):
    status = 403
    title = "Forbidden"


class Unauthorized(ConciliaError):
    status = 401
    title = "Not authenticated"


class PayloadTooLarge(ConciliaError):
    status = 413
    title = "Payload too large"


class TooManyRequests(ConciliaError):
    status = 429
    title = "Too many requests"


@dataclass(frozen=True)
class InputProblem:
    """One bad value in an input file: where it is and why it is refused."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: column {self.field}: {self.reason}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "field": self.field, "reason": self.reason}


@dataclass
class InvalidInput(ConciliaError):
    """An input file has bad rows; nothing was written."""

    problems: list[InputProblem] = field(default_factory=list)
    status = 422
    title = "Invalid input"

    def __post_init__(self) -> None:
        count = len(self.problems)
        super().__init__(f"{count} bad row(s); nothing was written")


def problem_responses(*errors: type[ConciliaError]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that answers these errors beyond what its shape implies
    (see ``concilia.openapi``): e.g. a 404 for an id read from the body."""
    return {error.status: {"description": error.title} for error in errors}
