"""The case's next best action over the API, within the principal's teams."""

from typing import Any

from sqlalchemy.orm import Session

from concilia.portfolio import service as portfolio_service
from tests.strategy.helpers import HEADER, ROWS


def _case(db_session: Session) -> int:
    portfolio_service.import_portfolio(
        db_session=db_session,
        data=(HEADER + ROWS["fr"]).encode(),
        file="t.csv",
        creditor_name="Bank",
        actor="test",
        team_name="north",
    )
    [debt] = portfolio_service.find_debts_by_account_reference(
        db_session=db_session, reference="A-FR"
    )
    case_id = portfolio_service.get_case_for_debt(db_session=db_session, debt_id=debt.id).id
    db_session.commit()
    return int(case_id)


def test_an_agent_reads_the_next_best_action_and_why(
    db_session: Session, client: Any, auth_headers: Any
) -> None:
    case_id = _case(db_session)
    response = client.get(
        f"/api/strategy/cases/{case_id}", headers=auth_headers("alice", "agent", ["north"])
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next"]["strategy"] == "default"
    assert body["next"]["kind"] in ("send", "wait")
    # A French case: its first message about the debt must be a letter (CPCE R124-4).
    assert body["next"]["explanation"].startswith("Segment 'france_letter_first'")
    assert "R124-4" in body["next"]["explanation"]
    assert body["history"] == []


def test_another_team_gets_404(db_session: Session, client: Any, auth_headers: Any) -> None:
    case_id = _case(db_session)
    response = client.get(
        f"/api/strategy/cases/{case_id}", headers=auth_headers("bob", "agent", ["south"])
    )
    assert response.status_code == 404


def test_the_strategies_are_listed(client: Any, auth_headers: Any) -> None:
    response = client.get("/api/strategy/strategies", headers=auth_headers("carol", "agent", []))
    assert response.status_code == 200
    names = {s["name"] for s in response.json()}
    assert {"default", "letters-and-calls"} <= names
