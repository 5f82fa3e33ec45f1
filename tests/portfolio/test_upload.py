"""Uploads are bounded, read as a stream, and parsed off the event loop."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, MutableMapping
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia.portfolio import service as portfolio_service
from concilia.portfolio.uploads import get_upload_settings
from tests.portfolio.conftest import ImportFn, counts, csv_of, row

P = "/api/portfolio"
LIMIT = 4_000


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("CONCILIA_PORTFOLIO_IMPORT_MAX_BYTES", str(LIMIT))
    get_upload_settings.cache_clear()
    yield LIMIT
    get_upload_settings.cache_clear()


@pytest.fixture
def no_import(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**_: Any) -> None:
        raise AssertionError("an oversized upload reached the import")

    monkeypatch.setattr(portfolio_service, "import_portfolio", refuse)


def test_a_body_over_the_limit_is_413_from_its_length(
    client: TestClient, db_session: Session, auth_headers: Any, small_limit: int, no_import: None
) -> None:
    admin = auth_headers("ada", "admin", [])
    data = csv_of(*(row(account_reference=f"A-{i}") for i in range(20)))
    assert len(data) > small_limit
    before = counts(db_session)
    sent = client.post(
        f"{P}/imports",
        files={"file": ("big.csv", data, "text/csv")},
        data={"creditor": "Acme Bank"},
        headers=admin,
    )
    assert sent.status_code == 413, sent.text
    assert sent.headers["content-type"].startswith("application/problem+json")
    assert counts(db_session) == before
    assert "larger than 4,000 bytes" in sent.json()["detail"]


def test_a_body_without_length_is_cut_while_streaming(
    app: FastAPI, small_limit: int, no_import: None
) -> None:
    """No Content-Length: the bytes are counted as they arrive and the rest is never read."""
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    pulled = 0
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > 10_000:  # the whole (10 MB) body: the limit did not hold
            return {"type": "http.request", "body": b"", "more_body": False}
        return {
            "type": "http.request",
            "body": head if pulled == 1 else b"x" * 1024,
            "more_body": True,
        }

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{P}/imports",
        "raw_path": f"{P}/imports".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, receive, send)
    assert sent[0]["status"] == 413
    assert pulled <= small_limit // 1024 + 2


class _NoWholeRead(io.BytesIO):
    """A stream that fails any read of more than 1 MiB at once (or of 'everything')."""

    def read(self, size: int | None = -1, /) -> bytes:
        assert size is not None and 0 <= size <= 1 << 20, size
        return super().read(size)

    def read1(self, size: int | None = -1, /) -> bytes:
        assert size is not None and 0 <= size <= 1 << 20, size
        return super().read1(size)


def test_the_import_reads_its_file_as_a_stream(do_import: ImportFn) -> None:
    data = csv_of(
        *(row(account_reference=f"A-{i}", debtor_reference=f"D-{i % 3}") for i in range(9))
    )
    result = do_import(_NoWholeRead(data))
    assert (result.rows, result.created, result.debtors_created) == (9, 9, 3)
    again = do_import(_NoWholeRead(data))
    assert (again.unchanged, again.changed) == (9, False)


def test_health_answers_while_an_import_runs(
    client: TestClient, auth_headers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = auth_headers("ada", "admin", [])
    entered, health_answered = threading.Event(), threading.Event()
    waited: dict[str, bool] = {}
    real_import = portfolio_service.import_portfolio

    def held_import(**kwargs: Any) -> Any:
        # Held until /health has answered: were the import on the event loop, /health could
        # not answer and this would time out.
        entered.set()
        waited["health answered first"] = health_answered.wait(timeout=10)
        return real_import(**kwargs)

    monkeypatch.setattr(portfolio_service, "import_portfolio", held_import)
    answers: dict[str, Any] = {}

    def post() -> None:
        answers["import"] = client.post(
            f"{P}/imports",
            files={"file": ("p.csv", csv_of(row()), "text/csv")},
            data={"creditor": "Acme Bank"},
            headers=admin,
        )

    worker = threading.Thread(target=post)
    worker.start()
    assert entered.wait(timeout=30)
    health = client.get("/health")
    health_answered.set()
    worker.join(timeout=60)
    assert health.status_code == 200
    assert waited == {"health answered first": True}
    assert answers["import"].status_code == 200, answers["import"].text
