"""``@once``: a value built on first use, by one thread, while the others wait for it.

``functools.lru_cache`` lets every thread that misses build the value at the same time: a
new server's first concurrent requests each trained or loaded their own copy of a model
(seconds of CPU each, all behind one GIL), and the requests behind them timed out.

A server process also keeps what it built out of the garbage collector's later passes
(:func:`settle`): a full collection walked every object of the loaded models (380,000 in a
portal process, 0.4 s with every thread stopped), and that pause was the portal's page p95.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_UNSET = object()
_settled = False


def settle() -> None:
    """Once per process, when a long-running server has started: collect, then move every
    object alive now to the collector's permanent generation, where full collections no
    longer walk it (what each later ``@once`` builds joins it). Later calls do nothing."""
    global _settled
    if not _settled:
        _settled = True
        gc.collect()
        gc.freeze()


def _keep() -> None:
    # Collected first: what the build left as garbage must not be frozen with it.
    if _settled:
        gc.collect()
        gc.freeze()


class Once(Generic[T]):
    """The built value, kept for the process; ``cache_clear()`` forgets it (tests)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: object = _UNSET
        self._lock = threading.Lock()
        self.__doc__ = build.__doc__
        self.__name__ = getattr(build, "__name__", "once")
        self.__wrapped__ = build

    def __call__(self) -> T:
        value = self._value
        if value is _UNSET:
            with self._lock:
                value = self._value
                if value is _UNSET:
                    value = self._value = self._build()
                    _keep()
        return value  # type: ignore[return-value]

    def cache_clear(self) -> None:
        with self._lock:
            self._value = _UNSET


def once(build: Callable[[], T]) -> Once[T]:
    """Decorate a function of no arguments whose result is built once per process."""
    return Once(build)
