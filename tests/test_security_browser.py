"""/docs in a real browser (Debian's chromium): local bundles under the CSP, and a write from
a signed-in session passes (Swagger UI adds the session's CSRF header)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from tests.browser.support import MARKS, free_port, launch, serving
from tests.conftest import drop_test_engine, make_test_engine

PASSWORD = "docs-correct-horse-battery"

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = MARKS


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from concilia.app import create_app
    from concilia.auth import service as auth_service
    from concilia.auth.roles import Role

    engine, schema = make_test_engine("sqlite", tmp_path_factory.mktemp("docs"))
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session:
        auth_service.create_user(
            db_session=session, username="docs", role=Role.admin, password=PASSWORD, actor="test"
        )
        session.commit()
    with serving(create_app(session_factory=factory), free_port()) as url:
        yield url
    drop_test_engine(engine, schema)


def test_docs_run_under_the_csp_and_write_with_the_session(server: str) -> None:
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        problems: list[str] = []

        def on_console(message: Any) -> None:
            if message.type == "error":
                problems.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "request",
            lambda request: (
                problems.append(f"off-site request {request.url}")
                if not request.url.startswith(server) and not request.url.startswith("data:")
                else None
            ),
        )
        page.goto(f"{server}/login")
        page.fill("#username", "docs")
        page.fill("#password", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{server}/")

        page.goto(f"{server}/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        assert page.locator(".opblock").count() > 10
        # What "Try it out" → "Execute" does: Swagger UI's fetch through its interceptor.
        status = page.evaluate(
            """async () => {
                const r = await window.ui.fn.fetch({
                    url: '/api/auth/teams', method: 'POST',
                    headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({name: 'from-docs'}),
                    requestInterceptor: window.ui.getConfigs().requestInterceptor,
                });
                return r.status;
            }"""
        )
        assert status == 201
        assert problems == [], problems
        browser.close()
