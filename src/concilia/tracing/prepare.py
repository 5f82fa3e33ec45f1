"""Turn raw debtor and profile tables into the one normalised shape the linkage reads.

Both sides get the same columns (Splink compares column to column); values are computed
once per distinct raw value and mapped back, which keeps a million profiles to seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from concilia.tracing import keys, places, twins
from concilia.tracing import normalize as nz
from concilia.tracing import values as vl
from concilia.tracing.places import geocode

# Columns each side fills in its own way (see prepare_debtors and prepare_profiles).
SIDE_COLUMNS = [
    "prev_city",
    "handle",
    "handle_keys",
    # A debtor's city and previous address, and the grid cells of both (profiles: empty).
    "places",
    # ... those of them under places.LARGE_CITY inhabitants.
    "places_small",
    "cells",
    "said_cities",
    "said_employer",
    # The cities a profile's public posts name ("New life in Lyon").
    "post_cities",
    "friends_many",
    "friends_some",
    "friends_any",
    "friends_near",
    "friends_around",
    # The cells of the towns a profile's friends live in; on a debtor, the cells around
    # their city and previous address.
    "friends_cells",
    "cells_around",
    "friends_n",
    "friends_summary",
    "year4",
    "year2",
    "mail_surnames",
    "family_initial",
    # The displayed surname a profile's handle spells (profiles only).
    "handle_surname",
    # The last word of a display name of three words or more (profiles only): the given
    # name when the name is written surnames first ('Artigas Pablo Perlita').
    "given_last",
    # A debtor's first surname word read as a given name, nicknames folded ('nathan' of
    # Smith / Nathan Dale meets 'Nate Smith'): the file may have swapped the two.
    "family_as_given",
    # A debtor whose surname may have changed at marriage since the file or the profile
    # was written: a woman's given name, outside Spain where surnames never change.
    "name_may_change",
    # A display name of one word ('Webb', 'Marie'): given name or surname, the comparisons
    # decide which by the debtor's names (profiles only; 'y' or empty).
    "one_word",
]
COLUMNS = [
    "unique_id",
    "network",
    "given",
    "given_key",
    "family",
    "family_first",
    "family_tokens",
    "family_n",
    "name_tokens",
    "birthday",
    "city",
    "lat",
    "lon",
    "phones",
    "emails",
    "employer",
    *SIDE_COLUMNS,
    # Filled by twins.link_same_photo on profiles; always empty on debtors.
    *["linked_birthday", "linked_city", "linked_employer", "twin_ids"],
    "block_keys",
]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _map_distinct(series: pd.Series, func: Callable[[Any], V]) -> list[V]:
    """Apply ``func`` once per distinct value of ``series`` and return one result per row.

    Distinct values come from ``pd.factorize`` (hashing in C), so a million rows cost a
    million array look-ups, not a million Python dictionary probes; missing and blank
    values all get ``func(None)``."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists): no caching
        return [func(None if vl.missing(v) else v) for v in series.tolist()]
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques.tolist()):
        results[i] = func(None if vl.missing(value) else value)
    results[-1] = func(None)  # code -1: missing
    out: list[V] = results[codes].tolist()
    return out


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object)


def _phones(values: list[Any], countries: list[Any]) -> list[list[str] | None]:
    out: list[list[str] | None] = []
    for raw, country in zip(values, countries, strict=True):
        if raw is None or (isinstance(raw, float) and raw != raw):
            out.append(None)
            continue
        nums = [
            nz.phone_e164(p, None if vl.missing(country) else str(country))
            for p in nz.split_multi(raw)
        ]
        out.append(vl.none_if_empty(sorted({n for n in nums if n})))
    return out


def _emails(values: list[Any]) -> list[list[str] | None]:
    out: list[list[str] | None] = []
    for raw in values:
        if raw is None or (isinstance(raw, float) and raw != raw):
            out.append(None)
            continue
        mails = [nz.email_canonical(e) for e in nz.split_multi(raw)]
        out.append(vl.none_if_empty(sorted({m for m in mails if m})))
    return out


def _finish(
    df: pd.DataFrame,
    ids: list[str],
    names: list[nz.ParsedName],
    birthdays: list[str | None],
    countries: list[Any],
    networks: list[Any],
    side: dict[str, list[Any]],
    swapped: bool,
) -> pd.DataFrame:
    """The shared columns of both sides; ``side`` holds the side-specific ones (handle,
    handle_keys, prev_city, said_cities, friends_*, year4, year2, ...)."""
    raw_cities = [None if vl.missing(c) else str(c) for c in _col(df, "city").tolist()]
    coords = [
        geocode(c, None if vl.missing(k) else str(k))
        for c, k in zip(raw_cities, countries, strict=True)
    ]
    cities = [c[0] for c in coords]
    phones = _phones(_col(df, "phones").tolist(), countries)
    emails = _emails(_col(df, "emails").tolist())
    employers = _map_distinct(_col(df, "employer"), nz.employer_key)
    extra_cities = side.get("key_cities") or [None] * len(df)
    # A debtor's other surnames (from addresses) meet the profiles' own surname keys.
    other_surnames = side.get("mail_surnames") or [None] * len(df)
    shown_initials = side.get("family_initial") or [None] * len(df)
    name_keys: dict[int, keys.NameKeys] = {}
    blocks = []
    for i, name in enumerate(names):
        # One display name, one parsed object: its shown initial goes with it.
        nk = name_keys.get(id(name))
        if nk is None:
            nk = keys.name_block_keys(name, swapped, shown_initials[i])
            name_keys[id(name)] = nk
        blocks.append(
            keys.block_keys(
                nk.fams,
                nk.givens,
                birthdays[i],
                cities[i],
                phones[i],
                emails[i],
                side["handle_keys"][i],
                employer=employers[i],
                more_cities=extra_cities[i],
                other_surnames=other_surnames[i],
                sounds=nk.sounds,
                initials=nk.initials,
                prefixes=nk.prefixes,
                letters=nk.letters,
            )
        )
    n = len(df)
    # A profile's name of one word fills the surname columns too: which of the debtor's
    # names it is, only the pair can tell (settings: the other comparison is then missing).
    one = [
        swapped and len(nm.name_tokens) == 1 and not nm.family and shown_initials[i] is None
        for i, nm in enumerate(names)
    ]
    family = [nm.given if o else nm.family for nm, o in zip(names, one, strict=True)]
    out = pd.DataFrame(
        {
            "unique_id": ids,
            "network": [None if vl.missing(v) else str(v) for v in networks],
            "given": [nm.given or None for nm in names],
            "given_key": [nz.given_key(nm.given) if nm.given else None for nm in names],
            "family": [f or None for f in family],
            "family_first": [
                nm.given if o else nm.family_first or None for nm, o in zip(names, one, strict=True)
            ],
            "family_tokens": [
                [nm.given] if o else nm.family_tokens or None
                for nm, o in zip(names, one, strict=True)
            ],
            "family_n": [len(f.split()) for f in family],
            "name_tokens": [nm.name_tokens or None for nm in names],
            "birthday": birthdays,
            "city": [c or None for c in cities],
            "lat": [c[1] for c in coords],
            "lon": [c[2] for c in coords],
            "phones": phones,
            "emails": emails,
            "employer": [e or None for e in employers],
            "block_keys": blocks,
            **{col: side.get(col) or [None] * n for col in SIDE_COLUMNS},
            "one_word": ["y" if o else None for o in one],
        },
        columns=COLUMNS,
    )
    out["lat"] = out["lat"].astype("float64")
    out["lon"] = out["lon"].astype("float64")
    return out


def prepare_debtors(df: pd.DataFrame) -> pd.DataFrame:
    """Normalise debtors.

    Reads columns ``debtor_id, given_names, family_names, date_of_birth, city, country,
    previous_city, phones, emails, employer`` (missing columns are treated as empty).

    ``places`` holds the debtor's city and previous address, ``cells`` their grid cells:
    the comparisons intersect them with the places a profile names (``said_cities``,
    ``friends_*``) on both engines (:class:`levels.CrossIntersectLevel`).
    """
    given = _col(df, "given_names").fillna("").astype(str).tolist()
    family = _col(df, "family_names").fillna("").astype(str).tolist()
    names = [nz.parse_debtor_name(g, f) for g, f in zip(given, family, strict=True)]
    birthdays = _map_distinct(_col(df, "date_of_birth"), vl.birthday_from_date)
    years = _map_distinct(_col(df, "date_of_birth"), vl.birth_years)
    countries = _col(df, "country").tolist()
    hkeys = [vl.none_if_empty(nz.handle_keys(nm)) for nm in names]
    prev_raw = _col(df, "previous_city").tolist()
    prev_country = _col(df, "previous_country").tolist() if "previous_country" in df else countries
    prev = [
        geocode(None if vl.missing(c) else str(c), None if vl.missing(k) else str(k))
        for c, k in zip(prev_raw, prev_country, strict=True)
    ]
    ids = [str(v) for v in _col(df, "debtor_id").tolist()]
    mails = _map_distinct(_col(df, "emails"), vl.mail_names)
    side: dict[str, list[Any]] = {
        "handle_keys": hkeys,
        "prev_city": [p[0] or None for p in prev],
        "key_cities": [[p[0]] if p[0] else None for p in prev],
        "friends_n": [0] * len(df),
        "year4": [y[0] for y in years],
        "year2": [y[1] for y in years],
        "mail_surnames": [vl.other_surnames(m, nm) for m, nm in zip(mails, names, strict=True)],
        "family_as_given": [nz.given_key(nm.family_first) or None for nm in names],
        "name_may_change": [
            # A flag as text: both engines read a column holding only NULLs as text.
            "y" if nz.usually_female(nm.given) and vl.upper_or_none(c) != "ES" else None
            for nm, c in zip(names, countries, strict=True)
        ],
    }
    out = _finish(df, ids, names, birthdays, countries, [None] * len(df), side, False)
    # The debtor's own city comes geocoded from _finish; the previous address from above.
    here = zip(out["city"].tolist(), out["lat"].tolist(), out["lon"].tolist(), strict=True)
    places_of: list[list[str] | None] = []
    small_of: list[list[str] | None] = []
    cells_of: list[list[str] | None] = []
    around_of: list[list[str] | None] = []
    located = zip(here, prev, countries, prev_country, strict=True)
    for (city, lat, lon), (p_city, p_lat, p_lon), k, p_k in located:
        places_of.append(vl.none_if_empty(list(dict.fromkeys(c for c in (city, p_city) if c))))
        small = [
            c
            for c, ck in ((city, k), (p_city, p_k))
            if c and not places.large_city(c, None if vl.missing(ck) else str(ck))
        ]
        small_of.append(vl.none_if_empty(list(dict.fromkeys(small))))
        cells = (_cell_of(lat, lon), _cell_of(p_lat, p_lon))
        cells_of.append(vl.none_if_empty(list(dict.fromkeys(c for c in cells if c))))
        around = [*places.cells_around(lat, lon), *places.cells_around(p_lat, p_lon)]
        around_of.append(vl.none_if_empty(list(dict.fromkeys(around))))
    out["places"] = places_of
    out["places_small"] = small_of
    out["cells"] = cells_of
    out["cells_around"] = around_of
    return out


def _cell_of(lat: float | None, lon: float | None) -> str | None:
    """The grid cell of a geocoded point (None or NaN when the place is unknown)."""
    if lat is None or lon is None or math.isnan(lat) or math.isnan(lon):
        return None
    return places.cell(lat, lon)


def _said_cities(bios: pd.Series, schools: pd.Series, countries: list[Any]) -> list[Any]:
    """places.said_cities of the rows that have a bio or a school (most have neither)."""
    out: list[Any] = [None] * len(bios)
    rows = np.flatnonzero(bios.notna().to_numpy() | schools.notna().to_numpy())
    if len(rows) == 0:
        return out
    bio, school = bios.to_numpy(), schools.to_numpy()
    for i in rows.tolist():
        b, s, k = bio[i], school[i], countries[i]
        out[i] = vl.none_if_empty(
            places.said_cities(
                None if vl.missing(b) else str(b),
                None if vl.missing(s) else str(s),
                None if vl.missing(k) else str(k),
            )
        )
    return out


def prepare_profiles(df: pd.DataFrame) -> pd.DataFrame:
    """Normalise public profiles.

    Reads columns ``profile_id, network, display_name, handle, city, country, employer,
    birthday (MM-DD), phones, emails, bio, school, friend_places, post_places`` (missing
    columns are treated as empty; ``friend_places`` comes from :func:`places.friend_places`,
    ``post_places`` from :func:`places.post_places`).
    """
    # One pass per distinct display name and per distinct handle.
    shown = _map_distinct(_col(df, "display_name"), vl.display_name)
    names = [s[0] for s in shown]
    birthdays = _map_distinct(_col(df, "birthday"), vl.birthday_md)
    countries = _col(df, "country").tolist()
    read_handles = _map_distinct(_col(df, "handle"), vl.handle)
    handles = [h[0] for h in read_handles]
    years = [h[1] for h in read_handles]
    said = _said_cities(_col(df, "bio"), _col(df, "school"), countries)
    posted = _map_distinct(_col(df, "post_places"), places.post_cities)
    friends = _map_distinct(_col(df, "friend_places"), places.friend_columns)
    summaries = (
        [None if vl.missing(v) else str(v) for v in df["friend_places"].tolist()]
        if "friend_places" in df.columns
        else [None] * len(df)
    )
    ids = [str(v) for v in _col(df, "profile_id").tolist()]
    side: dict[str, list[Any]] = {
        "handle": handles,
        "handle_keys": [[h] if h else None for h in handles],
        "said_cities": said,
        "said_employer": _map_distinct(_col(df, "bio"), places.said_employer),
        "post_cities": posted,
        "friends_many": [f[0] for f in friends],
        "friends_some": [f[1] for f in friends],
        "friends_any": [f[2] for f in friends],
        "friends_near": [f[3] for f in friends],
        "friends_around": [f[4] for f in friends],
        "friends_cells": [f[5] for f in friends],
        "friends_n": [f[6] for f in friends],
        "friends_summary": summaries,
        "year4": [y[0] for y in years],
        "year2": [y[1] for y in years],
        "family_initial": [s[1] for s in shown],
        "handle_surname": [vl.handle_surname(h, nm) for h, nm in zip(handles, names, strict=True)],
        "given_last": [vl.given_last(nm) for nm in names],
        # Where its bio, school or many of its friends place it: blocking on given name
        # + city meets a debtor the stated city (stale, hidden, the next town) would miss.
        # (Its posts' cities too were tried: more pairs, and no true pair more at the
        # review threshold on the simulated worlds.)
        "key_cities": [
            None
            if s is None and f[0] is None
            else vl.none_if_empty(list(dict.fromkeys([*(s or []), *(f[0] or [])])))
            for s, f in zip(said, friends, strict=True)
        ],
    }
    out = _finish(df, ids, names, birthdays, countries, _col(df, "network").tolist(), side, True)
    return twins.link_same_photo(out, _col(df, "photo_hash"), names)
