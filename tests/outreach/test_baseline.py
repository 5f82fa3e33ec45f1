"""The base messages pass, so every other test shows one rule changing the verdict."""

import pytest

from tests.outreach.helpers import check


@pytest.mark.parametrize("jurisdiction", ["US", "FR", "ES", "UK"])
def test_base_message_is_allowed(jurisdiction: str) -> None:
    decision = check(jurisdiction)
    assert decision.verdict == "allow", decision.reasons
    assert decision.reasons == ()


def test_unknown_jurisdiction_fails_closed() -> None:
    from concilia.outreach.rules import Communication, evaluate

    d = evaluate(Communication(jurisdiction="DE", channel="email"))
    assert d.verdict == "block"
    assert d.reasons[0].rule == "ENGINE-NO-PACK"
