"""Training over HTTP: quiz without leaked answers, certificate, policy, team status."""

from __future__ import annotations


def test_quiz_certificate_policy_and_status_over_http(client, auth_headers) -> None:
    agent = auth_headers("quinn", "agent", ["north"])
    admin = auth_headers("root", "admin")
    boss = auth_headers("sam", "supervisor", ["north"])
    quiz = client.post("/api/training/quizzes", json={"lang": "es"}, headers=agent)
    assert quiz.status_code == 201, quiz.text
    questions = quiz.json()["questions"]
    assert len(questions) == 10 and all(set(q) == {"id", "statement"} for q in questions)

    # The agent answers "true" to everything: the false statements are corrected.
    answers = {q["id"]: True for q in questions}
    result = client.post(
        f"/api/training/quizzes/{quiz.json()['id']}/answers",
        json={"answers": answers},
        headers=agent,
    ).json()
    assert result["passed"] is False and result["certificate_expires_at"] is None
    assert result["corrections"] and all(c["expected"] is False for c in result["corrections"])
    # Another user's quiz answers 404.
    other = client.post(
        f"/api/training/quizzes/{quiz.json()['id']}/answers", json={"answers": {}}, headers=boss
    )
    assert other.status_code == 404

    assert client.post("/api/training/policy/publish", headers=agent).status_code == 403
    assert client.post("/api/training/policy/publish", headers=admin).json() == {
        "number": 1,
        "created": True,
    }
    assert client.post("/api/training/policy/acknowledge", headers=agent).json() == {"number": 1}
    page = client.get("/api/training/policy?lang=fr", headers=agent)
    assert page.status_code == 200 and "Version 1" in page.text

    me = client.get("/api/training/me", headers=agent).json()
    assert me["policy_acknowledged"] is True and me["may_use_social_channels"] is False
    assert "certificate" in me["reason"]
    team = client.get("/api/training/team-status", headers=boss).json()
    assert {row["username"] for row in team} == {"quinn", "sam"}
    assert client.get("/api/training/team-status", headers=agent).status_code == 403
