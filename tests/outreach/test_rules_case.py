"""Case state: disputes, vulnerability, time-barred debts."""
# ruff: noqa: E501  (message texts are test data, kept on one line to read as sent)

import pytest

from tests.outreach.helpers import check, fired

ALL = ["US", "FR", "ES", "UK"]


@pytest.mark.parametrize("jurisdiction", ALL)
def test_unanswered_dispute_pauses_collection(jurisdiction: str) -> None:
    d = check(jurisdiction, disputed=True)
    assert d.verdict == "block" and f"{jurisdiction}-DISPUTE" in fired(d)
    assert check(jurisdiction, disputed=True, dispute_answered=True).verdict == "allow"
    assert check(jurisdiction, disputed=True, kind="dispute_response").verdict == "allow"


@pytest.mark.parametrize("jurisdiction", ALL)
def test_vulnerable_case_blocks_automation_and_routes_to_specialist(jurisdiction: str) -> None:
    d = check(jurisdiction, vulnerable=True, automated=True)
    assert d.verdict == "block"
    assert "route_to_specialist" in d.actions
    agent = check(jurisdiction, vulnerable=True, automated=False, sender_is_specialist=False)
    assert agent.verdict == "block" and "route_to_specialist" in agent.actions
    specialist = check(jurisdiction, vulnerable=True, automated=False, sender_is_specialist=True)
    assert specialist.verdict == "allow", specialist.reasons


US_DISCLOSURE = (
    "The law limits how long you can be sued on a debt. Because of the age of your debt, "
    "we will not sue you for it."
)


def test_us_time_barred_needs_disclosure() -> None:
    d = check("US", time_barred=True)
    assert d.verdict == "block" and "US-TIME-BARRED" in fired(d)
    text = f"From a debt collector: your balance is $120. {US_DISCLOSURE} Reply STOP to opt out."
    ok = check("US", time_barred=True, text=text)
    assert ok.verdict == "allow", ok.reasons


def test_us_time_barred_no_threat_of_suit_even_with_disclosure() -> None:
    text = f"Your balance is $120. {US_DISCLOSURE} Pay now or we will file a lawsuit. Reply STOP to opt out."
    d = check("US", time_barred=True, text=text)
    assert d.verdict == "block"
    assert "lawsuit" in next(r.explanation for r in d.reasons if r.rule == "US-TIME-BARRED")
    # The same threat on a debt that is not time-barred is not this rule's business.
    assert "US-TIME-BARRED" not in fired(check("US", text=text))


@pytest.mark.parametrize(
    ("jurisdiction", "good", "threat"),
    [
        (
            "FR",
            "Cette dette est prescrite : vous n'êtes pas obligé de la payer.",
            "Sans paiement, un huissier interviendra.",
        ),
        ("ES", "Esta deuda está prescrita.", "Iniciaremos una demanda judicial."),
        ("UK", "This debt is statute-barred.", "We will take you to court."),
    ],
)
def test_time_barred_elsewhere(jurisdiction: str, good: str, threat: str) -> None:
    from tests.outreach.helpers import BASE

    base = BASE[jurisdiction].text
    assert check(jurisdiction, time_barred=True).verdict == "block"
    assert check(jurisdiction, time_barred=True, text=f"{good} {base}").verdict == "allow"
    assert check(jurisdiction, time_barred=True, text=f"{good} {threat} {base}").verdict == "block"


@pytest.mark.parametrize("jurisdiction", ALL)
def test_bankrupt_blocks_and_deceased_goes_to_a_specialist(jurisdiction: str) -> None:
    bankrupt = check(jurisdiction, bankrupt=True)
    assert bankrupt.verdict == "block" and f"{jurisdiction}-BANKRUPT-DECEASED" in fired(bankrupt)
    deceased = check(jurisdiction, deceased=True)
    assert deceased.verdict == "review" and "route_to_specialist" in deceased.actions
    assert check(jurisdiction).verdict == "allow"
