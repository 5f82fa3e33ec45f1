"""Issue 24: US validation notice and debt-collector disclosure; stopping contact is policy."""

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError

from concilia.outreach.rules import ContactEvent, Decision, OptOut
from tests.outreach.helpers import BASE, check, fired

_SEND_AT = BASE["US"].send_at
assert _SEND_AT is not None
US_AT: datetime = _SEND_AT


def _us(**kw: object) -> Decision:
    return check("US", validation_notice_tracked=True, **kw)


def test_no_validation_notice_blocks_the_first_collection_message() -> None:
    d = _us()  # an e-mail giving the balance, no notice recorded, no earlier contact
    assert d.verdict == "block" and "US-VALIDATION-NOTICE" in fired(d)
    reason = next(r for r in d.reasons if r.rule == "US-VALIDATION-NOTICE")
    assert (
        reason.citation.startswith("12 CFR 1006.34") and "validation notice" in reason.explanation
    )


def test_the_notice_itself_a_recorded_notice_and_the_five_days_pass() -> None:
    assert "US-VALIDATION-NOTICE" not in fired(_us(kind="validation_notice"))
    assert "US-VALIDATION-NOTICE" not in fired(_us(validation_notice_at=date(2026, 11, 2)))
    call = ContactEvent(
        at=US_AT - timedelta(days=2), channel="call", debt_id="D1", conversation=True
    )
    assert "US-VALIDATION-NOTICE" not in fired(_us(history=(call,)))
    late = ContactEvent(
        at=US_AT - timedelta(days=9), channel="call", debt_id="D1", conversation=True
    )
    d = _us(history=(late,))
    assert "US-VALIDATION-NOTICE" in fired(d)
    assert "more than 5 days" in next(
        r.explanation for r in d.reasons if r.rule == "US-VALIDATION-NOTICE"
    )
    # An unanswered call conveyed nothing: it is not the initial communication.
    missed = ContactEvent(at=US_AT - timedelta(days=2), channel="call", debt_id="D1")
    assert "US-VALIDATION-NOTICE" in fired(_us(history=(missed,)))
    # A message that says nothing about the debt is not an initial communication.
    hello = "Hello Jane, this is Sam from Acme. Reply STOP to opt out."
    assert "US-VALIDATION-NOTICE" not in fired(_us(text=hello, kind="identity_request"))


def test_debt_collector_disclosure_on_every_channel() -> None:
    for channel in ("email", "sms", "social_dm", "letter"):
        d = check("US", channel=channel, text="Your balance is $120. Reply STOP to opt out.")
        assert "US-COLLECTOR-DISCLOSURE" in fired(d), channel
    assert "US-COLLECTOR-DISCLOSURE" not in fired(check("US"))  # base text says "a debt collector"
    call = check("US", channel="call", text="Calling about your balance of $120.")
    assert "US-COLLECTOR-DISCLOSURE" in fired(call)
    limited = check(
        "US",
        channel="sms",
        kind="limited_content_message",
        text="Please call Sam at 555-0100 about the payment. Reply STOP to opt out.",
    )
    assert "US-COLLECTOR-DISCLOSURE" not in fired(limited)


def test_fr_es_cease_and_opt_out_let_legally_required_letters_through() -> None:
    letter = dict(
        channel="letter", cease_contact=True, first_letter_ref=None, first_letter_date=None
    )
    assert "FR-CEASE" not in fired(check("FR", kind="first_letter", **letter))
    assert "FR-CEASE" not in fired(check("FR", kind="formal_notice", **letter))
    assert "FR-CEASE" in fired(check("FR", kind="reminder", cease_contact=True))
    opted = (OptOut("letter"),)
    assert "FR-CHANNEL-OPT-OUT" not in fired(
        check("FR", channel="letter", kind="formal_notice", opt_outs=opted)
    )
    assert "FR-CHANNEL-OPT-OUT" in fired(
        check("FR", channel="letter", kind="reminder", opt_outs=opted)
    )
    assert "ES-CEASE" not in fired(
        check("ES", channel="letter", kind="formal_notice", cease_contact=True)
    )
    assert "ES-CEASE" in fired(check("ES", kind="reminder", cease_contact=True))
    assert "ES-CHANNEL-OPT-OUT" not in fired(
        check("ES", kind="formal_notice", opt_outs=(OptOut("sms"),))
    )


def test_agency_settings_carry_the_sender_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    from concilia.outreach.settings import OutreachSettings

    assert OutreachSettings().sender_kind == "agency"
    monkeypatch.setenv("CONCILIA_OUTREACH_SENDER_KIND", "lawyer")
    assert OutreachSettings().sender_kind == "lawyer"
    monkeypatch.setenv("CONCILIA_OUTREACH_SENDER_KIND", "bailiff")
    with pytest.raises(ValidationError):
        OutreachSettings()
