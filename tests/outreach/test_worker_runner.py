"""The generic worker runner: passes, stop, failures, and the one-at-a-time lock."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from concilia.outreach import worker
from tests.conftest import BACKENDS, drop_test_engine, make_test_engine


def test_one_pass_then_every_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[datetime] = []
    reports: list[Any] = []
    t0 = datetime(2026, 11, 24, 12, tzinfo=UTC)

    def one(at: datetime) -> dict[str, int]:
        seen.append(at)
        return {"n": len(seen)}

    assert worker.run_every(one, every=0, emit=reports.append, now=t0) == 1
    assert seen == [t0] and reports == [{"n": 1}]

    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", nap)
    calls = iter(range(10))

    def flaky(at: datetime) -> dict[str, int]:
        n = next(calls)
        if n == 1:
            raise RuntimeError("database went away")
        return {"pass": n}

    reports.clear()
    with pytest.raises(KeyboardInterrupt):
        worker.run_every(flaky, every=5, emit=reports.append)
    # The failed pass is reported on stderr and the loop goes on.
    assert reports == [{"pass": 0}, {"pass": 2}] and naps == [5, 5, 5]

    def broken(at: datetime) -> dict[str, int]:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):  # a one-shot run must fail loudly
        worker.run_every(broken, every=0, emit=reports.append)


def test_sigterm_handler_stops_after_the_pass() -> None:
    stopper = worker.Stopper()
    stopper(15, None)
    assert stopper.stopping
    stopper.sleeping = True
    with pytest.raises(worker._Stopped):  # wakes the sleep between passes at once
        stopper(15, None)


@pytest.mark.parametrize("backend", BACKENDS)
def test_exclusive_lets_one_worker_run_a_pass(backend: str, tmp_path: Path) -> None:
    engine, schema = make_test_engine(backend, tmp_path, create_tables=False)
    try:
        factory = sessionmaker(bind=engine)
        first: Session = factory()
        second: Session = factory()
        assert worker.exclusive(first, "purge")
        if backend == "postgresql":
            assert not worker.exclusive(second, "purge")  # held by the first transaction
            assert worker.exclusive(second, "other-job")
            first.commit()  # the lock ends with the transaction
            second.rollback()
            assert worker.exclusive(second, "purge")
        first.close()
        second.close()
    finally:
        drop_test_engine(engine, schema)


def test_worker_ids_differ() -> None:
    assert worker.worker_id() != worker.worker_id()
