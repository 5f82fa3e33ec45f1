"""Generate one chunk of people with everything that hangs off them, as encoded lines.

A chunk is a fixed range of person indices with its own RNG stream seeded from
(seed, chunk index), so the output does not depend on how many processes run the chunks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from typing import Any

import orjson

from concilia.simulate import portfolio as portfolio_rows
from concilia.simulate.activity import DOMAIN, Activity, Context
from concilia.simulate.activity import Acct as _Acct
from concilia.simulate.geography import life_history
from concilia.simulate.layout import NETWORKS, Layout, mix64, salt_key
from concilia.simulate.people import Person, make_person
from concilia.simulate.pools import LANGUAGE, pool
from concilia.simulate.profiles import (
    bio_for,
    capture_time,
    counts,
    display_name,
    flip_bits,
    handle_for,
    hide_fields,
    iso_date,
    lock,
    metro_of,
    photo_hash,
    provenance,
    random_identity,
    school_for,
    stated_city,
)
from concilia.simulate.schemas import SimulationSettings

CHUNK_SIZE = 2000
FILES = (
    "portfolio.csv",
    "profiles.jsonl",
    "friends.jsonl",
    "posts.jsonl",
    "mentions.jsonl",
    "truth_people.jsonl",
    "truth_debtors.jsonl",
    "truth_profiles.jsonl",
    "truth_posts.jsonl",
    "truth_mentions.jsonl",
)
_CREATED = {"social": (2008, 2023), "pro": (2010, 2024), "photo": (2012, 2025)}
_dumps = orjson.dumps


@dataclass
class ChunkOutput:
    """Encoded lines per file, and counters."""

    data: dict[str, bytes]
    counts: dict[str, int] = field(default_factory=dict)


def _ordinal(year: int) -> int:
    return dt.date(year, 1, 1).toordinal()


def _ord(iso: str) -> int:
    return dt.date.fromisoformat(iso).toordinal()


class _Builder(Activity):
    def __init__(self, ctx: Context, chunk: int) -> None:
        self.ctx = ctx
        self.chunk_index = chunk
        self.rng = random.Random(f"simulate:{ctx.seed}:{chunk}")
        # Own streams for the friend geography, so it can change without moving a name or a post.
        self.hrng = random.Random(f"history:{ctx.seed}:{chunk}")
        self.erng = random.Random(f"edges:{ctx.seed}:{chunk}")
        self.rates = ctx.settings.noise
        self.out: dict[str, list[bytes]] = {name: [] for name in FILES if name != "portfolio.csv"}
        self.csv_buf = io.StringIO()
        self.csv = csv.writer(self.csv_buf, lineterminator="\n")
        self.n = {
            "debtors": 0,
            "debts": 0,
            "profiles": 0,
            "fake": 0,
            "impersonator": 0,
            "friends": 0,
            "posts": 0,
            "mentions": 0,
        }

    def emit(self, name: str, obj: dict[str, Any]) -> None:
        self.out[name].append(_dumps(obj))

    def emit_raw(self, name: str, line: bytes) -> None:
        self.out[name].append(line)

    # Profiles ------------------------------------------------------------------------------
    def genuine(self, person: Person, network: str, k: int) -> _Acct:
        ctx, rng, rates = self.ctx, self.rng, self.rates
        tags: list[str] = []
        person_for_name = person
        name, given = display_name(person_for_name, network, rng, rates, tags)
        year = dt.date.fromordinal(person.birth_date).year
        handle = handle_for(
            given,
            person.family if "maiden_name" not in tags else person.birth_family,
            year,
            network,
            rng,
        )
        lo, hi = _CREATED[network] if k == 0 else (2007, 2014)
        created = min(rng.randrange(_ordinal(lo), _ordinal(hi + 1)), ctx.as_of - 30)
        pid = ctx.layout.profile_id(person.index, network, k)
        prof: dict[str, Any] = {
            "external_id": pid,
            "network": network,
            "display_name": name,
            "handle": handle,
        }
        fill = {"social": 0.7, "pro": 0.9, "photo": 0.4}[network]
        if rng.random() < fill:
            if k == 1 and person.old_city is not None:
                city = ctx.layout.cities[person.old_city]
                prof["city"], prof["country"] = city.name, city.country
            else:
                prof["city"], prof["country"] = stated_city(person, ctx.layout, rng, rates, tags)
        employer = person.employer
        job = person.job
        if person.old_employer and (
            k == 1 or (employer != person.old_employer and rng.random() < 0.2)
        ):
            employer, job = person.old_employer, person.old_job
            tags.append("stale_employer")
        if employer and rng.random() < {"social": 0.25, "pro": 0.88, "photo": 0.05}[network]:
            prof["employer"] = employer
            if job and rng.random() < (0.9 if network == "pro" else 0.4):
                prof["job_title"] = job
        if rng.random() < {"social": 0.3, "pro": 0.6, "photo": 0.05}[network]:
            prof["school"] = school_for(person, ctx.layout, rng)
        if rng.random() < {"social": 0.35, "pro": 0.05, "photo": 0.12}[network]:
            prof["birthday"] = iso_date(person.birth_date)[5:]
        lang = LANGUAGE[person.country]
        if rng.random() < 0.5:
            slots = {
                "job": job or "",
                "employer": employer or "",
                "city": ctx.layout.cities[person.city].name,
            }
            prof["bio"] = bio_for(lang, slots, rng)
        ph = photo_hash(person.photo, rng, rates)
        if ph is not None:
            prof["photo_hash"] = ph
        prof["created_at"] = iso_date(created)
        prof.update(counts(network, rng))
        prof["privacy"] = "public"
        if rng.random() < 0.5:
            prof["language"] = lang
        if rng.random() < 0.03:
            prof["phones"] = [person.phone]
        if rng.random() < (0.08 if network == "pro" else 0.03):
            prof["emails"] = [person.email]
        locked = rng.random() < rates.private_profile
        if locked:
            lock(prof)
            tags.append("private")
        elif rng.random() < rates.partial_profile:
            hide_fields(prof, rng)
            tags.append("partial")
        captured = capture_time(ctx.as_of, rng)
        prof["provenance"] = provenance(f"{DOMAIN[network]}/{handle}", captured)
        prof["visibility"] = "public"
        self.emit("profiles.jsonl", prof)
        self.emit(
            "truth_profiles.jsonl",
            {
                "external_id": pid,
                "network": network,
                "person_id": person.person_id,
                "kind": "genuine",
                "main_account": k == 0,
                "impersonates_person_id": None,
                "copies_profile_id": None,
                "noise": sorted(set(tags)),
            },
        )
        self.n["profiles"] += 1
        return _Acct(person, prof, locked, k == 0, "genuine", created, captured)

    def fake(self, number: int, near: Person) -> _Acct:
        ctx, rng = self.ctx, self.rng
        network = rng.choices(NETWORKS, (0.5, 0.15, 0.35))[0]
        country = near.country
        given, family, _ = random_identity(country, rng)
        bot = rng.random() < 0.6
        handle = handle_for(given, family, rng.randrange(1970, 2005), network, rng)
        if bot:
            handle += str(rng.randrange(100, 99999))
        pid = ctx.layout.extra_id(network, "fake", number)
        prof: dict[str, Any] = {
            "external_id": pid,
            "network": network,
            "display_name": f"{given} {family}",
            "handle": handle,
        }
        city = ctx.layout.cities[near.city]
        if rng.random() < 0.6:
            prof["city"], prof["country"] = city.name, city.country
        lang = LANGUAGE[country]
        if rng.random() < 0.7:
            prof["bio"] = bio_for(
                lang, {"job": "", "employer": "", "city": city.name}, rng, spam=bot
            )
        if rng.random() < 0.85:
            photo = (
                rng.choice(ctx.stock_photos) if bot or rng.random() < 0.5 else rng.getrandbits(64)
            )
            prof["photo_hash"] = f"{photo:016x}"
        span = 400 if bot else 3000
        prof["created_at"] = iso_date(ctx.as_of - rng.randrange(10, span))
        prof.update(counts(network, rng, fake=bot))
        prof["privacy"] = "public"
        captured = capture_time(ctx.as_of, rng)
        prof["provenance"] = provenance(f"{DOMAIN[network]}/{handle}", captured)
        prof["visibility"] = "public"
        self.emit("profiles.jsonl", prof)
        self.emit(
            "truth_profiles.jsonl",
            {
                "external_id": pid,
                "network": network,
                "person_id": None,
                "kind": "fake",
                "fake_style": "bot" if bot else "sock_puppet",
                "main_account": False,
                "impersonates_person_id": None,
                "copies_profile_id": None,
                "noise": [],
            },
        )
        self.n["profiles"] += 1
        self.n["fake"] += 1
        style = "bot" if bot else "sock_puppet"
        return _Acct(None, prof, False, False, style, _ord(prof["created_at"]), captured)

    def impersonator(self, number: int, victim: _Acct) -> _Acct:
        ctx, rng = self.ctx, self.rng
        src = victim.profile
        assert victim.person is not None
        network = src["network"] if rng.random() < 0.7 else rng.choice(NETWORKS)
        handle = src["handle"] + rng.choice(("_", "1", ".officiel", "_official", "2", "x", ".real"))
        pid = ctx.layout.extra_id(network, "impersonator", number)
        name = src["display_name"]
        if rng.random() < 0.2:
            name = name.replace("m", "rn", 1) if "m" in name else name + "."
        prof: dict[str, Any] = {
            "external_id": pid,
            "network": network,
            "display_name": name,
            "handle": handle,
        }
        for key in ("city", "country", "bio", "employer", "job_title"):
            if key in src and rng.random() < 0.7:
                prof[key] = src[key]
        if "photo_hash" in src:
            base = int(src["photo_hash"], 16)
            prof["photo_hash"] = (
                src["photo_hash"]
                if rng.random() < 0.6
                else f"{flip_bits(base, rng, rng.randint(1, 3)):016x}"
            )
        prof["created_at"] = iso_date(ctx.as_of - rng.randrange(5, 500))
        prof.update(counts(network, rng, fake=True))
        prof["privacy"] = "public"
        captured = capture_time(ctx.as_of, rng)
        prof["provenance"] = provenance(f"{DOMAIN[network]}/{handle}", captured)
        prof["visibility"] = "public"
        self.emit("profiles.jsonl", prof)
        self.emit(
            "truth_profiles.jsonl",
            {
                "external_id": pid,
                "network": network,
                "person_id": None,
                "kind": "impersonator",
                "main_account": False,
                "impersonates_person_id": victim.person.person_id,
                "copies_profile_id": src["external_id"],
                "noise": [],
            },
        )
        self.n["profiles"] += 1
        self.n["impersonator"] += 1
        return _Acct(
            victim.person, prof, False, False, "impersonator", _ord(prof["created_at"]), captured
        )

    # The chunk ---------------------------------------------------------------------------
    def truth_person(self, person: Person, accts: list[_Acct], debtor_ref: str | None) -> None:
        lay = self.ctx.layout

        def place(idx: int | None) -> dict[str, Any] | None:
            if idx is None:
                return None
            c = lay.cities[idx]
            return {
                "name": c.name,
                "country": c.country,
                "admin1": c.admin1,
                "geoname_id": c.id,
                "latitude": c.latitude,
                "longitude": c.longitude,
                "time_zone": c.time_zone,
            }

        self.emit(
            "truth_people.jsonl",
            {
                "person_id": person.person_id,
                "origin_country": person.country,
                "sex": person.sex,
                "given_names": f"{person.given} {person.middle}".strip(),
                "family_names": person.family,
                "birth_family_names": person.birth_family,
                "date_of_birth": iso_date(person.birth_date),
                "city": place(person.city),
                "previous_city": place(person.old_city),
                "moved": person.old_city is not None,
                "moved_on": iso_date(person.moved_on) if person.moved_on is not None else None,
                "past_places": [
                    {"kind": kind, **(place(city) or {})} for kind, city in person.history
                ],
                "employer": person.employer,
                "job_title": person.job,
                "debt_era_employer": person.old_employer,
                "phone": person.phone,
                "email": person.email,
                "namesake_name": person.namesake,
                "debtor_reference": debtor_ref,
                "profiles": [a.profile["external_id"] for a in accts],
                "events": [
                    {"event_id": k, "label": label, "date": iso_date(day)}
                    for k, (label, day) in enumerate(person.events)
                ],
            },
        )

    def run(self, start: int, end: int) -> ChunkOutput:
        ctx, rng, lay, s = self.ctx, self.rng, self.ctx.layout, self.ctx.settings
        people: list[tuple[Person, list[_Acct]]] = []
        debtors: set[int] = set()
        for index in range(start, end):
            person = make_person(index=index, layout=lay, settings=s, rng=rng, as_of=ctx.as_of)
            accts: list[_Acct] = []
            for net in lay.networks_of(index):
                accts.append(self.genuine(person, net, 0))
                if net == "social" and lay.has_second_account(index):
                    accts.append(self.genuine(person, net, 1))
            ref: str | None = None
            if rng.random() < s.debtor_share:
                rows, truth = portfolio_rows.rows(
                    person=person, layout=lay, seed=ctx.seed, rng=rng, rates=self.rates
                )
                self.csv.writerows(rows)
                self.emit("truth_debtors.jsonl", truth)
                ref = truth["debtor_reference"]
                debtors.add(index)
                self.n["debtors"] += 1
                self.n["debts"] += len(rows)
            life_history(
                person=person,
                layout=lay,
                geo=s.friend_geography,
                rng=self.hrng,
                debtor=ref is not None,
                as_of=ctx.as_of,
            )
            self.truth_person(person, accts, ref)
            people.append((person, accts))
        genuine_count = self.n["profiles"]
        extras: list[_Acct] = []
        n_fake = int(genuine_count * self.rates.fake + rng.random())
        for k in range(n_fake):
            extras.append(self.fake(start * 4 + k, rng.choice(people)[0]))
        victims = [a for _, accts in people for a in accts if a.main and not a.locked]
        n_imp = int(genuine_count * self.rates.impersonator + rng.random()) if victims else 0
        for k in range(n_imp):
            extras.append(self.impersonator(start * 4 + k, rng.choice(victims)))
        for person, accts in people:
            for acct in accts:
                self.edges(acct)
            self.person_posts(person, accts)
            public = [a for a in accts if a.main and not a.locked]
            rate = s.mentions_per_person * (2.5 if person.index in debtors else 0.4)
            if public and rng.random() < rate:
                self.mention(person, rng.choice(public), 0)
        for acct in extras:
            self.edges(acct)
            for _ in range(rng.randint(0, 3)):
                self.post(acct, "none")
        data = {name: b"".join(line + b"\n" for line in lines) for name, lines in self.out.items()}
        data["portfolio.csv"] = self.csv_buf.getvalue().encode("utf-8")
        return ChunkOutput(data=data, counts=dict(self.n))


def build_chunk(ctx: Context, chunk: int) -> ChunkOutput:
    """Generate chunk number ``chunk`` (people ``chunk*CHUNK_SIZE`` onwards)."""
    start = chunk * CHUNK_SIZE
    end = min(ctx.people, start + CHUNK_SIZE)
    return _Builder(ctx, chunk).run(start, end)


def make_context(*, seed: int, people: int, settings: SimulationSettings) -> Context:
    """Build the shared, read-only context of a world."""
    layout = Layout(
        seed=seed,
        people=people,
        country_weights=settings.country_weights,
        network_share=settings.network_share,
        no_profile=settings.noise.no_profile,
        second_account=settings.noise.second_account,
    )
    # Built before the workers fork, so they share them instead of rebuilding.
    for country in settings.country_weights:
        pool(country)
    metro_of(0)
    stock_key = salt_key(seed, "stock-photos")
    return Context(
        seed=seed,
        people=people,
        settings=settings,
        layout=layout,
        as_of=dt.date.fromisoformat(settings.as_of).toordinal(),
        stock_photos=[mix64(stock_key ^ k) for k in range(300)],
    )
