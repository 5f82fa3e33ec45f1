"""Opt-out instruction, cease-communication requests and channel opt-outs."""

import pytest

from concilia.outreach.rules import OptOut
from tests.outreach.helpers import check, fired

ALL = ["US", "FR", "ES", "UK"]


@pytest.mark.parametrize("jurisdiction", ALL)
@pytest.mark.parametrize("channel", ["email", "sms", "social_dm"])
def test_electronic_message_without_opt_out_is_blocked(jurisdiction: str, channel: str) -> None:
    d = check(jurisdiction, channel=channel, text="Hello, please call us back.")
    assert d.verdict == "block"
    assert f"{jurisdiction}-OPT-OUT-TEXT" in fired(d)


@pytest.mark.parametrize(
    "text",
    [
        "Reply STOP to opt out.",
        "To unsubscribe click here.",
        "You can opt-out of e-mails at any time.",
    ],
)
def test_us_electronic_message_with_opt_out_is_allowed(text: str) -> None:
    assert check("US", text=f"Hello, please call us back. {text}").verdict == "allow"


def test_letters_and_calls_need_no_opt_out_text() -> None:
    assert "US-OPT-OUT-TEXT" not in fired(check("US", channel="letter", text="Hello."))
    assert "US-OPT-OUT-TEXT" not in fired(check("US", channel="call", text=""))


@pytest.mark.parametrize("jurisdiction", ALL)
def test_cease_request_blocks_everything_but_its_acknowledgement(jurisdiction: str) -> None:
    d = check(jurisdiction, cease_contact=True)
    assert d.verdict == "block"
    assert f"{jurisdiction}-CEASE" in fired(d)
    ack = check(jurisdiction, cease_contact=True, kind="cease_acknowledgement")
    assert ack.verdict == "allow", ack.reasons


@pytest.mark.parametrize("jurisdiction", ALL)
def test_channel_opt_out_is_honoured(jurisdiction: str) -> None:
    d = check(jurisdiction, opt_outs=(OptOut("email"),), channel="email")
    assert d.verdict == "block"
    assert f"{jurisdiction}-CHANNEL-OPT-OUT" in fired(d)
    # Opting out of SMS does not stop e-mail.
    assert check(jurisdiction, opt_outs=(OptOut("sms"),), channel="email").verdict == "allow"


def test_address_opt_out_covers_only_that_address() -> None:
    out = (OptOut("email", "Jane@Example.org"),)
    assert check("US", opt_outs=out, address="jane@example.org").verdict == "block"
    assert check("US", opt_outs=out, address="jane.roe@example.net").verdict == "allow"
