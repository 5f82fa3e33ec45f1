"""Reputation: classify mentions (on demand or those sources imported) and raise spike alerts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from concilia.audit import service as audit_service
from concilia.db import utcnow
from concilia.reputation import classifier, language
from concilia.reputation import personal_data as personal_data
from concilia.reputation.models import MentionClassification, SpikeAlert
from concilia.reputation.schemas import Classified
from concilia.reputation.spikes import SpikeSettings, detect
from concilia.sources import service as sources_service


def classify_texts(
    *,
    texts: Sequence[str],
    langs: Sequence[str | None] | None = None,
    model: classifier.Predictor | None = None,
) -> list[Classified]:
    """Language, sentiment, topic and confidence of each text (the shipped model by default)."""
    given = list(langs) if langs is not None else [None] * len(texts)
    predictions = (model or classifier.get_model()).predict(list(texts))
    return [
        Classified(
            lang=language.normalise(lang, text),
            sentiment=p.sentiment,
            topic=p.topic,
            confidence=p.confidence,
        )
        for text, lang, p in zip(texts, given, predictions, strict=True)
    ]


def last_classified_mention_id(*, db_session: Session) -> int:
    """The highest mention id already classified (0 when none)."""
    return int(db_session.scalar(select(func.max(MentionClassification.mention_id))) or 0)


def ingest(
    *,
    db_session: Session,
    actor: str,
    batch_size: int = 500,
    model: classifier.Predictor | None = None,
) -> int:
    """Classify every imported mention not classified yet; returns how many were classified."""
    after = last_classified_mention_id(db_session=db_session)
    done = 0
    while True:
        mentions = sources_service.list_mentions(
            db_session=db_session, after_id=after, limit=batch_size
        )
        if not mentions:
            break
        # A mention whose text the special-category screen removed at import (sources writes
        # it empty) has nothing left to classify.
        readable = [m for m in mentions if m.text]
        results = classify_texts(
            texts=[m.text for m in readable], langs=[m.language for m in readable], model=model
        )
        now = utcnow()
        for mention, result in zip(readable, results, strict=True):
            db_session.add(
                MentionClassification(
                    mention_id=mention.id,
                    posted_at=mention.posted_at,
                    lang=result.lang,
                    sentiment=result.sentiment,
                    topic=result.topic,
                    confidence=result.confidence,
                    model_version=classifier.MODEL_VERSION,
                    classified_at=now,
                )
            )
        db_session.flush()
        after = mentions[-1].id
        done += len(readable)
    if done:
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="reputation.ingest",
            object_type="reputation_classifications",
            object_id=str(after),
            change={"classified": done, "up_to_mention_id": after},
            detail={"classified": done, "model_version": classifier.MODEL_VERSION},
        )
    return done


def get_classification(*, db_session: Session, mention_id: int) -> MentionClassification | None:
    """The classification of one mention, or None when it was not classified."""
    query = select(MentionClassification).where(MentionClassification.mention_id == mention_id)
    return db_session.scalar(query)


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    return datetime.combine(since, time(), tzinfo=UTC), datetime.combine(
        until + timedelta(days=1), time(), tzinfo=UTC
    )


def daily_counts(
    *, db_session: Session, since: date, until: date, sentiment: str | None = "negative"
) -> list[tuple[date, int]]:
    """Classified mentions per UTC day from ``since`` to ``until`` inclusive (0 on empty days)."""
    start, end = _bounds(since, until)
    query = select(MentionClassification.posted_at).where(
        MentionClassification.posted_at >= start, MentionClassification.posted_at < end
    )
    if sentiment is not None:
        query = query.where(MentionClassification.sentiment == sentiment)
    counts = Counter(posted.date() for posted in db_session.scalars(query))
    days = (until - since).days + 1
    return [
        (since + timedelta(days=i), counts.get(since + timedelta(days=i), 0)) for i in range(days)
    ]


def weekly_by_sentiment(
    *, db_session: Session, since: date, until: date, topic: str | None = None
) -> list[tuple[date, dict[str, int]]]:
    """Classified mentions (of one topic when given) per week starting ``since``, counted by
    sentiment: the volume and its tone over time."""
    start, end = _bounds(since, until)
    query = select(MentionClassification.posted_at, MentionClassification.sentiment).where(
        MentionClassification.posted_at >= start, MentionClassification.posted_at < end
    )
    if topic is not None:
        query = query.where(MentionClassification.topic == topic)
    weeks = [since + timedelta(days=7 * i) for i in range((until - since).days // 7 + 1)]
    counts: dict[date, Counter[str]] = {week: Counter() for week in weeks}
    for posted, sentiment in db_session.execute(query):
        counts[since + timedelta(days=7 * ((posted.date() - since).days // 7))][sentiment] += 1
    return [(week, dict(counts[week])) for week in weeks]


def daily_volume(
    *, db_session: Session, since: date, until: date, topic: str | None = None
) -> list[tuple[date, int]]:
    """Classified mentions per day (of one topic when given), 0 on empty days."""
    start, end = _bounds(since, until)
    query = select(MentionClassification.posted_at).where(
        MentionClassification.posted_at >= start, MentionClassification.posted_at < end
    )
    if topic is not None:
        query = query.where(MentionClassification.topic == topic)
    counts = Counter(posted.date() for posted in db_session.scalars(query))
    return [
        (since + timedelta(days=i), counts.get(since + timedelta(days=i), 0))
        for i in range((until - since).days + 1)
    ]


def scan_spikes(
    *,
    db_session: Session,
    actor: str,
    since: date,
    until: date,
    settings: SpikeSettings | None = None,
) -> list[SpikeAlert]:
    """Alert each spike day of negative mentions not alerted yet; returns the new alerts."""
    series = daily_counts(db_session=db_session, since=since, until=until)
    known = set(
        db_session.scalars(select(SpikeAlert.day).where(SpikeAlert.day.between(since, until)))
    )
    created: list[SpikeAlert] = []
    for spike in detect(series, settings):
        if spike.day in known:
            continue
        alert = SpikeAlert(
            day=spike.day,
            negatives=spike.negatives,
            baseline=spike.baseline,
            threshold=spike.threshold,
            p_value=spike.p_value,
            created_at=utcnow(),
        )
        db_session.add(alert)
        db_session.flush()
        audit_service.record(
            db_session=db_session,
            actor=actor,
            action="reputation.spike_alert",
            object_type="reputation_spike_alert",
            object_id=str(alert.id),
            change={"day": spike.day.isoformat(), "negatives": spike.negatives},
            detail={"day": spike.day.isoformat(), "negatives": spike.negatives},
        )
        created.append(alert)
    return created


def list_alerts(*, db_session: Session, limit: int = 100) -> list[SpikeAlert]:
    """Spike alerts, newest day first."""
    return list(db_session.scalars(select(SpikeAlert).order_by(SpikeAlert.day.desc()).limit(limit)))


def summary(*, db_session: Session, since: date, until: date) -> dict[str, dict[str, int]]:
    """Counts of classified mentions by sentiment and by topic over a period (for dashboards)."""
    start, end = _bounds(since, until)
    rows = db_session.execute(
        select(MentionClassification.sentiment, MentionClassification.topic).where(
            MentionClassification.posted_at >= start, MentionClassification.posted_at < end
        )
    ).all()
    return {
        "sentiment": dict(Counter(s for s, _ in rows)),
        "topic": dict(Counter(t for _, t in rows)),
    }
