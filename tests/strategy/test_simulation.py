"""The outcome simulator: the audit catches what it must, and a small run is sound."""

import random
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from concilia.simulate.behaviour import BehaviourParams, make_debtors, react
from concilia.strategy.simaudit import Audit, zones_of
from concilia.strategy.simsupport import target
from concilia.strategy.simulation import simulate

NOON_NY = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def audit_for(jurisdiction: str = "US", zones: tuple[str, ...] = ("America/New_York",)) -> Audit:
    audit = Audit()
    audit.register(case_id=1, jurisdiction=jurisdiction, zones=zones, vulnerable=False)
    return audit


def test_every_parameter_says_where_it_comes_from() -> None:
    docs = BehaviourParams.documentation()
    assert set(docs) == {f.name for f in fields(BehaviourParams)}
    for name, why in docs.items():
        assert why.startswith(("source", "assumption")), name


def test_the_audit_counts_quiet_hours_in_every_zone() -> None:
    audit = audit_for(zones=("America/New_York", "America/Los_Angeles"))
    audit.contact(1, "call", NOON_NY)  # 12:00 NY, 09:00 LA: fine
    audit.contact(1, "sms", NOON_NY.replace(hour=13))  # 08:00 NY, 05:00 LA: too early in LA
    assert audit.violations() == {"hours": 1}


def test_the_audit_counts_the_weekly_call_cap_and_the_quiet_week_after_a_talk() -> None:
    audit = audit_for()
    for day in range(8):
        audit.contact(1, "call", NOON_NY + timedelta(days=day))
    assert audit.violations() == {}  # one a day: never more than 7 in 7 days
    for hour in range(7):
        audit.contact(1, "call", NOON_NY + timedelta(days=20, hours=hour))
    assert audit.violations() == {}
    audit.contact(1, "call", NOON_NY + timedelta(days=21))
    assert audit.violations() == {"call_frequency": 1}  # the eighth in seven days
    talked = audit_for()
    talked.contact(1, "call", NOON_NY)
    talked.conversation(1, NOON_NY)
    talked.contact(1, "call", NOON_NY + timedelta(days=6))
    talked.contact(1, "call", NOON_NY + timedelta(days=7))
    assert talked.violations() == {"call_after_conversation": 1}


def test_the_audit_counts_contacts_the_person_stopped() -> None:
    audit = audit_for()
    audit.dispute(1, NOON_NY)
    audit.contact(1, "email", NOON_NY + timedelta(hours=1))
    audit.dispute_answered(1, NOON_NY + timedelta(days=1))
    audit.contact(1, "email", NOON_NY + timedelta(days=2))
    audit.opt_out(1, "sms", NOON_NY)
    audit.contact(1, "sms", NOON_NY + timedelta(days=3))
    audit.cease(1, NOON_NY + timedelta(days=4))
    audit.contact(1, "letter", NOON_NY + timedelta(days=5))
    assert audit.violations() == {
        "channel_after_opt_out": 1,
        "contact_after_cease": 1,
        "contact_during_open_dispute": 1,
    }


def test_zones_come_from_the_address_and_the_phone() -> None:
    assert zones_of(time_zone="America/New_York", phone="+14155550100", jurisdiction="US") == (
        "America/New_York",
        "America/Los_Angeles",
    )
    assert len(zones_of(time_zone=None, phone=None, jurisdiction="US")) == 7


def test_people_are_the_same_for_a_seed_and_react_to_pressure() -> None:
    params = BehaviourParams()
    first = make_debtors(seed=3, count=5, params=params, as_of="2026-11-01")
    again = make_debtors(seed=3, count=5, params=params, as_of="2026-11-01")
    assert [d.rows for d in first] == [d.rows for d in again]
    assert [d.willingness for d in first] == [d.willingness for d in again]
    person = first[0]
    person.phone_current = True
    calm = [
        react(debtor=person, params=params, channel="call", kind="call", local_hour=18,
              recent_contacts=1, by_specialist=False, rng=random.Random(k)).complaint
        for k in range(3000)
    ]  # fmt: skip
    person.irritation = 0.0
    hounded = [
        react(debtor=person, params=params, channel="call", kind="call", local_hour=7,
              recent_contacts=8, by_specialist=False, rng=random.Random(k)).complaint
        for k in range(3000)
    ]  # fmt: skip
    assert sum(hounded) > sum(calm)


def test_target_reads_the_issue() -> None:
    base = {"recovered": 100.0, "contacts_per_case": 5.0, "complaints": 2, "rule_violations": 0}
    better = {**base, "recovered": 130.0, "contacts_per_case": 3.0}
    met = target({"default": better, "letters-and-calls": base})
    assert met is not None and met["met"] is True and met["recovery_ratio"] == 1.3
    worse = target({"default": {**better, "complaints": 3}, "letters-and-calls": base})
    assert worse is not None and worse["met"] is False and worse["no_more_complaints"] is False


@pytest.mark.slow
def test_a_small_run_goes_through_the_engines_without_violation() -> None:
    result = simulate(
        cases=8, days=6, seed=2, strategies=["default", "letters-and-calls"], use_tone=False
    )
    for name, figures in result["strategies"].items():
        assert figures["rule_violations"] == 0, (name, figures["detail"]["violations_by_kind"])
        assert figures["contacts_per_case"] > 0, name
        assert 0.0 <= figures["recovered_share"] <= 1.0
    channels = result["strategies"]["letters-and-calls"]["detail"]["contacts_by_channel"]
    assert set(channels) <= {"letter", "call"}
