"""The special-category guard is loaded when the app starts, not on the first message."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

import concilia.portal.router as portal_router
from concilia.app import create_app
from concilia.portal.settings import get_portal_settings
from concilia.special import guard as special_guard


@pytest.mark.parametrize("mode", ["startup", "background", "off"])
def test_the_guard_is_warmed_once_at_start_up_when_the_setting_says_so(
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
    session_factory: sessionmaker[Session],
) -> None:
    calls: list[str] = []
    done = threading.Event()

    def warm() -> None:
        calls.append(threading.current_thread().name)
        done.set()

    monkeypatch.setenv("CONCILIA_PORTAL_WARM_GUARD", mode)
    get_portal_settings.cache_clear()
    monkeypatch.setattr(special_guard, "warm", warm)
    monkeypatch.setattr(portal_router, "_warmed", threading.Event())
    try:
        for _ in range(2):  # a second start of the app in the same process warms nothing
            with TestClient(create_app(session_factory)) as client:
                if mode == "startup":  # loaded before the app answered anything
                    assert done.is_set()
                assert client.get("/health").status_code == 200
        done.wait(5)
    finally:
        get_portal_settings.cache_clear()
    assert len(calls) == (0 if mode == "off" else 1)
    if mode == "background":  # the app answered while the guard was being loaded
        assert calls == ["special-guard-warm"]
