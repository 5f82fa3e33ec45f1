"""The console's reputation page: signed-in staff only, spikes marked on the chart."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from concilia.db import utcnow
from concilia.reputation import service
from tests.reputation.conftest import KeywordModel


def _sign_in(client, username: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_dashboard_shows_series_counts_and_alerts(
    client, make_user, db_session, import_mentions
) -> None:
    assert client.get("/console/reputation", follow_redirects=False).status_code == 303
    today = utcnow().replace(hour=12, minute=0, second=0, microsecond=0, tzinfo=UTC)
    items = [(today - timedelta(days=d), f"Acme calls me ({d})") for d in range(1, 20)]
    items += [(today - timedelta(days=3, minutes=m), f"Acme calls nonstop {m}") for m in range(9)]
    items.append((today - timedelta(days=2), "Acme were kind"))
    import_mentions(items)
    service.ingest(db_session=db_session, actor="test", model=KeywordModel())
    spike_day = (today - timedelta(days=3)).date()
    alerts = service.scan_spikes(
        db_session=db_session,
        actor="test",
        since=spike_day - timedelta(days=30),
        until=today.date(),
    )
    assert [a.day for a in alerts] == [spike_day]
    db_session.commit()

    _, password = make_user("vera", "supervisor", ["north"])
    _sign_in(client, "vera", password)
    page = client.get("/console/reputation")
    assert page.status_code == 200
    assert f"{spike_day.isoformat()}: 10" in page.text
    assert 'class="bar alert"' in page.text
    assert re.search(r"harassment</th><td>28<", page.text)
    assert re.search(r"positive</th><td>1<", page.text)


def test_volume_and_sentiment_over_time_by_topic(
    client, make_user, db_session, import_mentions
) -> None:
    today = utcnow().replace(hour=12, minute=0, second=0, microsecond=0, tzinfo=UTC)
    items = [(today - timedelta(days=d), f"Acme calls me ({d})") for d in (1, 2, 9)]
    items += [(today - timedelta(days=d), f"Acme were kind ({d})") for d in (1, 3)]
    import_mentions(items)
    service.ingest(db_session=db_session, actor="test", model=KeywordModel())
    until = today.date()
    since = until - timedelta(days=13)
    weeks = service.weekly_by_sentiment(db_session=db_session, since=since, until=until)
    assert [w for w, _ in weeks] == [since, since + timedelta(days=7)]
    assert weeks[0][1] == {"negative": 1} and weeks[1][1] == {"negative": 2, "positive": 2}
    praise = service.weekly_by_sentiment(
        db_session=db_session, since=since, until=until, topic="praise"
    )
    assert praise[1][1] == {"positive": 2} and praise[0][1] == {}
    volume = service.daily_volume(db_session=db_session, since=since, until=until)
    assert sum(n for _, n in volume) == 5 and volume[-2] == (until - timedelta(days=1), 2)
    db_session.commit()

    _, password = make_user("vic", "agent", ["north"])
    _sign_in(client, "vic", password)
    page = client.get("/console/reputation?topic=praise")
    assert page.status_code == 200 and '<option value="praise" selected>' in page.text
    assert 'id="volume-title"' in page.text
    rows = re.findall(
        r'<tr><th scope="row">[\d-]+</th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>', page.text
    )
    assert ("0", "0", "2") in rows and ("1", "0", "0") not in rows
