"""Twins: a person's profiles on other networks showing the same picture.

A person's profiles on several networks often show one picture; a private profile then
still says, through its twin, the birthday or city its owner hid.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from concilia.tracing import normalize as nz
from concilia.tracing.keys import block_keys, name_block_keys

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


def link_same_photo(
    out: pd.DataFrame, photos: pd.Series, names: list[nz.ParsedName]
) -> pd.DataFrame:
    """``twin_ids`` (the profiles on other networks showing the same picture) and
    ``linked_*`` (what a twin states that the profile itself hides).

    A person's profiles on several networks often show one picture; a private profile
    then still says, through its twin, the birthday or city its owner hid. The comparison
    says where the value came from. The twin's birthday and city also give the profile
    blocking keys (a maiden name then still meets the debtor on given name + birthday or
    city), and the linkage lends a twin's confident match to the profile (see
    :func:`concilia.tracing.scoring.score`).
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
        nk = name_block_keys(names[i], True)
        extra = block_keys(nk.fams, nk.givens, bday, city or "", None, None, None)
        keys[i] = list(dict.fromkeys([*keys[i], *extra]))
        changed = True
    if changed:
        out["block_keys"] = keys
    return out
