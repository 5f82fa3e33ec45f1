"""Run a job as a worker: one pass, or a pass every N seconds until stopped.

Generic (it knows nothing of outreach): the outbox uses it, and so can reply ingestion, the
strategy scheduler or the privacy purge. Many copies of a worker may run at once on
PostgreSQL; two tools keep them from doing the same work twice:

- :func:`claim_rows`: ``SELECT ... FOR UPDATE SKIP LOCKED``, so each worker takes rows the
  others have not locked (the rows then carry a lease that runs out if the worker dies);
- :func:`exclusive`: a transaction-scoped advisory lock for a pass that only one worker
  may run at a time (polling a provider, a nightly purge); it is released when the
  transaction ends or the worker's connection drops.

On SQLite (one writer at a time) both degrade to the write lock the caller takes with
:func:`concilia.db.begin_write`, which is correct for one or several local processes.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Mapping
from datetime import datetime
from types import FrameType
from typing import Any, TypeVar

from sqlalchemy import Select, text
from sqlalchemy.orm import Session

from concilia.db import utcnow

T = TypeVar("T")


def worker_id() -> str:
    """This worker's name in leases: host, process and a random part (pids are reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def claim_rows(db_session: Session, query: Select[T]) -> list[T]:
    """Rows of ``query`` locked for this transaction, skipping rows another worker holds."""
    return list(db_session.scalars(query.with_for_update(skip_locked=True)))


def exclusive(db_session: Session, name: str) -> bool:
    """Whether this transaction may run the pass called ``name`` (False: another worker is).

    PostgreSQL: ``pg_try_advisory_xact_lock``; elsewhere True (the caller's write lock
    already serialises writers).
    """
    if db_session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"concilia:{name}".encode())
    return bool(db_session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))


class _Stopped(Exception):
    """Raised out of the sleep between passes when a stop signal arrives."""


class Stopper:
    """SIGTERM/SIGINT let the pass in flight finish, then stop the loop (or wake its sleep)."""

    def __init__(self) -> None:
        self.stopping = False
        self.sleeping = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
        if self.sleeping:
            raise _Stopped

    def install(self) -> None:
        # Signal handlers can only be set from the main thread (tests call from others).
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self)


def run_every(
    one_pass: Callable[[datetime], Mapping[str, Any]],
    *,
    every: float,
    emit: Callable[[Mapping[str, Any]], None],
    now: datetime | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """Run ``one_pass(now)`` once (``every`` 0) or every ``every`` seconds until stopped;
    returns the number of passes. Each report goes to ``emit``.

    A pass that raises is reported on standard error and the loop goes on: its transaction
    was rolled back and its claims expire, so the next pass (here or in another worker)
    takes the work over. With ``every`` 0 the error propagates (one-shot runs must fail).
    """
    stopper = Stopper()
    stopper.install()
    passes = 0
    at = now or clock()
    while True:
        try:
            report = one_pass(at)
        except Exception as exc:
            if not every:
                raise
            print(f"worker: pass failed, retried next time: {exc!r}", file=sys.stderr)
        else:
            emit(report)
        passes += 1
        if not every or stopper.stopping:
            return passes
        stopper.sleeping = True
        try:
            time.sleep(every)
        except _Stopped:
            return passes
        finally:
            stopper.sleeping = False
        if stopper.stopping:
            return passes
        at = clock()
