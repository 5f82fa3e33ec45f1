"""Reputation over HTTP: classify texts, alerts and summary for staff only."""

from __future__ import annotations

import pytest

from concilia.reputation import classifier
from tests.reputation.conftest import KeywordModel


@pytest.fixture(autouse=True)
def _keyword_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifier, "get_model", lambda: KeywordModel())


def test_classify_summary_and_alerts(client, auth_headers) -> None:
    agent = auth_headers("rita", "agent", ["north"])
    response = client.post(
        "/api/reputation/classify",
        json={
            "mentions": [
                {"text": "Harbor Credit calls me at work"},
                {"text": "Merci", "lang": "fr"},
            ]
        },
        headers=agent,
    )
    assert response.status_code == 200, response.text
    assert [(c["sentiment"], c["topic"], c["lang"]) for c in response.json()] == [
        ("negative", "harassment", "en"),
        ("positive", "praise", "fr"),
    ]
    summary = client.get(
        "/api/reputation/summary?since=2026-10-01&until=2026-10-03", headers=agent
    ).json()
    assert [d["negatives"] for d in summary["negatives_per_day"]] == [0, 0, 0]
    assert client.get("/api/reputation/alerts", headers=agent).json() == []
    assert client.get("/api/reputation/alerts").status_code == 401
    bad = client.get("/api/reputation/summary?since=2026-10-05&until=2026-10-01", headers=agent)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "since"
