"""On SQLite a page's transaction reads before it logs the read; when another writer commits
in between, its write fails at once ("database is locked"). The read is logged all the same
(apart, in a short transaction of its own) and the page's transaction goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from concilia.db import begin_write
from concilia.privacy import service as privacy_service
from concilia.privacy.models import ReadLogEntry
from tests.conftest import drop_test_engine, make_test_engine


def _row(debtor_id: int) -> dict[str, object]:
    from concilia.db import utcnow

    return {
        "at": utcnow(), "actor": "user:other", "debtor_id": debtor_id, "what": "x",
        "purpose": "debt_recovery", "via": "page", "items": 1,
    }  # fmt: skip


def _commit_elsewhere(engine: Engine, debtor_id: int) -> None:
    with Session(bind=engine) as other:
        begin_write(other)
        other.execute(insert(ReadLogEntry), [_row(debtor_id)])
        other.commit()


def test_a_read_logged_after_another_writer_committed(tmp_path: Path) -> None:
    engine, schema = make_test_engine("sqlite", tmp_path)
    try:
        # The premise: a plain write after a read, with a commit between, fails at once.
        with Session(bind=engine) as page:
            page.scalar(select(func.count()).select_from(ReadLogEntry))
            _commit_elsewhere(engine, 1)
            with pytest.raises(OperationalError, match="locked"):
                page.execute(insert(ReadLogEntry), [_row(2)])
        # What record_read does about it.
        with Session(bind=engine) as page:
            page.scalar(select(func.count()).select_from(ReadLogEntry))
            _commit_elsewhere(engine, 3)
            written = privacy_service.record_read(
                db_session=page, actor="user:nina", debtor_ids=[7], what="console case page",
                purpose="debt_recovery", via="page",
            )  # fmt: skip
            assert written == 1
            # The page's own transaction is still usable.
            assert page.scalar(select(func.count()).select_from(ReadLogEntry)) is not None
            page.commit()
        with Session(bind=engine) as check:
            logged = check.scalars(select(ReadLogEntry.debtor_id).order_by(ReadLogEntry.id))
            assert list(logged) == [1, 3, 7]
    finally:
        drop_test_engine(engine, schema)
