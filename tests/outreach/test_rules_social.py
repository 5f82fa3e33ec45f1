"""Social networks: private only, sender disclosure on connection requests, identity first."""
# ruff: noqa: E501  (message texts are test data, kept on one line to read as sent)

import pytest

from tests.outreach.helpers import check, fired

ALL = ["US", "FR", "ES", "UK"]
PRIVATE_RULE = {
    "US": "US-SOCIAL-PRIVATE",
    "FR": "FR-SOCIAL-PRIVATE",
    "ES": "ES-SOCIAL-PRIVATE",
    "UK": "UK-SOCIAL-PRIVATE",
}


@pytest.mark.parametrize("jurisdiction", ALL)
@pytest.mark.parametrize("channel", ["social_post", "social_comment", "social_tag"])
def test_public_social_channels_are_blocked_everywhere(jurisdiction: str, channel: str) -> None:
    # Even a message that says nothing about a debt: nothing goes out where others see it.
    d = check(jurisdiction, channel=channel, visibility="public", text="Hello!")
    assert d.verdict == "block"
    assert PRIVATE_RULE[jurisdiction] in fired(d)


@pytest.mark.parametrize("jurisdiction", ALL)
@pytest.mark.parametrize("visibility", ["friends", "public"])
def test_a_dm_visible_to_others_is_blocked(jurisdiction: str, visibility: str) -> None:
    d = check(jurisdiction, channel="social_dm", visibility=visibility)
    assert d.verdict == "block"
    assert PRIVATE_RULE[jurisdiction] in fired(d)


@pytest.mark.parametrize("jurisdiction", ALL)
def test_a_private_dm_is_allowed(jurisdiction: str) -> None:
    d = check(jurisdiction, channel="social_dm", visibility="private")
    assert PRIVATE_RULE[jurisdiction] not in fired(d)
    assert d.verdict == "allow", d.reasons


def test_us_connection_request_must_say_debt_collector() -> None:
    d = check(
        "US",
        channel="connection_request",
        identity_verified=False,
        text="Hi Jane, I'm John Doe from Acme. Reply STOP to opt out.",
    )
    assert d.verdict == "block"
    assert fired(d) == {"US-CONNECTION-DISCLOSE"}


def test_us_connection_request_with_disclosure_is_allowed_before_identity() -> None:
    # "debt collector" is required here and is not treated as disclosing the debt.
    d = check(
        "US",
        channel="connection_request",
        identity_verified=False,
        text="Hi Jane, I'm John Doe, a debt collector with Acme. Reply STOP to opt out.",
    )
    assert d.verdict == "allow", d.reasons


@pytest.mark.parametrize("jurisdiction", ALL)
@pytest.mark.parametrize("channel", ["social_dm", "email", "sms"])
def test_nothing_about_the_debt_before_identity_is_verified(
    jurisdiction: str, channel: str
) -> None:
    d = check(jurisdiction, channel=channel, identity_verified=False)
    assert d.verdict == "block"
    assert f"{jurisdiction}-IDENTITY-FIRST" in fired(d)


@pytest.mark.parametrize(
    ("jurisdiction", "text"),
    [
        (
            "US",
            "Hello, this is John Doe from Acme. Are you Jane Roe, born in 1980? Reply STOP to opt out.",
        ),
        (
            "FR",
            "Bonjour, ici Jean Dupont de la société Acme. Êtes-vous bien Marie Martin ? Répondez STOP pour ne plus recevoir ces messages.",
        ),
        (
            "ES",
            "Hola, soy Juan Pérez de Acme. ¿Es usted María García? Responda BAJA para dejar de recibir mensajes.",
        ),
        ("UK", "Hello, this is John Doe from Acme. Are you Jane Roe? Reply STOP to opt out."),
    ],
)
def test_identity_request_saying_nothing_of_the_debt_is_allowed(
    jurisdiction: str, text: str
) -> None:
    d = check(
        jurisdiction,
        channel="social_dm",
        identity_verified=False,
        text=text,
        kind="identity_request",
    )
    assert d.verdict == "allow", d.reasons


def test_identity_rule_applies_to_uk_calls_and_not_to_letters() -> None:
    assert "UK-IDENTITY-FIRST" in fired(check("UK", channel="call", identity_verified=False))
    letter = check("US", channel="letter", identity_verified=False)
    assert "US-IDENTITY-FIRST" not in fired(letter)
