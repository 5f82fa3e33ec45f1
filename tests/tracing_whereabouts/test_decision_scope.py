"""The decision route answers another team's inference exactly as a missing one.

Before, it answered "debtor N not found": an agent of another team learnt which debtor an
inference id belongs to by trying ids.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from concilia.db import utcnow
from concilia.tracing.whereabouts.models import InferenceStatus, WhereaboutsInference
from tests.tracing_whereabouts import world

CSV = (
    "account_reference,debtor_reference,given_names,family_names,jurisdiction,principal,"
    "currency,city,country\n"
    "ACC-W-1,P-W-1,Ana,Lopez,ES,1200.50,EUR,Madrid,ES\n"
)


def _inference(db_session: Session, debtor_id: int, profile_id: int) -> int:
    row = WhereaboutsInference(
        debtor_id=debtor_id,
        profile_id=profile_id,
        status=InferenceStatus.proposed,
        top_city="Madrid (ES)",
        confidence=0.8,
        method_version="test",
        created_at=utcnow(),
        created_by="test",
    )
    db_session.add(row)
    db_session.commit()
    return row.id


def test_another_teams_inference_answers_as_a_missing_one(
    client: Any,
    db_session: Session,
    auth_headers: Callable[..., dict[str, str]],
    tmp_path: Path,
) -> None:
    admin = auth_headers("w-admin", "admin")
    imported = client.post(
        "/api/portfolio/imports",
        headers=admin,
        files={"file": ("w.csv", CSV.encode(), "text/csv")},
        data={"creditor": "W Bank", "team": "alpha"},
    )
    assert imported.status_code == 200, imported.text
    debtor_id = client.get("/api/portfolio/cases", headers=admin).json()["items"][0]["debtor_id"]
    profiles = world.build(db_session, tmp_path)
    db_session.commit()
    inference_id = _inference(db_session, debtor_id, profiles["ego001"])
    missing_id = inference_id + 1000

    stranger = auth_headers("w-beta", "agent", ["beta"])
    body = {"accept": False, "reason": "not them"}
    theirs = client.post(
        f"/api/tracing/whereabouts/{inference_id}/decision", headers=stranger, json=body
    )
    absent = client.post(
        f"/api/tracing/whereabouts/{missing_id}/decision", headers=stranger, json=body
    )

    assert theirs.status_code == absent.status_code == 404
    assert theirs.headers["content-type"] == absent.headers["content-type"]
    assert theirs.text == absent.text.replace(str(missing_id), str(inference_id))
    assert str(debtor_id) not in theirs.json()["detail"].replace(str(inference_id), "")

    # The debtor's own team still decides it.
    colleague = auth_headers("w-alpha", "agent", ["alpha"])
    decided = client.post(
        f"/api/tracing/whereabouts/{inference_id}/decision", headers=colleague, json=body
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "rejected"
