"""Helpers for reputation tests: mentions imported through sources, and small models."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from concilia.reputation import classifier, labels
from concilia.sources import service as sources_service
from concilia.sources.connectors import JsonLinesFile
from concilia.sources.schemas import ItemKind, SourceDeclaration


class KeywordModel:
    """A predictable stand-in for the trained model: negative harassment when the text says
    'calls', positive praise otherwise."""

    def predict(self, texts: Sequence[str]) -> list[classifier.Prediction]:
        return [
            classifier.Prediction("negative", "harassment", 0.9, 0.9, 0.9)
            if "calls" in t
            else classifier.Prediction("positive", "praise", 0.8, 0.8, 0.8)
            for t in texts
        ]


@pytest.fixture(scope="session")
def ngram_model() -> classifier.MentionClassifier:
    """A word n-gram model trained on the tuning part (no encoder, no char n-grams: fast)."""
    return classifier.train(
        labels.load("tune"), classifier.FeatureConfig(chars=False, embeddings=False)
    )


@pytest.fixture
def import_mentions(db_session: Session, tmp_path: Path) -> Callable[..., int]:
    """Import mentions ``[(posted_at, text), ...]`` through sources; returns how many."""
    counter = {"n": 0}

    def _import(items: list[tuple[datetime, str]]) -> int:
        if sources_service.get_by_name(db_session=db_session, name="listening") is None:
            sources_service.declare(
                db_session=db_session,
                declaration=SourceDeclaration.model_validate(
                    {
                        "name": "listening",
                        "kind": "data_provider",
                        "allowed_purposes": ["reputation"],
                    }
                ),
                actor="test",
            )
        path = tmp_path / f"mentions-{counter['n']}.jsonl"
        lines = []
        for posted, text in items:
            counter["n"] += 1
            url = f"https://social.example/u/posts/{counter['n']}"
            lines.append(
                json.dumps(
                    {
                        "external_id": f"m{counter['n']}",
                        "author_handle": "someone",
                        "network": "social",
                        "created_at": posted.isoformat(),
                        "text": text,
                        "visibility": "public",
                        "provenance": {
                            "url": url,
                            "captured_at": posted.isoformat(),
                            "captured_by": "connector:listening",
                            "legal_basis": "legitimate_interest:LIA-1",
                        },
                    }
                )
            )
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = sources_service.run_import(
            db_session=db_session,
            connector=JsonLinesFile(path),
            kind=ItemKind.mentions,
            source_name="listening",
            actor="test",
            now=max(p for p, _ in items),
        )
        return report.created

    return _import
