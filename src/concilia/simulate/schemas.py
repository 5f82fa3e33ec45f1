"""Settings of the synthetic world: every noise rate, with its default (see docs/simulate.md)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

Rate = float


def _rate(default: float, what: str) -> Rate:
    return Field(default, ge=0.0, le=1.0, description=what)


class NoiseRates(BaseModel):
    """Rates of each kind of realism. All are probabilities in [0, 1]."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # People
    namesake: Rate = _rate(0.04, "person gets one of the country's very common full names")
    moved: Rate = _rate(0.30, "person moved since the debt was recorded (portfolio city is old)")
    moved_abroad: Rate = _rate(0.05, "share of movers who moved to another country")
    married_name_change: Rate = _rate(
        0.35, "woman (FR/GB/US) whose family name changed by marriage; ES uses a tenth of it"
    )
    phone_changed: Rate = _rate(0.45, "portfolio phone is an old number")
    email_changed: Rate = _rate(0.40, "portfolio e-mail is an old address")
    employer_changed: Rate = _rate(0.40, "employed person changed employer since the debt")
    # Names, in the portfolio and on profiles
    typo: Rate = _rate(0.04, "a name field carries one typo (swap, drop, double, neighbour key)")
    accent_dropped: Rate = _rate(0.30, "accents of a name are dropped")
    nickname: Rate = _rate(0.20, "profile uses a diminutive (Robert/Bob) when one exists")
    spanish_first_surname_only: Rate = _rate(0.45, "Spanish double surname cut to the first")
    spanish_surnames_swapped: Rate = _rate(0.05, "Spanish double surname written in swapped order")
    particle_dropped: Rate = _rate(0.35, "French particle (de, du, Le) dropped")
    names_swapped: Rate = _rate(0.03, "given and family names swapped")
    # Portfolio only
    portfolio_uppercase: Rate = _rate(0.30, "portfolio names in capitals (old mainframe export)")
    portfolio_missing_field: Rate = _rate(0.20, "each optional portfolio field left empty")
    portfolio_decimal_comma: Rate = _rate(0.15, "FR/ES amount written with a decimal comma")
    # Profiles
    no_profile: Rate = _rate(0.18, "person has no profile at all")
    second_account: Rate = _rate(0.06, "person also has an old, abandoned account on `social`")
    private_profile: Rate = _rate(0.12, "profile is locked: only the name and photo are public")
    partial_profile: Rate = _rate(0.20, "profile hides some fields (privacy `partial`)")
    stale_city: Rate = _rate(0.35, "mover's profile still states the old city")
    city_variant: Rate = _rate(0.25, "stated city written loosely (metro name, alternate, case)")
    photo_reused: Rate = _rate(0.65, "profile uses the person's usual photo (same hash)")
    photo_near_duplicate: Rate = _rate(0.15, "profile uses a recompressed/cropped usual photo")
    fake: Rate = _rate(0.04, "fake accounts, per genuine profile")
    impersonator: Rate = _rate(0.01, "impersonating accounts, per genuine profile")
    friends_visibility: Rate = _rate(
        0.005, "posts and friend edges with visibility `friends` (importers must refuse them)"
    )
    # Posts
    negation: Rate = _rate(0.08, "chatter post that negates a life event (labelled `none`)")
    irony: Rate = _rate(0.05, "post written ironically (label follows the real event, if any)")
    post_typo: Rate = _rate(0.15, "post with typos")
    post_accent_dropped: Rate = _rate(0.25, "FR/ES post without accents")
    emoji: Rate = _rate(0.45, "post with emoji")
    hashtag: Rate = _rate(0.35, "post with hashtags")
    other_language: Rate = _rate(0.02, "post in Portuguese or German")
    english_post: Rate = _rate(0.10, "FR/ES person posting in English")
    post_language_field: Rate = _rate(0.60, "post carries the network's `language` field")


class FriendGeography(BaseModel):
    """Where friends live: the places of a person's life and how ties outlast a move.

    Defaults and their sources: docs/simulate.md, "Friend geography".
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    anywhere: Rate = _rate(0.06, "friend drawn anywhere in the world, whatever the places")
    same_city: Rate = _rate(0.55, "friend from a place of the person's life lives in that city")
    nearby: Rate = _rate(0.25, "... within 50 km of it; the rest anywhere in its country")
    hometown_elsewhere: Rate = _rate(0.45, "person grew up in another city")
    hometown_near: Rate = _rate(0.40, "that hometown is within 50 km (else anywhere in country)")
    studied_elsewhere: Rate = _rate(0.25, "person studied in another city (by population)")
    earlier_homes_debtor: float = Field(
        0.9, ge=0, description="mean earlier homes (before the creditor's city) of a debtor"
    )
    earlier_homes_other: float = Field(0.4, ge=0, description="... of anyone else")
    weight_current: float = Field(1.0, ge=0, description="friend weight of the current city")
    weight_previous: float = Field(0.9, ge=0, description="... of a mover's previous city")
    weight_hometown: float = Field(0.35, ge=0, description="... of the hometown")
    weight_studies: float = Field(0.25, ge=0, description="... of the city of studies")
    weight_earlier: float = Field(0.25, ge=0, description="... of each earlier home")
    settle_years: float = Field(
        2.0, gt=0, description="a mover's current city weighs y/(y + settle_years) after y years"
    )


class SimulationSettings(BaseModel):
    """Everything that shapes a world besides the seed and the number of people."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: str = Field("2026-11-01", description="the world's 'today' (ISO date)")
    country_weights: dict[str, float] = Field(
        default_factory=lambda: {"FR": 0.30, "ES": 0.25, "GB": 0.20, "US": 0.25}
    )
    debtor_share: Rate = _rate(0.30, "share of people who appear in portfolio.csv")
    network_share: dict[str, float] = Field(
        default_factory=lambda: {"social": 0.85, "pro": 0.45, "photo": 0.45},
        description="chance of a profile on each network, for people with any profile",
    )
    mean_friends: dict[str, float] = Field(
        default_factory=lambda: {"social": 9.0, "pro": 6.0, "photo": 6.0},
        description="mean public friend/follow edges listed per profile",
    )
    mean_posts: dict[str, float] = Field(
        default_factory=lambda: {"social": 4.0, "pro": 1.5, "photo": 3.0},
        description="mean public posts per profile",
    )
    # Genuine profiles' friends follow `friend_geography`. These four shape only the edges of
    # fake and impersonating accounts (around the victim's city), and the draws of the legacy
    # edge model that are replayed so that the main stream keeps its order (activity.py).
    friends_same_city: Rate = _rate(0.55, "fake's/impersonator's friend in the target's city")
    friends_nearby: Rate = _rate(0.20, "... in a city within 50 km")
    friends_same_country: Rate = _rate(0.17, "... elsewhere in the same country")
    friends_old_city: Rate = _rate(0.40, "... from a mover's old city (share of same-city ones)")
    friend_geography: FriendGeography = Field(default_factory=FriendGeography)
    life_events_per_person: float = Field(1.2, ge=0, description="mean life events in 3 years")
    event_announced: Rate = _rate(0.75, "a life event is announced in a public post")
    mentions_per_person: float = Field(0.02, ge=0, description="agency mentions per person")
    noise: NoiseRates = Field(default_factory=NoiseRates)

    @field_validator("as_of")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        return dt.date.fromisoformat(value).isoformat()

    @field_validator("country_weights")
    @classmethod
    def _countries(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - {"FR", "ES", "GB", "US"}
        if unknown or not value or any(w < 0 for w in value.values()) or sum(value.values()) <= 0:
            raise ValueError("country weights: FR, ES, GB, US with non-negative weights")
        return {k: w for k, w in value.items() if w > 0}


class SimulationSummary(BaseModel):
    """What one run wrote (also saved as truth.json)."""

    format_version: int = 1
    seed: int
    people: int
    debtors: int
    debts: int
    profiles: int
    fake_profiles: int
    impersonator_profiles: int
    friends: int
    posts: int
    mentions: int
    files: list[str]
    settings: SimulationSettings
