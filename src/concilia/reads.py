"""Who looked, for the domains that come before privacy.

Every read of a person's decrypted data is logged (GDPR art. 5(2), the issue's "who
looked"). The log and its rules belong to privacy, which depends on portfolio, tracing,
signals and portal; those domains' staff routes record their reads through this hook,
which privacy fills when it is imported (the app and the CLI import every domain).
A read with no log registered is refused rather than left unrecorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

Via = Literal["page", "api", "command"]


class StaffReadLog(Protocol):
    """Privacy's writer: one INSERT per call, in the caller's transaction."""

    def __call__(
        self,
        *,
        db_session: Session,
        principal: Any,
        what: str,
        via: Via,
        debtor_ids: Iterable[int] = (),
        case_ids: Iterable[int] = (),
    ) -> int: ...


_log: StaffReadLog | None = None


class NoReadLog(RuntimeError):
    """Personal data was about to be shown with nothing to record who read it."""


def register(log: StaffReadLog) -> None:
    """Install the writer (privacy does it once, at import)."""
    global _log
    _log = log


def record_staff_read(
    *,
    db_session: Session,
    principal: Any,
    what: str,
    via: Via = "api",
    debtor_ids: Iterable[int] = (),
    case_ids: Iterable[int] = (),
) -> int:
    """Log that this staff member read these people (or the debtors of these cases)."""
    if _log is None:
        raise NoReadLog("the privacy domain is not loaded: reads cannot be logged")
    return _log(
        db_session=db_session,
        principal=principal,
        what=what,
        via=via,
        debtor_ids=debtor_ids,
        case_ids=case_ids,
    )
