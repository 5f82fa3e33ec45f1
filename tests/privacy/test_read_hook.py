"""Who looked, in the domains before privacy: their staff routes log through the core hook
(``concilia.reads``), and with no log installed a read is refused, never left unrecorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from concilia import reads
from concilia.db import utcnow
from concilia.privacy import service as privacy_service
from tests.privacy.world import build


def _logged(db_session: Session, debtor_id: int) -> list[tuple[str, str, str]]:
    rows = privacy_service.list_reads(
        db_session=db_session, since=utcnow() - timedelta(hours=1), debtor_id=debtor_id
    )
    return sorted((r.actor, r.what, r.via) for r in rows)


@pytest.mark.parametrize(
    ("path", "what"),
    [
        ("/api/cases/{case}/signals", "signals"),
        ("/api/tracing/whereabouts/debtors/{debtor}", "whereabouts"),
        ("/api/tracing/candidates?case_id={case}", "tracing candidates"),
        ("/api/tracing/evidence?case_id={case}", "tracing evidence"),
        ("/api/portfolio/cases/{case}", "case"),
        ("/api/portfolio/debtors/{debtor}", "debtor"),
        ("/api/outreach/cases/{case}/outbox", "outbox"),
    ],
)
def test_staff_api_reads_are_logged(
    path: str,
    what: str,
    client: TestClient,
    db_session: Session,
    auth_headers: Callable[..., dict[str, str]],
    tmp_path: Path,
) -> None:
    world = build(db_session, tmp_path)
    db_session.commit()
    admin = auth_headers("ada", "admin")
    assert _logged(db_session, world.debtor_id) == []
    answer = client.get(path.format(case=world.case_id, debtor=world.debtor_id), headers=admin)
    assert answer.status_code == 200, answer.text
    db_session.expire_all()
    assert _logged(db_session, world.debtor_id) == [("user:ada", what, "api")]
    assert _logged(db_session, world.other_debtor_id) == []


def test_a_read_with_no_log_installed_is_refused(
    db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "_log", None)
    with pytest.raises(reads.NoReadLog):
        reads.record_staff_read(db_session=db_session, principal=object(), what="case")
