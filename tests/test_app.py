"""Application-wide behaviour: health, problem+json errors, OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_checks_the_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_health_reports_an_unreachable_database() -> None:
    from sqlalchemy.orm import sessionmaker

    from concilia.app import create_app
    from concilia.db import make_engine

    broken = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    app = create_app(session_factory=sessionmaker(bind=broken))
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_errors_are_problem_json(client: TestClient) -> None:
    missing = client.get("/api/does-not-exist")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    invalid = client.post("/api/auth/token", json={"username": "x"})
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["title"] == "Invalid request" and body["errors"][0]["loc"][-1] == "password"


def test_openapi_lists_every_domain_router(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/auth/token" in paths and "/api/audit/verify" in paths
