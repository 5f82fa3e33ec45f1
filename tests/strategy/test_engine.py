"""Next best action: the law first, then the segment's steps, each explained in plain words."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from concilia.strategy import definition, engine
from concilia.strategy.engine import Done, next_action, slot
from concilia.strategy.segments import CaseFacts

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # Tuesday, 10:30 in Paris
# A Spanish case living in Paris's zone: the default strategy's French segment (letter
# first, CPCE R124-4) has its own test below; these test the generic segments.
FACTS = CaseFacts(
    case_id=1,
    debtor_id=1,
    debt_id=1,
    jurisdiction="ES",
    lang="es",
    time_zone="Europe/Paris",
    currency="EUR",
    stage="new",
    balance=Decimal("1200"),
    age_days=400,
    ability="unknown",
    vulnerable=False,
    disputed_open=False,
    cease_contact=False,
    deceased=False,
    bankrupt=False,
    addresses={"email": "m@example.org", "sms": "+33612345678", "call": "+33612345678"},
)
DEFAULT = definition.get("default")


def nba(facts: CaseFacts = FACTS, done: list[Done] | None = None, now: datetime = NOW):
    return next_action(facts=facts, strategy=DEFAULT, done=done or [], now=now)


def test_first_step_is_an_identity_request_by_text_in_the_evening() -> None:
    action = nba()
    assert (action.kind, action.channel, action.template) == ("send", "sms", "identity_request")
    # 10:30 in Paris: the text waits for the strategy's evening hours (17:00 local).
    assert action.at == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert action.segment == "standard"
    steps = len(DEFAULT.segment("standard").steps)
    assert f"step 1 of {steps}" in action.explanation


def test_the_law_comes_before_any_segment() -> None:
    assert nba(replace(FACTS, disputed_open=True)).kind == engine.PAUSE
    assert "disputes" in nba(replace(FACTS, disputed_open=True)).explanation
    assert nba(replace(FACTS, cease_contact=True)).kind == engine.NONE
    special = nba(replace(FACTS, vulnerable=True))
    assert (special.kind, special.to) == (engine.SPECIALIST, "specialist")
    assert "never an automated message" in special.explanation
    assert nba(replace(FACTS, bankrupt=True)).kind == engine.ESCALATE
    assert nba(replace(FACTS, stage="paid")).kind == engine.NONE


def test_a_pending_promise_is_waited_for() -> None:
    action = nba(replace(FACTS, promise_due=date(2026, 12, 1)))
    assert action.kind == engine.WAIT
    assert "2026-12-01" in action.explanation


def test_segments_follow_the_accepted_band_and_the_balance() -> None:
    assert nba(replace(FACTS, ability="low")).segment == "low_ability"
    assert nba(replace(FACTS, balance=Decimal("120"))).segment == "small_balance"


def test_steps_wait_their_days_and_skipped_steps_are_explained() -> None:
    done = [
        Done("standard", 0, "queued", "sms", NOW),
        Done("standard", 1, "queued", "email", NOW + timedelta(days=1)),
    ]
    action = nba(done=done, now=NOW + timedelta(days=1, hours=1))
    # No social profile, no verified channel, no postal address, not verified: the person
    # is on the "no answer" track; its first call waits 4 days after the e-mail (a Sunday,
    # so Monday) at the strategy's evening hours in Paris.
    assert action.kind == engine.CALL
    assert action.at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert "no known address for a private social message" in action.explanation
    assert "not verified on any digital channel" in action.explanation
    assert "not verified on any channel yet" in action.explanation
    assert action.priority is not None and action.priority < 1_000_000  # not due: low


def test_a_person_verified_by_text_hears_about_the_debt_by_text() -> None:
    # The defect this fixes: every debt message was an e-mail that needed an identity
    # verified by e-mail, and the letter was skipped for anyone who answered, so a person
    # who answered the identity text never heard what they owe.
    verified = replace(FACTS, verified=frozenset({"sms"}), last_reply_at=NOW - timedelta(days=1))
    done = [Done("standard", 0, "queued", "sms", NOW - timedelta(days=2))]
    action = nba(verified, done=done)
    assert (action.kind, action.channel, action.template) == ("send", "sms", "first_contact")
    assert "the identity is already verified on another channel" in action.explanation
    assert "where the person confirmed who they are: a text message" in action.explanation
    # Verified by e-mail instead: the same step goes by e-mail.
    by_mail = replace(verified, verified=frozenset({"email"}))
    assert nba(by_mail, done=done).channel == "email"
    # The person's preferred channel wins among the verified ones.
    both = replace(verified, verified=frozenset({"sms", "email"}), preferred_channel="email")
    assert nba(both, done=done).channel == "email"


def test_a_digital_step_never_uses_a_refused_channel() -> None:
    verified = replace(FACTS, verified=frozenset({"sms"}), last_reply_at=NOW)
    done = [
        Done("standard", 0, "queued", "sms", NOW - timedelta(days=2)),
        Done("standard", 1, "blocked", "sms", NOW - timedelta(days=2), ("consent",)),
    ]
    action = nba(verified, done=done)
    assert action.channel != "sms"


def test_a_stated_preference_replaces_the_digital_channel() -> None:
    action = nba(replace(FACTS, preferred_channel="email"))
    assert action.channel == "email"
    assert "prefers an e-mail" in action.explanation


def test_a_channel_the_rules_refused_for_consent_is_not_used_again() -> None:
    done = [Done("standard", 0, "blocked", "sms", NOW, ("consent",))]
    later = NOW + timedelta(days=10)
    action = nba(done=done, now=later)
    assert action.channel != "sms"


def test_missing_addresses_skip_steps() -> None:
    action = nba(replace(FACTS, addresses={"letter": "3 rue Exemple, 69001, Lyon"}))
    assert action.channel == "letter"
    assert "no known address for a text message" in action.explanation
    assert "no known address for an e-mail" in action.explanation


@settings(max_examples=150, deadline=None)
@given(
    minutes=st.integers(min_value=0, max_value=60 * 24 * 30),
    zone=st.sampled_from(
        [
            "Europe/Paris",
            "America/New_York",
            "America/Los_Angeles",
            "Pacific/Honolulu",
            "Europe/London",
            "Australia/Sydney",
        ]
    ),
    start=st.integers(min_value=8, max_value=18),
    length=st.integers(min_value=2, max_value=6),
)
def test_a_slot_is_inside_the_local_hours_never_on_sunday(
    minutes: int, zone: str, start: int, length: int
) -> None:
    earliest = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    hours = (start, min(start + length, 21))
    at = slot(earliest=earliest, zone=zone, hours=hours)
    local = at.astimezone(ZoneInfo(zone))
    assert at >= earliest
    assert local.weekday() != 6
    assert hours[0] <= local.hour < hours[1]
    assert at - earliest < timedelta(days=3)


def test_in_france_the_letter_comes_before_any_other_message_about_the_debt() -> None:
    fr = replace(
        FACTS,
        jurisdiction="FR",
        lang="fr",
        addresses={**FACTS.addresses, "letter": "3 rue Exemple, 69001, Lyon"},
    )
    first = nba(fr)
    assert (first.segment, first.template) == ("france_letter_first", "identity_request")
    # The person answered and is verified: the letter still goes, before any e-mail about
    # the debt (the generic segments skip it for a person who answered).
    answered = replace(fr, verified=frozenset({"email"}), last_reply_at=NOW - timedelta(days=1))
    done = [Done("france_letter_first", 0, "sent", "email", NOW - timedelta(days=3))]
    nxt = nba(answered, done=done)
    assert (nxt.channel, nxt.template) == ("letter", "first_letter")
