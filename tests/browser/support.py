"""What every browser test shares: Debian's chromium, a live server on a free loopback port,
and axe-core injected from its vendored file."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CONCILIA_CHROMIUM", "/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
AXE_SOURCE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
ARTIFACTS = HERE / "artifacts"
# A browser module's pytestmark: slow, and skipped where no chromium is installed.
MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no chromium at {CHROMIUM}"),
]


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: Any, port: int) -> Iterator[str]:
    """Uvicorn serving ``app`` on 127.0.0.1:``port`` in a thread; yields its base URL."""
    import uvicorn

    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def launch(playwright: Any) -> Any:
    """Debian's chromium, headless (as root, hence no sandbox)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--headless=new"]
    )


def axe_check(page: Any, name: str) -> None:
    """Run axe-core on the page; fail on serious or critical violations; keep a screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    # caret="initial": hiding the caret injects a style element the CSP (rightly) refuses.
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")
    # Evaluated through the browser's debugging protocol, not as a page script: the
    # app's CSP (script-src 'self') stays on, so a violation by the app still shows.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"{name}: {bad}"
