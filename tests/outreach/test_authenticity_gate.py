"""A social address that leads to a profile flagged fake or impersonating is not a channel."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from concilia.authenticity import service as authenticity_service
from concilia.sources import service as sources_service
from tests.authenticity.test_service import build_world_with_copies
from tests.outreach.test_outbox import enqueue, make_case, verify

RULE = "CONCILIA-AUTHENTICITY"


@pytest.fixture
def ids(db_session: Session, tmp_path: Path) -> dict[str, int]:
    found = build_world_with_copies(db_session, tmp_path)
    authenticity_service.score_profiles(db_session=db_session, actor="test")
    return found


@pytest.mark.parametrize(
    "address",
    [
        "ana.ego_official",
        "@Ana.Ego_Official",
        "fb:ana.ego_official",
        "https://x.example/ana.ego_official/",
    ],
)
def test_address_forms_resolve_to_the_profile(
    db_session: Session, ids: dict[str, int], address: str
) -> None:
    found = sources_service.profiles_at_address(db_session=db_session, address=address)
    assert found == [ids["imp001"]]


def test_impersonator_address_is_blocked_until_override(
    db_session: Session, ids: dict[str, int]
) -> None:
    case_id = make_case(db_session)
    for handle in ("ana.ego_official", "ana.ego"):
        verify(db_session, case_id, "social_dm", handle)
    copy = enqueue(
        db_session, case_id, channel="social_dm", to="ana.ego_official", idempotency_key="dm-copy"
    )
    assert copy.status == "blocked"
    [reason] = [r for r in copy.reasons if r["rule"] == RULE]
    assert f"profile {ids['imp001']}" in reason["explanation"]
    assert "likely impersonates" in reason["explanation"]
    real = enqueue(
        db_session, case_id, channel="social_dm", to="ana.ego", idempotency_key="dm-real"
    )
    assert RULE not in {r["rule"] for r in real.reasons}
    authenticity_service.override(
        db_session=db_session,
        profile_id=ids["imp001"],
        reason="the debtor confirmed this account is hers",
        actor="user:agent",
    )
    again = enqueue(
        db_session, case_id, channel="social_dm", to="ana.ego_official", idempotency_key="dm-2"
    )
    assert RULE not in {r["rule"] for r in again.reasons}
