"""Plain-word explanations of a scored pair: one line per field with its Bayes factor.

The log2 weights of the lines (prior, one per compared field, competition) add up exactly
to the pair's final match weight; a test holds this.
"""

from __future__ import annotations

import math
from typing import Any

from concilia.tracing import places
from concilia.tracing import settings as st

FIELD_WORDS = {
    "given_name": "given name",
    "family_name": "surname",
    "birthday": "birthday",
    "city": "city",
    "phone": "phone",
    "email": "e-mail",
    "employer": "employer",
    "photo": "picture",
    "friends": "public friends",
    "birth_year": "birth year",
    "handle": "handle",
}


# How a term-frequency adjustment reads, per comparison: (rarer than usual, more common).
_TF_WORDS = {
    "city": ("a small place", "a big city"),
    "employer": ("a rare employer", "a common employer"),
}


# Fields whose quoted value and label read as two clauses: "public friends 12 of 19 located
# in Lyon, many of them live in the debtor's city".
_CLAUSE = ("friends", "birth_year")


def _factor(weight: float) -> str:
    bf = math.pow(2.0, weight)
    if bf >= 100:
        return f"×{bf:,.0f}"
    if bf >= 10:
        return f"×{bf:.0f}"
    if bf >= 1:
        return f"×{bf:.1f}"
    if bf >= 0.01:
        return f"×{bf:.2f}"
    return f"×1/{1 / bf:,.0f}"


def _value(row: dict[str, Any], col: str) -> Any:
    value = row.get(col)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _pair_text(row: dict[str, Any], comp: str, label: str = "") -> str:
    """The compared values in words ('Lyon vs Villeurbanne, 6 km')."""
    # A swapped level compares a name with the other name's place of the profile: that is
    # the word quoted ('Garcia vs Garcia-Lopez', not 'Garcia vs Maria').
    swapped = label.startswith("swapped")
    if comp == "given_name":
        a, b = _value(row, "given_l"), _value(row, "family_r" if swapped else "given_r")
    elif comp == "family_name":
        a, b = _value(row, "family_l"), _value(row, "given_r" if swapped else "family_r")
    elif comp == "birthday":
        a, b = _value(row, "birthday_l"), _value(row, "birthday_r")
        a = f"{a[3:]}/{a[:2]}" if a else None
        b = f"{b[3:]}/{b[:2]}" if b else None
    elif comp == "city":
        a, b = _value(row, "city_l"), _value(row, "city_r")
        text = _ab(a, b)
        km = _distance(row)
        return f"{text}, {km:.0f} km" if km is not None and a != b else text
    elif comp == "employer":
        a, b = _value(row, "employer_l"), _value(row, "employer_r")
    elif comp == "handle":
        return str(_value(row, "handle_r") or "")
    elif comp == "friends":
        return _friends_text(row)
    elif comp == "birth_year":
        year = _value(row, "year4_l")
        return str(year) if year is not None else ""
    else:  # phone and e-mail are not quoted: the line only says whether they agree
        return ""
    return _ab(a, b)


def _friends_text(row: dict[str, Any]) -> str:
    """'12 of 19 in Lyon': counts only, never who the friends are."""
    summary = _value(row, "friends_summary_r")
    if summary is None:
        return ""
    found = places.friends_in(str(summary), [_value(row, "city_l"), _value(row, "prev_city_l")])
    if found is not None:
        n, total, city = found
        return f"{n} of {total} located in {city.title()}"
    total, _ = places.parse_friend_places(str(summary))
    return f"{total} located"


def _ab(a: Any, b: Any) -> str:
    if a is None and b is None:
        return ""
    if a == b:
        return str(a).title() if isinstance(a, str) else str(a)
    return f"{_title(a)} vs {_title(b)}"


def _title(v: Any) -> str:
    return "?" if v is None else str(v).title()


def _distance(row: dict[str, Any]) -> float | None:
    vals = [_value(row, c) for c in ("lat_l", "lon_l", "lat_r", "lon_r")]
    if any(v is None for v in vals):
        return None
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in vals if v is not None)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def prior_weight(model: dict[str, Any]) -> float:
    """log2 prior odds of the model."""
    p = float(model["probability_two_random_records_match"])
    return math.log2(p / (1.0 - p))


def lines(
    row: dict[str, Any], model: dict[str, Any], labels: dict[str, dict[int, str]] | None = None
) -> list[dict[str, Any]]:
    """Explanation lines for one scored pair (a row of :func:`scoring.score` output).

    Each line is ``{"field", "text", "weight"}`` with ``weight`` in log2 units.
    """
    labels = labels or st.level_labels(model)
    return _lines(row, float(model["probability_two_random_records_match"]), labels)


def _lines(
    row: dict[str, Any],
    prior: float,
    labels: dict[str, dict[int, str]],
    fields: list[str] | None = None,
) -> list[dict[str, Any]]:
    one_in = 1 / prior
    out = [
        {
            "field": "prior",
            "text": f"before any comparison (1 chance in {one_in:,.0f})",
            "weight": math.log2(prior / (1.0 - prior)),
        }
    ]
    for comp in fields or st.COMPARISON_NAMES:
        gamma = int(row[f"gamma_{comp}"])
        weight = float(row[f"mw_{comp}"])
        label = labels[comp].get(gamma, "?")
        tf = row.get(f"mw_tf_adj_{comp}")
        if tf is not None and not (isinstance(tf, float) and math.isnan(tf)) and float(tf):
            # Term-frequency adjustment: the same name counts more when it is rare.
            weight += float(tf)
            rare, common = _TF_WORDS.get(comp, ("a rare name", "a common name"))
            label += f", {rare}" if float(tf) > 0 else f", {common}"
        what = _pair_text(row, comp, label)
        words = FIELD_WORDS[comp]
        if not what:
            head = f"{words} {label}"
        elif comp in _CLAUSE:
            head = f"{words} {what}, {label}"
        else:
            head = f"{words} {what} {label}"
        out.append({"field": comp, "text": f"{head}: {_factor(weight)}", "weight": weight})
    competition = float(row.get("competition_weight") or 0.0)
    if competition != 0.0:
        out.append(competition_line(competition))
    return out


def competition_line(weight: float) -> dict[str, Any]:
    """The line for odds shared with other candidates of the same profile or network."""
    return {
        "field": "competition",
        "text": f"other candidates compete for this profile or network: {_factor(weight)}",
        "weight": weight,
    }


def total(explanation: list[dict[str, Any]]) -> float:
    """Sum of the lines' log2 weights (equals the final match weight)."""
    return float(sum(line["weight"] for line in explanation))


# --- compact storage ----------------------------------------------------------------------
#
# A batch run stores, per candidate, only what the lines are made of: each field's level
# (Splink's gamma), the term-frequency adjustments and the quoted values. The words, the
# prior and each level's weight come from the run (``TraceRun.explain_model``), so a
# million candidates do not each carry a dozen sentences; :func:`render` rebuilds exactly
# the lines :func:`lines` gives for the scored row.

COMPACT_VERSION = 2
# Values the lines quote, in this order in the compact form (version 1 stopped at
# handle_r and had no friends or birth-year comparison).
QUOTED = [
    "given_l",
    "given_r",
    "family_l",
    "family_r",
    "birthday_l",
    "birthday_r",
    "city_l",
    "city_r",
    "lat_l",
    "lon_l",
    "lat_r",
    "lon_r",
    "employer_l",
    "employer_r",
    "handle_r",
    "prev_city_l",
    "friends_summary_r",
    "year4_l",
]
# The comparisons of a version-1 compact explanation, in its order.
_V1_FIELDS = [c for c in st.COMPARISON_NAMES if c not in ("friends", "birth_year")]
# Competition shifts under this (log2) are float noise, not a rival: no line is shown.
COMPETITION_EPSILON = 1e-9


def explain_model(
    model: dict[str, Any], level_weights: dict[str, dict[int, float]]
) -> dict[str, Any]:
    """What a run's compact explanations are rendered with: prior, labels, level weights."""
    labels = st.level_labels(model)
    return {
        "version": COMPACT_VERSION,
        "fields": list(st.COMPARISON_NAMES),
        "prior": float(model["probability_two_random_records_match"]),
        "labels": {c: {str(g): t for g, t in lv.items()} for c, lv in labels.items()},
        "weights": {c: {str(g): w for g, w in lv.items()} for c, lv in level_weights.items()},
    }


def level_weights(scored: Any) -> dict[str, dict[int, float]]:
    """Each comparison level's log2 Bayes factor, as Splink computed it on a scored frame.

    A level's weight does not depend on the pair (term-frequency adjustments are kept
    apart), so one value per (field, gamma) is read from the rows that reached it.
    """
    out: dict[str, dict[int, float]] = {}
    for comp in st.COMPARISON_NAMES:
        seen = scored[[f"gamma_{comp}", f"mw_{comp}"]].drop_duplicates(f"gamma_{comp}")
        out[comp] = {
            int(g): float(w) for g, w in zip(seen[f"gamma_{comp}"], seen[f"mw_{comp}"], strict=True)
        }
    return out


def merge_weights(
    old: dict[str, Any] | None, new: dict[str, dict[int, float]]
) -> dict[str, dict[int, float]]:
    """Level weights of a run so far (as stored, string keys) plus those of a new chunk."""
    out: dict[str, dict[int, float]] = {}
    for comp, levels in ((old or {}).get("weights") or {}).items():
        out[comp] = {int(g): float(w) for g, w in levels.items()}
    for comp, levels in new.items():
        out.setdefault(comp, {}).update(levels)
    return out


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def compact_rows(scored: Any) -> list[list[Any]]:
    """The compact explanation of every row of a scored frame: [version, gammas, tf, quoted]."""
    gammas = [scored[f"gamma_{c}"].astype("int64").tolist() for c in st.COMPARISON_NAMES]
    tfs = []
    for comp in st.COMPARISON_NAMES:
        col = f"mw_tf_adj_{comp}"
        tfs.append(
            scored[col].astype("float64").fillna(0.0).tolist()
            if col in scored.columns
            else [0.0] * len(scored)
        )
    quoted = [
        [_clean(v) for v in scored[c].tolist()] if c in scored.columns else [None] * len(scored)
        for c in QUOTED
    ]
    out = []
    for i, g in enumerate(zip(*gammas, strict=True)):
        out.append(
            [
                COMPACT_VERSION,
                list(g),
                [t[i] for t in tfs],
                [q[i] for q in quoted],
            ]
        )
    return out


def render(
    compact: list[Any], run_model: dict[str, Any], *, match_weight: float, final_weight: float
) -> list[dict[str, Any]]:
    """The plain-word lines of a stored compact explanation (same as :func:`lines`)."""
    version, gammas, tfs, quoted = compact
    labels = {c: {int(g): t for g, t in lv.items()} for c, lv in run_model["labels"].items()}
    weights = run_model["weights"]
    # A run stores its fields; runs from before version 2 had the version-1 fields.
    fields = run_model.get("fields") or (_V1_FIELDS if version == 1 else st.COMPARISON_NAMES)
    row: dict[str, Any] = dict(zip(QUOTED, quoted, strict=False))
    for comp, gamma, tf in zip(fields, gammas, tfs, strict=True):
        row[f"gamma_{comp}"] = gamma
        row[f"mw_{comp}"] = float(weights[comp][str(gamma)])
        row[f"mw_tf_adj_{comp}"] = tf
    competition = final_weight - match_weight
    if abs(competition) > COMPETITION_EPSILON:
        row["competition_weight"] = competition
    return _lines(row, float(run_model["prior"]), labels, fields)
