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
