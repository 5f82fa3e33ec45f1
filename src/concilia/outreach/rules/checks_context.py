"""Checks on the case, the person's requests, the clock and the contact history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import Field, field_validator

from concilia.outreach.rules.calendar import holiday_name, zone
from concilia.outreach.rules.model import Communication
from concilia.outreach.rules.registry import Ctx, Hit, Params, check

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class NoParams(Params):
    pass


class ExemptKindsParams(Params):
    exempt_kinds: tuple[str, ...] = ()


@check("cease_contact", ExemptKindsParams)
def cease_contact(comm: Communication, p: ExemptKindsParams, ctx: Ctx) -> Hit | None:
    if comm.cease_contact and comm.recipient == "debtor" and comm.kind not in p.exempt_kinds:
        return Hit("the person asked us to stop contacting them")
    return None


class CaseStopParams(Params):
    # flag -> severity: bankrupt blocks (automatic stay); deceased goes to a specialist
    flags: dict[Literal["bankrupt", "deceased"], Literal["block", "review"]]


@check("case_stop", CaseStopParams)
def case_stop(comm: Communication, p: CaseStopParams, ctx: Ctx) -> Hit | None:
    for flag, severity in p.flags.items():
        if getattr(comm, flag):
            return Hit(f"the case is flagged {flag}", severity, action="route_to_specialist")
    return None


@check("channel_opt_out", ExemptKindsParams)
def channel_opt_out(comm: Communication, p: ExemptKindsParams, ctx: Ctx) -> Hit | None:
    if comm.kind in p.exempt_kinds:
        return None
    for o in comm.opt_outs:
        if o.channel != comm.channel:
            continue
        if o.address is None:
            return Hit(f"the person opted out of {comm.channel}")
        if comm.address is not None and o.address.casefold() == comm.address.casefold():
            return Hit(f"the person opted out of {comm.channel} at this address")
    return None


@check("dispute_pause", ExemptKindsParams)
def dispute_pause(comm: Communication, p: ExemptKindsParams, ctx: Ctx) -> Hit | None:
    if comm.disputed and not comm.dispute_answered and comm.kind not in p.exempt_kinds:
        return Hit("the debt is disputed and the dispute has not been answered yet")
    return None


@check("vulnerability", NoParams)
def vulnerability(comm: Communication, p: NoParams, ctx: Ctx) -> Hit | None:
    if not comm.vulnerable:
        return None
    if comm.automated:
        return Hit("vulnerable case: no automated send", action="route_to_specialist")
    if not comm.sender_is_specialist:
        return Hit(
            "vulnerable case: only a trained specialist may contact", action="route_to_specialist"
        )
    return None


class HoursParams(Params):
    channels: list[str]
    start: time
    end: time
    days: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    no_public_holidays: bool = False
    # When the send time is not known yet, the check cannot pass (the outbox always knows it).
    missing_time: Literal["allow", "review", "block"] = "allow"

    @field_validator("end")
    @classmethod
    def _after_start(cls, v: time, info: object) -> time:
        start = getattr(info, "data", {}).get("start")
        if start is not None and v <= start:
            raise ValueError("end must be after start")
        return v


@check("contact_hours", HoursParams)
def contact_hours(comm: Communication, p: HoursParams, ctx: Ctx) -> Hit | None:
    if comm.channel not in p.channels:
        return None
    if comm.send_at is None:
        if p.missing_time == "allow":
            return None
        return Hit("no send time given: the hours rule cannot be checked", p.missing_time)
    zones = comm.time_zones or ctx.pack.default_time_zones
    days = set(p.days)
    bad: list[str] = []
    for name in zones:
        local = comm.send_at.astimezone(zone(name))
        t = local.time().replace(tzinfo=None)
        if not (p.start <= t <= p.end):
            bad.append(f"{local:%H:%M} in {name}")
        elif _DAYS[local.weekday()] not in days:
            bad.append(f"{local:%A} in {name}")
        elif p.no_public_holidays and ctx.pack.holiday_country:
            hol = holiday_name(local.date(), ctx.pack.holiday_country, ctx.pack.holiday_subdiv)
            if hol:
                bad.append(f"public holiday ({hol}) in {name}")
    if bad:
        window = f"{p.start:%H:%M}-{p.end:%H:%M}"
        return Hit(f"outside {window}, {'/'.join(p.days)}: " + ", ".join(bad))
    return None


class FrequencyParams(Params):
    channels: tuple[str, ...] = ("call",)
    max_attempts: int = Field(ge=0)
    window_days: int = Field(7, ge=1)
    after_conversation_days: int = Field(0, ge=0)
    per_debt: bool = True


def _local_date(comm: Communication, ctx: Ctx, when: datetime) -> date:
    zones = comm.time_zones or ctx.pack.default_time_zones
    return when.astimezone(zone(zones[0])).date() if zones else when.date()


@check("contact_frequency", FrequencyParams)
def contact_frequency(comm: Communication, p: FrequencyParams, ctx: Ctx) -> Hit | None:
    if comm.channel not in p.channels or comm.send_at is None or comm.recipient != "debtor":
        return None
    today = _local_date(comm, ctx, comm.send_at)
    window_start = today - timedelta(days=p.window_days - 1)
    attempts = 0
    for e in comm.history:
        if e.channel not in p.channels or e.recipient != "debtor":
            continue
        if p.per_debt and comm.debt_id is not None and e.debt_id != comm.debt_id:
            continue
        day = _local_date(comm, ctx, e.at)
        if day > today:
            continue
        # The day of the conversation is day one of the quiet period.
        if (
            p.after_conversation_days
            and e.conversation
            and (today - day).days < p.after_conversation_days
        ):
            return Hit(
                f"a telephone conversation took place on {day.isoformat()}: no call for "
                f"{p.after_conversation_days} days including that day"
            )
        if e.counts and day >= window_start:
            attempts += 1
    if attempts >= p.max_attempts:
        return Hit(
            f"{attempts} attempts already in the {p.window_days} days ending {today.isoformat()} "
            f"(limit {p.max_attempts})"
        )
    return None


class SafeHarbourParams(Params):
    channels: tuple[str, ...] = ("email", "sms")
    allowed_sources: tuple[str, ...] = (
        "consumer_used",
        "consumer_consent",
        "creditor_notice",
        "prior_collector",
    )
    creditor_notice_wait_days: int = 35
    text_recent_use_days: int = 60


@check("us_safe_harbour", SafeHarbourParams)
def us_safe_harbour(comm: Communication, p: SafeHarbourParams, ctx: Ctx) -> Hit | None:
    if comm.channel not in p.channels or comm.recipient != "debtor":
        return None
    if comm.address_source not in p.allowed_sources:
        return Hit(
            f"address provenance {comm.address_source or 'unknown'} is outside the safe harbour"
        )
    today = comm.send_at.date() if comm.send_at else None
    if comm.address_source == "creditor_notice":
        if comm.creditor_notice_at is None or today is None:
            return Hit("creditor notice date or send date unknown")
        if (today - comm.creditor_notice_at).days < p.creditor_notice_wait_days:
            return Hit(f"less than {p.creditor_notice_wait_days} days since the creditor's notice")
    if comm.channel == "sms":
        recent = (
            comm.address_last_used_by_consumer is not None
            and today is not None
            and (today - comm.address_last_used_by_consumer).days <= p.text_recent_use_days
        )
        checked = comm.reassigned_check_at is not None and (
            comm.address_last_used_by_consumer is None
            or comm.reassigned_check_at >= comm.address_last_used_by_consumer
        )
        if not (recent or checked):
            return Hit(
                f"number not used by the consumer in the last {p.text_recent_use_days} days "
                "and no reassigned-number check since"
            )
    return None


@check("work_address", NoParams)
def work_address(comm: Communication, p: NoParams, ctx: Ctx) -> Hit | None:
    if comm.address_is_work and comm.channel == "email":
        return Hit("the address is provided by the person's employer")
    return None


@check("contact_preferences", NoParams)
def contact_preferences(comm: Communication, p: NoParams, ctx: Ctx) -> Hit | None:
    if comm.preferred_channels and comm.channel not in comm.preferred_channels:
        return Hit(f"the person asked to be contacted by {', '.join(comm.preferred_channels)} only")
    return None
