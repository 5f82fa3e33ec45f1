"""Helpers for the sources tests: declared sources and the hand-made JSON Lines fixtures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from concilia.sources import service
from concilia.sources.connectors import JsonLinesFile
from concilia.sources.importer import ImportReport
from concilia.sources.models import Source
from concilia.sources.schemas import ItemKind, SourceDeclaration

DATA = Path(__file__).parent / "data"
# The fixtures were captured on 2026-11-01; tests run "three weeks later" whatever the date.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def declare(db_session: Session) -> Callable[..., Source]:
    """Declare a source: ``declare("social-export", purposes=["locating"])``."""

    def _declare(
        name: str = "social-export",
        *,
        kind: str = "platform_export",
        platform: str | None = "social",
        purposes: list[str] | None = None,
        retention: dict[str, int] | None = None,
    ) -> Source:
        declaration = SourceDeclaration.model_validate(
            {
                "name": name,
                "kind": kind,
                "platform": platform,
                "allowed_purposes": (
                    purposes
                    if purposes is not None
                    else ["locating", "contact", "credit_assessment"]
                ),
                "retention_days": retention or {},
            }
        )
        return service.declare(db_session=db_session, declaration=declaration, actor="test")

    return _declare


@pytest.fixture
def run(db_session: Session) -> Callable[..., ImportReport]:
    """Import one fixture file: ``run("profiles.jsonl", "profiles")``."""

    def _run(
        file: str | Path, kind: str, source: str = "social-export", **kwargs: Any
    ) -> ImportReport:
        path = file if isinstance(file, Path) else DATA / file
        kwargs.setdefault("now", NOW)
        return service.run_import(
            db_session=db_session,
            connector=JsonLinesFile(path),
            kind=ItemKind(kind),
            source_name=source,
            actor="test",
            **kwargs,
        )

    return _run
