"""The reply desk: suggested replies pass; a reply naming a debt, a person or no private
channel is refused with the reasons, outreach's engine and tone check included."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from concilia.reputation import replies
from tests.console.conftest import sign_in


@pytest.mark.parametrize(("lang", "jurisdiction"), [("en", "US"), ("fr", "FR"), ("es", "ES")])
def test_every_suggested_reply_may_be_posted(lang: str, jurisdiction: str) -> None:
    for topic in ("other", "harassment", "wrong_person", "scam_warning", "praise"):
        text = replies.suggest(topic=topic, lang=lang)
        result = replies.check(text=text, lang=lang, jurisdiction=jurisdiction)
        assert result.ok, (topic, result.problems)
        assert result.set_aside == [f"{jurisdiction}-OPT-OUT-TEXT"]


def test_a_reply_about_a_debt_or_a_person_is_refused_with_every_reason() -> None:
    text = "Hi @john, you owe 500 € on file D-123, call +33 6 12 34 56 78 today."
    result = replies.check(text=text, lang="en", jurisdiction="US", author=["john"])
    assert not result.ok
    joined = " | ".join(result.problems)
    for expected in (
        "mentions a debt or payment ('owe')",
        "states an amount",
        "gives a reference ('D-123')",
        "tags someone ('@john')",
        "contains a phone number",
        "names the author ('john')",
        "does not invite the author to a private channel",
    ):
        assert expected in joined
    # Outreach's engine says the same in its own terms (identity not verified).
    assert "US-IDENTITY-FIRST" in {r["rule"] for r in result.rules}
    # A French reply signed with a name that says "recovery" tells readers what it is about.
    signed = replies.check(
        text="Merci, Acme Recouvrement vous répond en message privé.", lang="fr", jurisdiction="FR"
    )
    assert "FR-IDENTITY-FIRST" in {r["rule"] for r in signed.rules}
    with pytest.raises(ValueError, match="jurisdiction"):
        replies.check(text="x", lang="en", jurisdiction="DE")


def test_reply_desk_over_http_and_in_the_console(
    client: TestClient, auth_headers: Any, make_user: Any
) -> None:
    headers = auth_headers("rita", "agent")
    suggestion = client.get(
        "/api/reputation/replies/suggestion?lang=es&topic=wrong_person", headers=headers
    ).json()["text"]
    ok = client.post(
        "/api/reputation/replies/check",
        json={"text": suggestion, "lang": "es", "jurisdiction": "ES"},
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["ok"] is True
    bad = client.post(
        "/api/reputation/replies/check",
        json={"text": "Pague su deuda.", "lang": "es", "jurisdiction": "XX"},
        headers=headers,
    )
    assert bad.status_code == 422

    _, password = make_user("ruth", "agent")
    sign_in(client, "ruth", password)
    page = client.get("/console/reputation/replies")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    form = {"csrf_token": csrf.group(1), "lang": "en", "jurisdiction": "UK", "topic": "praise"}
    suggested = client.post("/console/reputation/replies", data=form | {"action": "suggest"})
    assert "Thank you for your kind words!" in suggested.text
    checked = client.post(
        "/console/reputation/replies",
        data=form | {"action": "check", "text": "Please pay the balance you owe."},
    )
    assert checked.status_code == 200 and 'id="r-problems" role="alert"' in checked.text
    assert "mentions a debt or payment" in checked.text
    stale = client.post("/console/reputation/replies", data=form | {"csrf_token": "x"})
    assert stale.status_code == 403
