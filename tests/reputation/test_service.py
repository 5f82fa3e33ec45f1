"""Classification of imported mentions, and spike alerts from them (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from concilia.audit.models import AuditEntry
from concilia.reputation import service
from concilia.reputation.models import MentionClassification
from tests.reputation.conftest import KeywordModel

DAY0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def test_ingest_classifies_each_imported_mention_once(db_session: Session, import_mentions) -> None:
    import_mentions([(DAY0, "Acme calls me all day"), (DAY0, "Acme were kind, thanks")])
    assert service.ingest(db_session=db_session, actor="test", model=KeywordModel()) == 2
    rows = db_session.scalars(select(MentionClassification).order_by(MentionClassification.id))
    got = [(r.sentiment, r.topic, r.lang, r.posted_at) for r in rows]
    assert got == [
        ("negative", "harassment", "en", DAY0),
        ("positive", "praise", "en", DAY0),
    ]
    assert service.ingest(db_session=db_session, actor="test", model=KeywordModel()) == 0
    import_mentions([(DAY0 + timedelta(days=1), "Acme calls again")])
    assert service.ingest(db_session=db_session, actor="test", model=KeywordModel()) == 1
    audit = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "reputation.ingest")
    ).all()
    assert [a.detail["classified"] for a in audit] == [2, 1]


def test_spike_of_negative_mentions_raises_one_alert(db_session: Session, import_mentions) -> None:
    items = []
    for day in range(20):
        items.append((DAY0 + timedelta(days=day), f"Acme calls me again ({day})"))
        items.append((DAY0 + timedelta(days=day), f"Acme were helpful ({day})"))
    # Day 15: nine more negative mentions; positive ones are never counted.
    items += [(DAY0 + timedelta(days=15, minutes=i), f"Acme calls nonstop {i}") for i in range(9)]
    items += [(DAY0 + timedelta(days=5, minutes=i), f"Acme is great {i}") for i in range(30)]
    import_mentions(items)
    service.ingest(db_session=db_session, actor="test", model=KeywordModel())
    since, until = date(2026, 10, 1), date(2026, 10, 20)
    series = dict(service.daily_counts(db_session=db_session, since=since, until=until))
    assert series[date(2026, 10, 16)] == 10 and series[date(2026, 10, 6)] == 1
    alerts = service.scan_spikes(db_session=db_session, actor="test", since=since, until=until)
    assert [(a.day, a.negatives) for a in alerts] == [(date(2026, 10, 16), 10)]
    again = service.scan_spikes(db_session=db_session, actor="test", since=since, until=until)
    assert again == []
    assert [a.day for a in service.list_alerts(db_session=db_session)] == [date(2026, 10, 16)]
    summary = service.summary(db_session=db_session, since=since, until=until)
    assert summary["sentiment"] == {"negative": 29, "positive": 50}


def test_classify_texts_uses_given_language_or_detects_it(ngram_model) -> None:
    out = service.classify_texts(
        texts=["Merci Recouvrex, très humain", "Gracias, muy amable"],
        langs=["fr-FR", None],
        model=ngram_model,
    )
    assert [o.lang for o in out] == ["fr", "es"]


def test_simulated_complaint_spikes_raise_alerts_through_import_and_classification(
    db_session: Session, import_mentions, ngram_model
) -> None:
    # A simulated series (simulate.mention_spikes) with its truth: imported through sources,
    # classified by a trained model (not keywords), then scanned for spikes.
    from concilia.simulate.mention_spikes import spiky_series

    start = date(2026, 6, 1)
    series = spiky_series(seed=3, start=start, days=60, base_rate=3.0, spikes=3)
    import_mentions(series.items)
    service.ingest(db_session=db_session, actor="test", model=ngram_model)
    until = start + timedelta(days=59)
    alerts = service.scan_spikes(db_session=db_session, actor="test", since=start, until=until)
    found = {a.day for a in alerts}
    assert series.spike_days <= found, (sorted(series.spike_days), sorted(found))
    assert len(found - series.spike_days) <= 1
