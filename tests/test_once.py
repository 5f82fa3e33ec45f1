"""@once builds a value one time however many threads ask for it at first."""

from __future__ import annotations

import threading
import time

import pytest

from concilia.once import once


def test_concurrent_first_calls_build_once_and_share_the_value() -> None:
    built: list[int] = []

    @once
    def model() -> list[int]:
        time.sleep(0.05)  # long enough for every thread below to miss at the same time
        built.append(1)
        return [len(built)]

    results: list[list[int]] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        results.append(model())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert built == [1]
    assert len(results) == 8 and all(r is results[0] for r in results)


def test_cache_clear_builds_again_and_a_failed_build_is_retried() -> None:
    calls: list[int] = []

    @once
    def flaky() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first build fails")
        return len(calls)

    with pytest.raises(RuntimeError):
        flaky()
    assert flaky() == 2 and flaky() == 2
    flaky.cache_clear()
    assert flaky() == 3


def test_a_started_server_keeps_what_it_loaded_out_of_later_collections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from fastapi.testclient import TestClient

    from concilia import once as once_module
    from concilia.app import create_app

    monkeypatch.setattr(once_module, "_settled", False)
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        with TestClient(create_app()):
            frozen_at_start = gc.get_freeze_count()
            # What a later @once builds joins them.
            built = once(lambda: [[n] for n in range(5000)])  # lists: tracked by the collector
            built()
            frozen_after_build = gc.get_freeze_count()
        assert frozen_at_start > 10_000  # the imported modules, the app, its routes
        assert frozen_after_build >= frozen_at_start + 5000
    finally:
        gc.unfreeze()
