"""Turn raw debtor and profile tables into the one normalised shape the linkage reads.

Both sides get the same columns (Splink compares column to column); values are computed
once per distinct raw value and mapped back, which keeps a million profiles to seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd

from concilia.tracing import normalize as nz

COLUMNS = [
    "unique_id",
    "network",
    "given",
    "given_key",
    "family",
    "family_first",
    "family_tokens",
    "name_tokens",
    "birthday",
    "city",
    "prev_city",
    "lat",
    "lon",
    "phones",
    "emails",
    "employer",
    "handle",
    "handle_keys",
    # Filled by _link_same_photo on profiles; always empty on debtors.
    "linked_birthday",
    "linked_city",
    "linked_employer",
    "twin_ids",
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
        return [func(None if _missing(v) else v) for v in series.tolist()]
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques.tolist()):
        results[i] = func(None if _missing(value) else value)
    results[-1] = func(None)  # code -1: missing
    out: list[V] = results[codes].tolist()
    return out


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT or (isinstance(value, str) and not value.strip())


@lru_cache(maxsize=100_000)
def geocode(city: str | None, country: str | None) -> tuple[str, float | None, float | None]:
    """(folded canonical city name, latitude, longitude) from the gazetteer.

    The gazetteer's own name is used when found, so 'Londres' and 'London' compare equal;
    unknown places keep their folded text and no coordinates.
    """
    if not city:
        return "", None, None
    try:
        from concilia.geo import service as geo_service
    except ImportError:  # the gazetteer is optional for the engine itself
        return nz.city_key(city), None, None
    found = geo_service.lookup(city, country=country or None)
    if found is None:
        return nz.city_key(city), None, None
    return nz.city_key(found.name), float(found.latitude), float(found.longitude)


def _birthday_from_date(value: Any) -> str | None:
    if _missing(value):
        return None
    if isinstance(value, datetime | date):
        return f"{value.month:02d}-{value.day:02d}"
    text = str(value).strip()
    try:
        d = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return f"{d.month:02d}-{d.day:02d}"


def _birthday_md(value: Any) -> str | None:
    if _missing(value):
        return None
    text = str(value).strip()
    if len(text) == 5 and text[2] == "-" and text[:2].isdigit() and text[3:].isdigit():
        return text
    return _birthday_from_date(text)


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype=object)


def _none_if_empty(items: list[str]) -> list[str] | None:
    return items or None


def _phones(values: list[Any], countries: list[Any]) -> list[list[str] | None]:
    out: list[list[str] | None] = []
    for raw, country in zip(values, countries, strict=True):
        if raw is None or (isinstance(raw, float) and raw != raw):
            out.append(None)
            continue
        nums = [
            nz.phone_e164(p, None if _missing(country) else str(country))
            for p in nz.split_multi(raw)
        ]
        out.append(_none_if_empty(sorted({n for n in nums if n})))
    return out


def _emails(values: list[Any]) -> list[list[str] | None]:
    out: list[list[str] | None] = []
    for raw in values:
        if raw is None or (isinstance(raw, float) and raw != raw):
            out.append(None)
            continue
        mails = [nz.email_canonical(e) for e in nz.split_multi(raw)]
        out.append(_none_if_empty(sorted({m for m in mails if m})))
    return out


def _name_block_keys(name: nz.ParsedName, swapped_too: bool) -> tuple[list[str], list[str]]:
    """(surname phonetic codes, given-name keys) usable for blocking."""
    fams = [nz.phonetic(t) for t in name.family_tokens]
    givens = [nz.given_key(name.given)] if name.given else []
    if swapped_too and len(name.name_tokens) >= 2:
        # A display name may be written family-first: any of its words can be the surname,
        # and its last word can be the given name.
        fams = [nz.phonetic(t) for t in name.name_tokens] + fams
        givens.append(nz.given_key(name.name_tokens[-1]))
    return list(dict.fromkeys(f for f in fams if f)), list(dict.fromkeys(givens))


def _block_keys(
    fams: list[str],
    givens: list[str],
    birthday: str | None,
    city: str,
    phones: list[str] | None,
    emails: list[str] | None,
    handles: list[str] | None,
) -> list[str]:
    keys: list[str] = []
    if birthday:
        keys += [f"n:{f}|{birthday}" for f in fams]
        keys += [f"b:{g}|{birthday}" for g in givens]
    keys += [f"f:{g}|{f}" for g in givens for f in fams]
    # A typo in the given name breaks the keys above: its first letter and the surname
    # sound still meet.
    keys += [f"i:{g[:1]}|{f}" for g in givens for f in fams]
    if city:
        keys += [f"g:{g}|{city}" for g in givens]
    keys += [f"p:{p}" for p in phones or []]
    keys += [f"e:{e}" for e in emails or []]
    keys += [f"h:{h}" for h in handles or [] if len(h) >= 5]
    return keys


def _finish(
    df: pd.DataFrame,
    ids: list[str],
    names: list[nz.ParsedName],
    birthdays: list[str | None],
    countries: list[Any],
    handles: list[str | None],
    handle_key_lists: list[list[str] | None],
    networks: list[Any],
    prev_cities: list[str | None],
    swapped: bool,
) -> pd.DataFrame:
    raw_cities = [None if _missing(c) else str(c) for c in _col(df, "city").tolist()]
    coords = [
        geocode(c, None if _missing(k) else str(k))
        for c, k in zip(raw_cities, countries, strict=True)
    ]
    cities = [c[0] for c in coords]
    phones = _phones(_col(df, "phones").tolist(), countries)
    emails = _emails(_col(df, "emails").tolist())
    employers = _map_distinct(_col(df, "employer"), nz.employer_key)
    name_keys: dict[int, tuple[list[str], list[str]]] = {}
    blocks = []
    for i, name in enumerate(names):
        nk = name_keys.get(id(name))
        if nk is None:
            nk = _name_block_keys(name, swapped)
            name_keys[id(name)] = nk
        keys = _block_keys(
            nk[0], nk[1], birthdays[i], cities[i], phones[i], emails[i], handle_key_lists[i]
        )
        blocks.append(keys)
    out = pd.DataFrame(
        {
            "unique_id": ids,
            "network": [None if _missing(n) else str(n) for n in networks],
            "given": [n.given or None for n in names],
            "given_key": [nz.given_key(n.given) if n.given else None for n in names],
            "family": [n.family or None for n in names],
            "family_first": [n.family_first or None for n in names],
            "family_tokens": [n.family_tokens or None for n in names],
            "name_tokens": [n.name_tokens or None for n in names],
            "birthday": birthdays,
            "city": [c or None for c in cities],
            "prev_city": prev_cities,
            "lat": [c[1] for c in coords],
            "lon": [c[2] for c in coords],
            "phones": phones,
            "emails": emails,
            "employer": [e or None for e in employers],
            "handle": handles,
            "handle_keys": handle_key_lists,
            "block_keys": blocks,
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
    """
    given = _col(df, "given_names").fillna("").astype(str).tolist()
    family = _col(df, "family_names").fillna("").astype(str).tolist()
    names = [nz.parse_debtor_name(g, f) for g, f in zip(given, family, strict=True)]
    birthdays = _map_distinct(_col(df, "date_of_birth"), _birthday_from_date)
    countries = _col(df, "country").tolist()
    hkeys = [_none_if_empty(nz.handle_keys(n)) for n in names]
    prev_raw = _col(df, "previous_city").tolist()
    prev_country = _col(df, "previous_country").tolist() if "previous_country" in df else countries
    prev = [
        geocode(None if _missing(c) else str(c), None if _missing(k) else str(k))[0] or None
        for c, k in zip(prev_raw, prev_country, strict=True)
    ]
    ids = [str(v) for v in _col(df, "debtor_id").tolist()]
    out = _finish(
        df, ids, names, birthdays, countries, [None] * len(df), hkeys, [None] * len(df), prev, False
    )
    for col in [*LINKED, "twin_ids"]:
        out[col] = None
    return out


def prepare_profiles(df: pd.DataFrame) -> pd.DataFrame:
    """Normalise public profiles.

    Reads columns ``profile_id, network, display_name, handle, city, country, employer,
    birthday (MM-DD), phones, emails`` (missing columns are treated as empty).
    """
    names = _map_distinct(_col(df, "display_name"), nz.parse_display_name)
    birthdays = _map_distinct(_col(df, "birthday"), _birthday_md)
    countries = _col(df, "country").tolist()
    handles = [h or None for h in _map_distinct(_col(df, "handle"), nz.handle_letters)]
    hkeys = [[h] if h else None for h in handles]
    ids = [str(v) for v in _col(df, "profile_id").tolist()]
    out = _finish(
        df,
        ids,
        names,
        birthdays,
        countries,
        handles,
        hkeys,
        _col(df, "network").tolist(),
        [None] * len(df),
        True,
    )
    return _link_same_photo(out, _col(df, "photo_hash"), names)


# Fields a profile may take from another profile showing the same picture.
LINKED = ["linked_birthday", "linked_city", "linked_employer"]
# A picture shown by more profiles than this is a stock image or a default avatar.
_MAX_TWINS = 3
# Perceptual hashes of one picture after recompression or cropping differ by a few bits.
_MAX_PHOTO_BITS = 4
# 64 bits in 5 bands: two hashes within 4 bits agree on at least one band (pigeonhole).
_BANDS = [(0, 13), (13, 13), (26, 13), (39, 13), (52, 12)]


def _photo_bits(photos: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(the last 64 bits of each hexadecimal picture hash, whether it had a valid one)."""
    values: list[int] = []
    valid: list[bool] = []
    for value in photos.tolist():
        try:
            values.append(int(value.strip()[-16:], 16))
            valid.append(True)
        except (AttributeError, ValueError):
            values.append(0)
            valid.append(False)
    return np.array(values, dtype="uint64"), np.array(valid, dtype=bool)


def _twins(out: pd.DataFrame, photos: pd.Series) -> list[list[str] | None]:
    """For each profile, the profiles on OTHER networks showing the same picture (hashes
    within a few bits) under the same given-name key: one person's accounts elsewhere.

    Candidates are found band by band within a given-name key, so a million profiles do
    not become a million squared comparisons; impersonators copy a picture on the same
    network, which is why twins must be on another one."""
    bits, valid = _photo_bits(photos)
    has = valid & out["given_key"].notna().to_numpy()
    result: list[list[str] | None] = [None] * len(out)
    if has.sum() < 2:
        return result
    given_code = pd.factorize(out["given_key"].to_numpy()[has])[0].astype("int64")
    frame = pd.DataFrame(
        {
            "i": np.nonzero(has)[0],
            "n": pd.factorize(out["network"].fillna("").to_numpy()[has])[0],
            "h": bits[has],
        }
    )
    # One key per (given name, band, band value); DuckDB joins a million rows' keys in a
    # second where pandas took ten.
    keys = [
        (given_code << 16)
        | (band_no << 13)
        | ((frame["h"].to_numpy() >> np.uint64(shift)) & np.uint64((1 << width) - 1)).astype(
            "int64"
        )
        for band_no, (shift, width) in enumerate(_BANDS)
    ]
    banded = pd.DataFrame(
        {
            "i": np.tile(frame["i"].to_numpy(), len(_BANDS)),
            "n": np.tile(frame["n"].to_numpy(), len(_BANDS)),
            "h": np.tile(frame["h"].to_numpy(), len(_BANDS)),
            "k": np.concatenate(keys),
        }
    )
    con = duckdb.connect()
    try:
        con.register("banded", banded)
        links = con.execute(
            f"""
            SELECT DISTINCT a.i AS i_x, b.i AS i_y
            FROM banded a JOIN banded b ON a.k = b.k
            WHERE a.i < b.i AND a.n <> b.n AND bit_count(xor(a.h, b.h)) <= {_MAX_PHOTO_BITS}
            """
        ).df()
    finally:
        con.close()
    if links.empty:
        return result
    a = np.concatenate([links.i_x.to_numpy(), links.i_y.to_numpy()])
    b = np.concatenate([links.i_y.to_numpy(), links.i_x.to_numpy()])
    ids = out["unique_id"].to_numpy()
    both = pd.DataFrame({"a": a, "b": ids[b]}).sort_values(["a", "b"])
    size = both.groupby("a")["b"].transform("size")
    both = both[size <= _MAX_TWINS]
    for row, twin in zip(both["a"].tolist(), both["b"].tolist(), strict=True):
        found_row = result[row]
        if found_row is None:
            result[row] = [twin]
        else:
            found_row.append(twin)
    return result


def _link_same_photo(
    out: pd.DataFrame, photos: pd.Series, names: list[nz.ParsedName]
) -> pd.DataFrame:
    """``twin_ids`` (the profiles on other networks showing the same picture) and
    ``linked_*`` (what a twin states that the profile itself hides).

    A person's profiles on several networks often show one picture; a private profile
    then still says, through its twin, the birthday or city its owner hid. The comparison
    says where the value came from. The twin's birthday and city also give the profile
    blocking keys (a maiden name then still meets the debtor on given name + birthday or
    city), and the linkage lends a twin's confident match to the profile (see
    :func:`concilia.tracing.linkage.score`).
    """
    twins = _twins(out.reset_index(drop=True), photos.reset_index(drop=True))
    out["twin_ids"] = twins
    position = {uid: i for i, uid in enumerate(out["unique_id"].tolist())}
    rows = [i for i, t in enumerate(twins) if t]
    for field in ("birthday", "city", "employer"):
        own = out[field].tolist()
        linked: list[Any] = [None] * len(out)
        for i in rows:
            if own[i] is None:
                linked[i] = next(
                    (own[position[t]] for t in twins[i] or [] if own[position[t]] is not None),
                    None,
                )
        out[f"linked_{field}"] = linked
    keys = out["block_keys"].tolist()
    changed = False
    for i in rows:
        bday, city = out["linked_birthday"].iat[i], out["linked_city"].iat[i]
        if bday is None and city is None:
            continue
        fams, givens = _name_block_keys(names[i], True)
        extra = _block_keys(fams, givens, bday, city or "", None, None, None)
        keys[i] = list(dict.fromkeys([*keys[i], *extra]))
        changed = True
    if changed:
        out["block_keys"] = keys
    return out
