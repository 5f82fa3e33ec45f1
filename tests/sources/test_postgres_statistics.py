"""A large import in one transaction keeps PostgreSQL's planner informed of the new rows.

Without fresh statistics the look-up by external id stays a sequential scan that grows with
every batch (200,000 profiles took 248 s instead of about 40 s).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.sources.conftest import DATA


def test_statistics_follow_the_import_inside_the_transaction(
    db_session: Session, declare: Any, run: Any, tmp_path: Path
) -> None:
    if db_session.get_bind().dialect.name != "postgresql":
        pytest.skip("planner statistics are a PostgreSQL matter")
    template = orjson.loads((DATA / "profiles.jsonl").read_bytes().splitlines()[0])
    lines = []
    for i in range(3_000):
        item = dict(template, external_id=f"stat-{i}", handle=f"stat.{i}")
        lines.append(orjson.dumps(item))
    path = tmp_path / "many.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    declare()
    report = run(path, "profiles", batch_size=500)
    assert report.created == 3_000
    reltuples = db_session.execute(
        text(
            "SELECT reltuples FROM pg_class WHERE relname = 'source_profiles' "
            "AND relnamespace = current_schema()::regnamespace"
        )
    ).scalar_one()
    assert reltuples >= 1_000
