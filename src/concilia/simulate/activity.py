"""What profiles do: friend/follow edges with geographic homophily, posts, agency mentions."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import orjson

from concilia.simulate import mentions as mention_texts
from concilia.simulate import posts as post_texts
from concilia.simulate.geography import Circle, circle, draw_friend
from concilia.simulate.layout import Layout, mix64, salt_key
from concilia.simulate.noise import pick
from concilia.simulate.people import Person
from concilia.simulate.pools import AGENCIES
from concilia.simulate.profiles import iso_time, provenance
from concilia.simulate.schemas import NoiseRates, SimulationSettings

DOMAIN = {
    "social": "https://social.example",
    "pro": "https://pro.example",
    "photo": "https://photo.example",
}
EDGE_KIND = {"social": "friend", "pro": "friend", "photo": "follows"}
_JOB_EVENTS = {"new_job", "promotion", "job_loss", "business_opened", "business_closed"}
_OTHER_LANGUAGES = ("pt", "de")
_NO_EMPLOYER = {"fr": "ma boîte", "es": "la empresa", "en": "work"}


@dataclass
class Context:
    """What every chunk needs: the settings and the layout (shared, read-only)."""

    seed: int
    people: int
    settings: SimulationSettings
    layout: Layout
    as_of: int
    stock_photos: list[int]


@dataclass
class Acct:
    """A generated profile and who is behind it."""

    person: Person | None  # the owner; for an impersonator, the victim
    profile: dict[str, Any]
    locked: bool
    main: bool
    kind: str = "genuine"  # genuine | bot | sock_puppet | impersonator
    created: int = 0  # ordinal of the account's creation
    captured_at: str = ""  # when the connector captured the account and its activity


def geometric(rng: random.Random, mean: float) -> int:
    """A non-negative count with the given mean and a long tail."""
    return int(rng.expovariate(1.0 / mean) + 0.5) if mean > 0 else 0


class Activity:
    """Mixin of the chunk builder: needs ``ctx``, ``rng``, ``rates``, ``n`` and ``emit``."""

    ctx: Context
    rng: random.Random
    rates: NoiseRates
    n: dict[str, int]

    def emit(self, name: str, obj: dict[str, Any]) -> None:
        raise NotImplementedError

    def emit_raw(self, name: str, line: bytes) -> None:
        raise NotImplementedError

    def visibility(self) -> str:
        """`public`, or rarely `friends` (which importers must refuse)."""
        return "friends" if self.rng.random() < self.rates.friends_visibility else "public"

    # Edges ---------------------------------------------------------------------------------
    erng: random.Random  # the chunk's `edges:` stream: genuine profiles' edges only
    _circle: tuple[int, Circle] | None = None

    def friend_of(self, person: Person) -> int:
        """A person drawn around ``person``'s city (and old city): the legacy, single-place
        model, kept for fake and impersonating accounts and for the replay below."""
        s, lay, rng = self.ctx.settings, self.ctx.layout, self.rng
        r = rng.random()
        if r < s.friends_same_city:
            if person.old_city is not None and rng.random() < s.friends_old_city:
                return lay.in_city(person.old_city, rng)
            return lay.in_city(person.city, rng)
        if r < s.friends_same_city + s.friends_nearby:
            return lay.near_city(person.city, rng)
        if r < s.friends_same_city + s.friends_nearby + s.friends_same_country:
            return lay.in_country(lay.cities[person.city].country, rng)
        return lay.anyone(rng)

    def edge(self, pid: str, friend_id: str, kind: str, prov: str, rng: random.Random) -> None:
        """Emit one edge; ids are hex and ``prov`` is pre-encoded JSON, so no encoder is needed
        (edges are the bulk of the output)."""
        vis = "friends" if rng.random() < self.rates.friends_visibility else "public"
        self.emit_raw(
            "friends.jsonl",
            f'{{"external_id":"{pid}~{friend_id}","profile_id":"{pid}","friend_id":"{friend_id}",'
            f'"kind":"{kind}","provenance":{prov},"visibility":"{vis}"}}'.encode(),
        )
        self.n["friends"] += 1

    def _friends_prov(self, acct: Acct, pid: str) -> str:
        prof = acct.profile
        who = prof["handle"] if prof["external_id"] == pid else f"id/{pid}"
        url = f"{DOMAIN[prof['network']]}/{who}/friends"
        return orjson.dumps(provenance(url, acct.captured_at)).decode()

    def _replay_legacy_draws(self, person: Person, net: str) -> None:
        """Consume the main stream exactly as the legacy edge model did, emitting nothing.

        Genuine edges used to be drawn from the main stream, between one person's posts and
        the next person's; replaying those draws keeps every post, mention and later fake
        account byte-identical to worlds generated before the friend geography changed.
        """
        lay, rng = self.ctx.layout, self.rng
        me = person.index
        seen: set[int] = set()
        for _ in range(geometric(rng, self.ctx.settings.mean_friends[net])):
            for _try in range(3):
                j = self.friend_of(person)
                if j != me and j not in seen and lay.has_profile(j, net):
                    seen.add(j)
                    rng.random()  # the legacy edge's visibility draw
                    break

    def circle_of(self, person: Person) -> Circle:
        """The places the person's friends come from (cached for the person's accounts)."""
        if self._circle is None or self._circle[0] != person.index:
            geo = self.ctx.settings.friend_geography
            self._circle = (person.index, circle(person, geo, self.ctx.as_of))
        return self._circle[1]

    def edges(self, acct: Acct) -> None:
        """Public edges of one account (locked profiles hide theirs)."""
        if acct.locked or (acct.person is None and acct.kind == "genuine"):
            return
        lay, rng = self.ctx.layout, self.rng
        net = acct.profile["network"]
        kind = EDGE_KIND[net]
        pid = acct.profile["external_id"]
        seen: set[int] = set()
        prov = self._friends_prov(acct, pid)
        if acct.kind == "genuine":
            assert acct.person is not None
            if not acct.main:
                return
            self._replay_legacy_draws(acct.person, net)
            erng, geo = self.erng, self.ctx.settings.friend_geography
            circ = self.circle_of(acct.person)
            me = acct.person.index
            for _ in range(geometric(erng, self.ctx.settings.mean_friends[net])):
                for _try in range(3):
                    j = draw_friend(circ, lay, geo, erng)
                    if j != me and j not in seen and lay.has_profile(j, net):
                        seen.add(j)
                        self.edge(pid, lay.profile_id(j, net), kind, prov, erng)
                        break
            return
        # Fakes befriend strangers in bulk; impersonators target the victim's circle.
        home = acct.person
        mean = 12.0 if acct.kind == "bot" else 5.0
        for _ in range(geometric(rng, mean)):
            j = self.friend_of(home) if home is not None else lay.anyone(rng)
            if j not in seen and lay.has_profile(j, net):
                seen.add(j)
                fid = lay.profile_id(j, net)
                self.edge(pid, fid, kind, prov, rng)
                if acct.kind == "impersonator" and rng.random() < 0.3:
                    # Some of the victim's friends accept the copy's request.
                    self.edge(fid, pid, kind, self._friends_prov(acct, fid), rng)

    # Posts ---------------------------------------------------------------------------------
    def post_time(self, acct: Acct, around: int | None = None) -> tuple[int, int]:
        """A posting day (ordinal) after the account's creation, and a second of the day."""
        rng, as_of = self.rng, self.ctx.as_of
        created = acct.created or as_of - 4000
        if around is not None:
            day = around + int(rng.random() * 10)
        elif not acct.main and acct.kind == "genuine":
            day = created + int(rng.random() * 1500)  # an abandoned account stops early
        else:
            day = as_of - int(rng.expovariate(1 / 420.0))
        return min(as_of, max(created, day)), 21600 + int(rng.random() * 64800)

    def post(
        self, acct: Acct, label: str, around: int | None = None, event_id: int | None = None
    ) -> None:
        """Emit one post of the account with its truth."""
        rng, rates, person = self.rng, self.rates, acct.person
        genuine = acct.kind == "genuine"
        lang = person.language if person is not None else "en"
        if not genuine and person is not None:
            lang = {"FR": "fr", "ES": "es"}.get(person.country, "en")
        if label == "none" and genuine and rng.random() < rates.other_language:
            lang = pick(rng, _OTHER_LANGUAGES)
        slots = self.slots(person, label)
        if acct.kind in ("bot", "impersonator"):
            text = pick(rng, mention_texts.SPAM[lang if lang in mention_texts.SPAM else "en"])
            composed = post_texts.PostText(text, [], lang, "none", False, False)
        else:
            composed = post_texts.compose(
                rng=rng, language=lang, label=label, slots=slots, rates=rates
            )
        day, sec = self.post_time(acct, around)
        pid = acct.profile["external_id"]
        number = self.n["posts"]
        post_id = f"{pid}-{mix64(self._post_key() ^ number) % 10**9:09d}"
        vis = self.visibility()
        obj: dict[str, Any] = {
            "external_id": post_id,
            "profile_id": pid,
            "created_at": iso_time(day, sec),
            "text": composed.text,
        }
        if rng.random() < rates.post_language_field:
            obj["language"] = composed.language
        if composed.hashtags:
            obj["hashtags"] = composed.hashtags
        obj["provenance"] = provenance(
            f"{DOMAIN[acct.profile['network']]}/p/{post_id}", acct.captured_at
        )
        obj["visibility"] = vis
        self.emit("posts.jsonl", obj)
        self.emit(
            "truth_posts.jsonl",
            {
                "external_id": post_id,
                "profile_id": pid,
                "person_id": person.person_id if genuine and person is not None else None,
                "label": composed.label,
                "language": composed.language,
                "negated": composed.negated,
                "ironic": composed.ironic,
                "event_id": event_id if composed.label != "none" else None,
                "visibility": vis,
            },
        )
        self.n["posts"] += 1

    def _post_key(self) -> int:
        key: int | None = getattr(self, "_pk", None)
        if key is None:
            key = salt_key(self.ctx.seed, f"post:{self.chunk_index}")
            self._pk = key
        return key

    chunk_index: int
    _pk: int

    def slots(self, person: Person | None, label: str) -> dict[str, str]:
        """Values for the template slots."""
        if person is None:
            return {"employer": "", "job": "", "city": "", "old_city": ""}
        lay = self.ctx.layout
        employer, job = person.employer, person.job
        if label in ("job_loss", "business_closed") or employer is None:
            employer, job = person.old_employer, person.old_job
        old = (
            person.old_city
            if person.old_city is not None
            else lay.random_city_in_country(person.country, self.rng)
        )
        return {
            "employer": employer or _NO_EMPLOYER.get(person.language, "work"),
            "job": job or "",
            "city": lay.cities[person.city].name,
            "old_city": lay.cities[old].name,
        }

    def person_posts(self, person: Person, accts: list[Acct]) -> None:
        """Announce the person's life events, then chatter, on their public accounts."""
        rng, s = self.rng, self.ctx.settings
        public = [a for a in accts if not a.locked]
        mains = [a for a in public if a.main]
        if not public:
            return
        for number, (label, day) in enumerate(person.events):
            if not mains or rng.random() >= s.event_announced:
                continue
            pro = [a for a in mains if a.profile["network"] == "pro"]
            where = (
                pro[0] if label in _JOB_EVENTS and pro and rng.random() < 0.7 else pick(rng, mains)
            )
            self.post(where, label, around=day, event_id=number)
            if rng.random() < 0.15 and len(mains) > 1:
                self.post(pick(rng, mains), label, around=day, event_id=number)
        for acct in public:
            net = acct.profile["network"]
            mean = s.mean_posts[net] if acct.main else 0.8
            for _ in range(geometric(rng, mean)):
                self.post(acct, "none")

    def mention(self, person: Person, acct: Acct, number: int) -> None:
        """A public post of the person about a collection agency."""
        rng = self.rng
        country = person.country if rng.random() < 0.8 else pick(rng, sorted(AGENCIES))
        agency = pick(rng, AGENCIES[country])
        r = rng.random()
        stance = "complaint" if r < 0.55 else "question" if r < 0.85 else "praise"
        lang = person.language
        text = mention_texts.compose(
            rng=rng, language=lang, agency=agency, stance=stance, typo_rate=self.rates.post_typo
        )
        mid = f"m{mix64(salt_key(self.ctx.seed, 'mention') ^ (person.index * 8 + number)):016x}"
        day, sec = self.post_time(acct)
        net = acct.profile["network"]
        url = f"{DOMAIN[net]}/p/{mid}"
        obj: dict[str, Any] = {
            "external_id": mid,
            "author_handle": acct.profile["handle"],
            "network": net,
            "created_at": iso_time(day, sec),
            "text": text,
        }
        if rng.random() < 0.8:
            obj["agency"] = agency
        obj["language"] = lang
        obj["url"] = url
        obj["provenance"] = provenance(url, acct.captured_at)
        vis = self.visibility()
        obj["visibility"] = vis
        self.emit("mentions.jsonl", obj)
        self.emit(
            "truth_mentions.jsonl",
            {
                "external_id": mid,
                "person_id": person.person_id,
                "profile_id": acct.profile["external_id"],
                "agency": agency,
                "stance": stance,
                "language": lang,
                "visibility": vis,
            },
        )
        self.n["mentions"] += 1
