"""Review queue API: team scoping, thresholds, decisions with reasons, evidence."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from concilia.portfolio import service as portfolio_service
from concilia.tracing import linkage, prepare, runner
from tests.certification.support import certify
from tests.tracing import testworld

FAST = linkage.LinkageOptions(train_debtors=200, train_random_profiles=5000, u_max_pairs=2e5)


@pytest.fixture(scope="module")
def world() -> testworld.World:
    return testworld.generate(80, seed=21)


@pytest.fixture(scope="module")
def model(world: testworld.World) -> dict[str, Any]:
    debtors = prepare.prepare_debtors(world.debtors)
    profiles = prepare.prepare_profiles(world.profiles)
    blocker = linkage.Blocker(profiles, FAST)
    try:
        return linkage.train(debtors, profiles, blocker, options=FAST)
    finally:
        blocker.close()


@pytest.fixture
def traced(
    db_session: Session,
    session_factory: sessionmaker[Session],
    tmp_path: Any,
    world: testworld.World,
    model: dict[str, Any],
) -> dict[str, Any]:
    csv_path, _ = testworld.write_files(world, tmp_path)
    portfolio_service.import_portfolio(
        db_session=db_session,
        data=csv_path.read_bytes(),
        file="portfolio.csv",
        creditor_name="acme",
        actor="test",
        team_name="north",
    )
    db_session.commit()
    records = list(portfolio_service.iter_debtors_for_tracing(db_session=db_session))
    by_ref = {r["debtor_reference"]: str(r["debtor_id"]) for r in records}
    debtors = pd.DataFrame(
        [
            {
                "debtor_id": str(r["debtor_id"]),
                **{
                    k: r.get(k)
                    for k in (
                        "given_names",
                        "family_names",
                        "date_of_birth",
                        "city",
                        "country",
                        "phones",
                        "emails",
                        "employer",
                    )
                },
            }
            for r in records
        ]
    )
    result = runner.run(
        session_factory=session_factory,
        debtors_raw=debtors,
        profiles_raw=world.profiles,
        config=runner.RunConfig(
            portfolio="acme", chunk_size=50, options=FAST, actor="test", model=model
        ),
    )
    truth = {(by_ref[d], p) for d, p in world.truth}
    return {"run": result, "truth": truth, "by_ref": by_ref}


def _case_with_candidates(
    db_session: Session, client: TestClient, headers: dict[str, str]
) -> tuple[int, list[dict[str, Any]]]:
    from concilia.tracing.models import MatchCandidate

    keys = [
        c.debtor_key
        for c in db_session.query(MatchCandidate).filter(MatchCandidate.probability >= 0.9)
    ]
    for key in keys:
        debt = portfolio_service.list_debts_of_debtor(db_session=db_session, debtor_id=int(key))[0]
        case = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id)
        response = client.get(f"/api/tracing/candidates?case_id={case.id}", headers=headers)
        assert response.status_code == 200, response.text
        if response.json():
            return case.id, response.json()
    raise AssertionError("no case with candidates")


def test_agent_reviews_candidates_of_their_team(
    traced: dict[str, Any], client: TestClient, auth_headers: Any, db_session: Session
) -> None:
    north = auth_headers("nina", "agent", ["north"])
    south = auth_headers("sam", "agent", ["south"])
    certify(db_session, "nina")  # accepting social evidence needs certified staff
    db_session.commit()
    case_id, candidates = _case_with_candidates(db_session, client, north)
    top = candidates[0]
    assert top["probability"] >= 0.9
    # The explanation lines add up to the final weight.
    assert sum(line["weight"] for line in top["explanation"]) == pytest.approx(top["final_weight"])
    assert any(line["field"] == "birthday" for line in top["explanation"])

    # Another team sees nothing, as if the case did not exist.
    assert (
        client.get(f"/api/tracing/candidates?case_id={case_id}", headers=south).status_code == 404
    )
    denied = client.post(
        f"/api/tracing/candidates/{top['id']}/accept", json={"reason": "x"}, headers=south
    )
    assert denied.status_code == 404

    # A decision needs a reason.
    missing = client.post(f"/api/tracing/candidates/{top['id']}/accept", json={}, headers=north)
    assert missing.status_code == 422
    assert client.get(f"/api/tracing/evidence?case_id={case_id}", headers=north).json() == []

    accepted = client.post(
        f"/api/tracing/candidates/{top['id']}/accept",
        json={"reason": "birthday and employer agree"},
        headers=north,
    )
    assert accepted.status_code == 200, accepted.text
    evidence = client.get(f"/api/tracing/evidence?case_id={case_id}", headers=north).json()
    assert evidence and {e["candidate_id"] for e in evidence} == {top["id"]}
    assert all(e["probability"] == top["probability"] for e in evidence)
    # Decided once: accepting again conflicts.
    again = client.post(
        f"/api/tracing/candidates/{top['id']}/reject",
        json={"reason": "changed my mind"},
        headers=north,
    )
    assert again.status_code == 409
