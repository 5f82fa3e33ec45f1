"""Training pages: courses, a quiz taken in the browser, the policy and its acknowledgement,
and the supervisor's view of the team's certificates."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia.certification import service as certification
from concilia.training import service
from tests.console.conftest import sign_in


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_agent_takes_the_quiz_and_acknowledges_the_policy_in_the_browser(
    client: TestClient, make_user: Any, db_session: Session
) -> None:
    user, password = make_user("quinn", "agent", ["north"])
    service.publish_policy(db_session=db_session, actor="admin")
    db_session.commit()
    sign_in(client, "quinn", password)
    client.cookies.set("concilia_lang", "fr")

    page = client.get("/console/training")
    assert page.status_code == 200
    assert "Formation" in page.text and "aucun valide" in page.text
    csrf = _csrf(page.text)
    course = client.get("/console/training/courses/jurisdiction-fr")
    assert course.status_code == 200 and "<li><strong>FR-SOCIAL-PRIVATE</strong>" in course.text
    assert client.get("/console/training/courses/nope").status_code == 404

    # A stale form token is refused, nothing is drawn.
    stale = client.post("/console/training/quiz", data={"csrf_token": "x"})
    assert stale.status_code == 422 and 'role="alert"' in stale.text
    started = client.post(
        "/console/training/quiz",
        data={"csrf_token": csrf, "jurisdiction": "FR"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    quiz = client.get(started.headers["location"])
    assert quiz.status_code == 200 and quiz.text.count('type="radio"') == 20
    attempt_id = int(started.headers["location"].rsplit("/", 1)[1])
    attempt = service.get_attempt(db_session=db_session, attempt_id=attempt_id, user_id=user.id)
    right = {f"q-{q['id']}": "true" if q["answer"] else "false" for q in attempt.questions}

    # One statement left unanswered: said next to it, nothing scored.
    first = next(iter(right))
    partial = {k: v for k, v in right.items() if k != first} | {"csrf_token": csrf}
    missing = client.post(started.headers["location"], data=partial)
    assert missing.status_code == 422 and f'id="{first}-error"' in missing.text
    assert certification.valid_certificate(db_session=db_session, user_id=user.id) is None

    result = client.post(started.headers["location"], data=right | {"csrf_token": csrf})
    assert result.status_code == 200 and "100 %" in result.text and "réussi" in result.text
    db_session.expire_all()
    certificate = certification.valid_certificate(db_session=db_session, user_id=user.id)
    assert certificate is not None and certificate.jurisdiction == "FR"

    policy = client.get("/console/training/policy")
    assert "Politique d&#39;usage des réseaux sociaux" in policy.text and "Version 1" in policy.text
    pdf = client.get("/console/training/policy.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    acked = client.post(
        "/console/training/policy/acknowledge",
        data={"csrf_token": csrf, "number": "1"},
        follow_redirects=False,
    )
    assert acked.status_code == 303
    db_session.expire_all()
    assert certification.may_use_social_channels(
        db_session=db_session, user_id=user.id, jurisdiction="FR"
    )
    # An agent does not see the team table.
    assert "Certificats du personnel" not in client.get("/console/training").text


def test_supervisor_sees_the_team_expiries_and_signed_out_goes_to_login(
    client: TestClient, make_user: Any, db_session: Session
) -> None:
    assert client.get("/console/training", follow_redirects=False).status_code == 303
    make_user("nora", "agent", ["north"])
    make_user("sid", "agent", ["south"])
    _, password = make_user("sam", "supervisor", ["north"])
    assert service.certify_for_demo(db_session=db_session, usernames=["nora"]) == 1
    db_session.commit()
    sign_in(client, "sam", password)
    page = client.get("/console/training")
    assert page.status_code == 200 and "Staff certificates" in page.text
    rows = re.findall(r'<th scope="row">([^<]+)</th>', page.text)
    assert rows == ["nora", "sam"]  # the south agent is another team's
    assert "(demo)" in page.text and "renew soon" not in page.text


def test_served_policy_has_no_inline_style_but_the_file_does(db_session: Session) -> None:
    # The app's CSP forbids inline styles; a file written by the CLI stands alone.
    served = service.render_policy(db_session=db_session, stylesheet="/static/console.css")
    assert "<style" not in served and 'href="/static/console.css"' in served
    assert "<style>" in service.render_policy(db_session=db_session)
