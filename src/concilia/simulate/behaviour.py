"""Debtor behaviour with ground truth: how a simulated person reacts to each contact.

The outcome simulator (``concilia strategy simulate``) builds people with the world's own
generator (:mod:`concilia.simulate.people`, life events included) and their portfolio rows
(:mod:`concilia.simulate.portfolio`, dirty and partly out of date), then asks this module how
each person reacts to each contact the strategies make.

Every parameter below says where its value comes from. ``source`` means a published figure
(often from a secondary report of it, said so); ``assumption`` means a value chosen for this
model with no source behind it. The sensitivity analysis (bench/strategy_sensitivity.py)
moves the key ones by ±50 %: the results are only as good as these numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, fields, replace
from typing import Any

from concilia.simulate.layout import Layout
from concilia.simulate.people import Person, make_person
from concilia.simulate.portfolio import COLUMNS, rows
from concilia.simulate.schemas import SimulationSettings

DIGITAL = ("email", "sms", "social_dm")
DEBT_KINDS = ("first_contact", "reminder", "plan_proposal", "first_letter", "validation_notice")
# Life events whose recent occurrence makes the person vulnerable (ground truth).
VULNERABILITY_EVENTS = ("bereavement", "illness_or_disability")


def _p(value: float, why: str) -> Any:
    return field(default=value, metadata={"why": why})


@dataclass(frozen=True)
class BehaviourParams:
    """The model's numbers; ``metadata['why']`` documents each one."""

    email_notice: float = _p(
        0.22,
        "source: Mailchimp e-mail benchmarks (Oct 2019), average unique open rate 22.71 % "
        "(mailchimp.com/resources/email-marketing-benchmarks); marketing mail, not collections",
    )
    sms_notice: float = _p(
        0.80,
        "source, discounted: Gartner's 98 % SMS open rate as quoted by TrueAccord's blog "
        "(blog.trueaccord.com, 2025-01-27); lowered to 0.80 by assumption for unknown senders",
    )
    social_notice: float = _p(0.50, "assumption: private messages from a stranger's account")
    letter_notice: float = _p(0.60, "assumption: share of collection letters opened and read")
    call_answer: float = _p(
        0.25,
        "source: 20-30 % right-party contact per call for a manual collector (Lighthouse "
        "Consulting white paper, 2014, getlivetransfers.com); ACA International survey (as "
        "reported by spokeo.com) says call blocking has lowered it since",
    )
    evening_call_factor: float = _p(
        1.3, "assumption: calls after 17:00 local are answered 30 % more often than by day"
    )
    engage_digital: float = _p(
        0.45,
        "source, as a ratio: Gartner via TrueAccord, SMS response 45 % of 98 % opens and e-mail "
        "6 % of 20 % opens (0.46 and 0.30); 0.45 times the person's willingness, by assumption",
    )
    engage_letter: float = _p(0.25, "assumption: a letter read leads to an answer this often")
    engage_call: float = _p(0.55, "assumption: a person who answers talks about the debt")
    pay_given_engaged: float = _p(
        0.35,
        "assumption: an engaged, able and willing person agrees to pay (promise or payment); "
        "McKinsey (as reported by spokeo.com) found digital contacts led to payment 73 % vs "
        "50 % for calls and mail, which the digital_pay_factor carries",
    )
    digital_pay_factor: float = _p(
        1.46, "source, as a ratio: McKinsey as reported by spokeo.com, 73 % / 50 % = 1.46"
    )
    plan_pay_factor: float = _p(
        1.5, "assumption: a plan sized to the person's means is accepted 1.5 times as often"
    )
    promise_kept: float = _p(0.60, "assumption: share of promises to pay that are kept")
    complaint_per_contact: float = _p(
        0.0005,
        "source, scaled: ACA International says debt-collection complaints to the CFPB are "
        "0.005 % of contacts (policymakers.acainternational.org); complaints to the agency "
        "itself assumed 10 times as many",
    )
    pressure_exponent: float = _p(
        1.5,
        "assumption: complaint risk grows with contacts in the last 7 days to this power "
        "(CFPB: 18-20 % of debt-collection complaints are about communication tactics, "
        "consumerfinancemonitor.com reports of the 2014-2015 annual reports)",
    )
    call_complaint_factor: float = _p(2.0, "assumption: a call annoys twice as much as a text")
    pressure_backfire: float = _p(
        0.05,
        "assumption: each contact beyond 3 in 7 days lowers willingness by 5 % (pressure "
        "backfires); it favours gentler strategies, so the sensitivity analysis moves it",
    )
    wrong_debt: float = _p(
        0.04,
        "assumption: share of accounts whose amount or owner is wrong (CFPB: 37-40 % of debt-"
        "collection complaints are about debts not owed; the share of accounts is unknown)",
    )
    dispute_if_wrong: float = _p(0.70, "assumption: an engaged person with a wrong debt disputes")
    opt_out_digital: float = _p(
        0.01,
        "source, scaled: Mailchimp average unsubscribe rate 0.25 % per campaign; four times "
        "that for collection messages by assumption",
    )
    cease_after_pressure: float = _p(
        0.03, "assumption: a person called on 5+ times in 7 days asks in writing to stop"
    )
    stale_contact_reach: float = _p(
        0.30, "assumption: an outdated e-mail or address still reaches the person"
    )
    vulnerable_after_event: float = _p(
        0.50, "assumption: a bereavement or illness in the last 12 months makes a person vulnerable"
    )
    vulnerability_known: float = _p(
        0.50,
        "assumption: share of truly vulnerable people an agent has flagged (signals accepted)",
    )
    self_cure_per_day: float = _p(
        0.0003, "assumption: daily chance an able, willing person pays without any contact"
    )

    def with_scale(self, name: str, factor: float) -> BehaviourParams:
        """A copy with one parameter multiplied (probabilities stay at most 1)."""
        value = getattr(self, name) * factor
        probability = name not in (
            "evening_call_factor",
            "digital_pay_factor",
            "plan_pay_factor",
            "pressure_exponent",
            "call_complaint_factor",
        )
        return replace(self, **{name: min(value, 1.0) if probability else value})

    @staticmethod
    def documentation() -> dict[str, str]:
        """Each parameter's source or assumption, by name."""
        return {f.name: str(f.metadata["why"]) for f in fields(BehaviourParams)}


@dataclass
class Debtor:
    """Ground truth about one simulated debtor and the rows the creditor placed."""

    person: Person
    rows: list[dict[str, str]]
    true_zone: str
    # The recorded contacts that still reach the person.
    email_current: bool
    phone_current: bool
    address_current: bool
    capacity: float  # share of the balance the person can pay within the horizon
    willingness: float
    digital_affinity: float
    vulnerable: bool
    vulnerability_known: bool
    wrong_debt: bool
    # Running state during a run (reset per strategy).
    irritation: float = 0.0

    @property
    def index(self) -> int:
        return self.person.index


def _events_in_last_year(person: Person, as_of: int) -> set[str]:
    return {label for label, day in person.events if as_of - day <= 365}


def make_debtors(*, seed: int, count: int, params: BehaviourParams, as_of: str) -> list[Debtor]:
    """``count`` debtors with their placed rows and their truth; same seed, same people."""
    settings = SimulationSettings(as_of=as_of)
    layout = Layout(
        seed=seed,
        people=count,
        country_weights=settings.country_weights,
        network_share=settings.network_share,
        no_profile=settings.noise.no_profile,
        second_account=settings.noise.second_account,
    )
    rng = random.Random(seed)
    # Behaviour draws have their own stream: changing a parameter changes no identity.
    brng = random.Random(seed * 7919 + 1)
    today = dt.date.fromisoformat(as_of).toordinal()
    out: list[Debtor] = []
    for index in range(count):
        person = make_person(index=index, layout=layout, settings=settings, rng=rng, as_of=today)
        placed, _ = rows(
            person=person, layout=layout, seed=seed, rng=rng, rates=settings.noise, as_of=today
        )
        records = [dict(zip(COLUMNS, r, strict=True)) for r in placed]
        first = records[0]
        recent = _events_in_last_year(person, today)
        capacity = brng.betavariate(1.2, 2.0)
        # Life events from the posts move the ability to pay (assumptions, documented here):
        # a lost job cuts it to 30 %, hardship to 50 %, a new job or promotion raises it 50 %.
        if "job_loss" in recent:
            capacity *= 0.3
        if "financial_hardship" in recent:
            capacity *= 0.5
        if recent & {"new_job", "promotion"}:
            capacity = min(1.0, capacity * 1.5)
        vulnerable = bool(recent & set(VULNERABILITY_EVENTS)) and (
            brng.random() < params.vulnerable_after_event
        )
        age = (today - person.birth_date) / 365.25
        out.append(
            Debtor(
                person=person,
                rows=records,
                true_zone=layout.cities[person.city].time_zone,
                email_current=bool(first["emails"]) and person.email in first["emails"],
                phone_current=bool(first["phones"])
                and person.old_phone is None
                and person.phone.replace(" ", "")[-8:] in first["phones"].replace(" ", ""),
                address_current=person.old_city is None,
                capacity=capacity,
                willingness=brng.betavariate(2.0, 2.5),
                # Younger people answer written digital messages more (assumption: linear).
                digital_affinity=max(0.3, min(1.5, 1.6 - age / 50)),
                vulnerable=vulnerable,
                vulnerability_known=vulnerable and brng.random() < params.vulnerability_known,
                wrong_debt=brng.random() < params.wrong_debt,
            )
        )
    return out


@dataclass(frozen=True)
class Reaction:
    """What a person does after one contact (all False: nothing)."""

    reached: bool = False
    engaged: bool = False
    verified: bool = False
    pays: bool = False
    complaint: bool = False
    dispute: bool = False
    opt_out: bool = False
    cease: bool = False
    delay_hours: float = 0.0


def react(
    *,
    debtor: Debtor,
    params: BehaviourParams,
    channel: str,
    kind: str,
    local_hour: int,
    recent_contacts: int,
    by_specialist: bool,
    rng: random.Random,
) -> Reaction:
    """How the person reacts to one contact on ``channel`` of ``kind`` at ``local_hour``.

    ``recent_contacts`` counts the contacts of the last 7 days, this one included.
    """
    reach = {
        "email": 1.0 if debtor.email_current else params.stale_contact_reach,
        "sms": 1.0 if debtor.phone_current else 0.0,
        "call": 1.0 if debtor.phone_current else 0.0,
        "social_dm": 1.0,
        "letter": 1.0 if debtor.address_current else params.stale_contact_reach,
    }.get(channel, 0.0)
    pressure = max(0, recent_contacts - 3)
    # Pressure backfires: willingness falls with each contact beyond three in a week.
    debtor.irritation += pressure * params.pressure_backfire
    willing = max(0.0, debtor.willingness * (1.0 - min(debtor.irritation, 0.9)))
    complaint_hazard = params.complaint_per_contact * max(1, recent_contacts) ** (
        params.pressure_exponent
    )
    if channel == "call":
        complaint_hazard *= params.call_complaint_factor
    if not 9 <= local_hour < 20:
        complaint_hazard *= 3  # assumption: a contact early or late annoys three times as much
    if debtor.vulnerable and not by_specialist:
        # Assumption: a vulnerable person contacted by anyone but a specialist, three times.
        complaint_hazard *= 3
    complaint = rng.random() < complaint_hazard
    cease = (
        channel == "call" and recent_contacts >= 5 and rng.random() < params.cease_after_pressure
    )
    if rng.random() >= reach:
        return Reaction(complaint=False)
    notice = {
        "email": params.email_notice * debtor.digital_affinity,
        "sms": params.sms_notice * min(1.0, debtor.digital_affinity),
        "social_dm": params.social_notice * debtor.digital_affinity,
        "letter": params.letter_notice,
        "call": params.call_answer * (params.evening_call_factor if local_hour >= 17 else 1.0),
    }[channel]
    opt_out = channel in DIGITAL and rng.random() < params.opt_out_digital
    if rng.random() >= min(notice, 1.0):
        return Reaction(reached=True, complaint=complaint, opt_out=opt_out, cease=cease)
    engage = {
        "call": params.engage_call,
        "letter": params.engage_letter,
    }.get(channel, params.engage_digital * debtor.digital_affinity)
    engaged = rng.random() < min(1.0, engage * (0.5 + willing))
    if not engaged:
        return Reaction(reached=True, complaint=complaint, opt_out=opt_out, cease=cease)
    delay = rng.expovariate(1 / 6.0) if channel in DIGITAL else rng.expovariate(1 / 48.0)
    if kind == "identity_request" or (channel in DIGITAL and kind not in DEBT_KINDS):
        return Reaction(
            reached=True, engaged=True, verified=True, complaint=complaint, delay_hours=delay
        )
    if debtor.wrong_debt:
        return Reaction(
            reached=True,
            engaged=True,
            verified=True,
            dispute=rng.random() < params.dispute_if_wrong,
            complaint=complaint,
            delay_hours=delay,
        )
    pay = params.pay_given_engaged * willing * (0.5 + debtor.capacity)
    if channel in DIGITAL:
        pay *= params.digital_pay_factor
    if kind == "plan_proposal":
        pay *= params.plan_pay_factor
    return Reaction(
        reached=True,
        engaged=True,
        verified=True,
        pays=rng.random() < min(pay, 1.0),
        complaint=complaint,
        cease=cease,
        delay_hours=delay,
    )
