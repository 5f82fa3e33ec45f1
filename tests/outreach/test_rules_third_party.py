"""Third parties: blocked except lawful location-information requests (US 1006.10)."""
# ruff: noqa: E501  (message texts are test data, kept on one line to read as sent)

from datetime import datetime

from concilia.outreach.rules import ContactEvent
from tests.outreach.helpers import NY, check, fired

LOCATION = "Hello, I'm John Doe. I am trying to confirm the current address of Jane Roe. Reply STOP to opt out."


def loc(**kw: object) -> dict[str, object]:
    base: dict[str, object] = dict(
        recipient="third_party",
        third_party_purpose="location",
        third_party_id="friend-1",
        text=LOCATION,
    )
    base.update(kw)
    return base


def test_third_party_message_that_is_not_a_location_request_is_blocked() -> None:
    d = check("US", recipient="third_party", third_party_purpose=None, text="Tell Jane to call us.")
    assert d.verdict == "block"
    assert "US-THIRD-PARTY" in fired(d)


def test_us_location_request_within_limits_is_allowed() -> None:
    d = check("US", **loc())
    assert d.verdict == "allow", d.reasons


def test_us_location_request_mentioning_the_debt_is_blocked() -> None:
    d = check("US", **loc(text="Jane owes us $300, where does she live? Reply STOP to opt out."))
    assert d.verdict == "block"
    assert "US-THIRD-PARTY" in fired(d)


def test_us_location_request_saying_debt_collector_is_blocked() -> None:
    # 1006.10: a location contact does not say that the consumer owes a debt, nor who we are
    # unless asked; "debt collector" to a friend would reveal it.
    d = check("US", **loc(text="I'm a debt collector looking for Jane. Reply STOP to opt out."))
    assert "US-THIRD-PARTY" in fired(d)


def test_us_second_location_contact_to_same_person_blocked_unless_asked_again() -> None:
    earlier = ContactEvent(
        at=datetime(2026, 11, 10, 12, tzinfo=NY),
        channel="social_dm",
        recipient="third_party",
        third_party_id="friend-1",
    )
    assert check("US", **loc(history=(earlier,))).verdict == "block"
    assert check("US", **loc(history=(earlier,), third_party_asked_again=True)).verdict == "allow"
    other = ContactEvent(
        at=datetime(2026, 11, 10, 12, tzinfo=NY),
        channel="social_dm",
        recipient="third_party",
        third_party_id="friend-2",
    )
    assert check("US", **loc(history=(other,))).verdict == "allow"


def test_us_no_location_contact_when_represented_by_attorney() -> None:
    assert check("US", **loc(has_attorney=True)).verdict == "block"


def test_us_social_location_request_needs_real_name_profile() -> None:
    d = check("US", **loc(channel="social_dm", sender_real_name_profile=False))
    assert d.verdict == "block"
    assert check("US", **loc(channel="social_dm")).verdict == "allow"


def test_fr_es_uk_location_requests_go_to_review_and_others_are_blocked() -> None:
    text = {
        "FR": "Bonjour, je cherche à joindre Marie Martin. "
        "Répondez STOP pour ne plus recevoir ces messages.",
        "ES": "Hola, intento localizar a María García. "
        "Responda BAJA para dejar de recibir mensajes.",
        "UK": LOCATION,
    }
    for j, t in text.items():
        assert check(j, **loc(text=t)).verdict == "review", j
        blocked = check(j, recipient="third_party", third_party_purpose=None, text=t)
        assert blocked.verdict == "block", j
        assert f"{j}-THIRD-PARTY" in fired(blocked)
    assert check("FR", **loc(text="Marie nous doit 300 €, où habite-t-elle ?")).verdict == "block"
