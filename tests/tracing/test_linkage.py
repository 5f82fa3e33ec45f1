"""The linkage engine on a small synthetic world: blocking, scoring and explanations."""

from __future__ import annotations

import copy
import math
from typing import Any

import pandas as pd
import pytest

from concilia.tracing import explain, linkage, prepare, scoring
from concilia.tracing import settings as st

from .conftest import Scored


def test_blocking_keeps_recall_high_without_comparing_everything(scored_world: Scored) -> None:
    pairs = set(zip(scored_world.pairs.debtor_id, scored_world.pairs.profile_id, strict=True))
    truth = scored_world.world.truth
    assert len(pairs & truth) / len(truth) >= 0.95
    everything = len(scored_world.debtors) * len(scored_world.profiles)
    assert len(pairs) < everything / 20


def test_scores_separate_matches_from_others(scored_world: Scored) -> None:
    sc = scored_world.scored
    predicted = sc[sc.final_probability >= 0.9]
    found = set(zip(predicted.debtor_id, predicted.profile_id, strict=True))
    truth = scored_world.world.truth
    tp = len(found & truth)
    assert tp / len(found) >= 0.9
    assert tp / len(truth) >= 0.75


def test_explanation_lines_add_up_to_the_match_weight(scored_world: Scored) -> None:
    model = scored_world.model
    labels = None
    checked = 0
    for row in scored_world.scored.head(300).to_dict("records"):
        lines = explain.lines(row, model, labels)
        # Splink's own weight is the prior plus the field lines ...
        fields = [ln for ln in lines if ln["field"] != "competition"]
        assert explain.total(fields) == pytest.approx(row["match_weight"], abs=1e-6)
        # ... and the competition line brings it to the final weight.
        assert explain.total(lines) == pytest.approx(row["final_weight"], abs=1e-6)
        assert scoring.probability(explain.total(lines)) == pytest.approx(
            row["final_probability"], rel=1e-6
        )
        checked += 1
    assert checked > 100


def test_explanation_reads_in_plain_words(scored_world: Scored) -> None:
    sc = scored_world.scored
    agrees = next(
        g for g, t in st.level_labels(scored_world.model)["birthday"].items() if t == "agrees"
    )
    row = sc[(sc.gamma_birthday == agrees) & (sc.gamma_city > 0)].iloc[0].to_dict()
    lines = explain.lines(row, scored_world.model)
    texts = {ln["field"]: ln["text"] for ln in lines}
    b = row["birthday_l"]
    assert texts["birthday"].startswith(f"birthday {b[3:]}/{b[:2]} agrees: ×")
    assert texts["city"].startswith("city ")
    factor = float(texts["birthday"].split("×")[1].replace(",", ""))
    weight = next(ln["weight"] for ln in lines if ln["field"] == "birthday")
    assert factor == pytest.approx(math.pow(2, weight), rel=0.05)


def test_namesakes_share_the_odds_of_a_profile() -> None:
    import pandas as pd

    scored = pd.DataFrame(
        {
            "debtor_id": ["a", "b", "c"],
            "profile_id": ["p", "p", "q"],
            "network_r": ["social", "social", "social"],
            "match_weight": [10.0, 10.0, 10.0],
        }
    )
    out = scoring.resolve_competition(scored)
    # Two identical namesakes for one profile: neither is more than a coin toss.
    assert out.final_probability.iloc[0] == pytest.approx(0.5, abs=0.01)
    assert out.final_probability.iloc[2] == pytest.approx(scoring.probability(10.0))
    assert out.competition_weight.iloc[2] == 0.0


def _bits(model: dict[str, Any], comp: str, label: str) -> float:
    for c in model["comparisons"]:
        if c["output_column_name"] == comp:
            for lv in c["comparison_levels"]:
                if lv.get("label_for_charts") == label:
                    return math.log2(lv["m_probability"] / lv["u_probability"])
    raise KeyError((comp, label))


def test_a_handle_spelling_a_partly_shown_surname_weighs_what_the_surname_would(
    scored_world: Scored,
) -> None:
    """'Marie M.' with handle 'mariemartin': the handle adds what showing 'Martin' would
    have added to the initial, no more (EM alone gave it more than a full surname)."""
    model = scored_world.model
    handle = _bits(model, "handle", "spells the name the profile shows only in part")
    same = _bits(model, "family_name", "same")
    initial = _bits(model, "family_name", "only the initial shown, and it agrees")
    assert handle == pytest.approx(max(same - initial, 0.0), abs=1e-9)
    assert initial + handle == pytest.approx(max(same, initial), abs=1e-9)


def test_tying_the_handle_leaves_a_model_without_those_levels_alone() -> None:
    model: dict[str, Any] = {
        "comparisons": [
            {
                "output_column_name": "handle",
                "comparison_levels": [
                    {
                        "label_for_charts": "spells the name the profile shows only in part",
                        "m_probability": 0.03,
                        "u_probability": 1e-5,
                    }
                ],
            }
        ]
    }
    before = copy.deepcopy(model)
    linkage._tie_partial_handle(model)
    assert model == before


def test_the_prior_counts_one_match_per_debtor_and_network() -> None:
    debtors = prepare.prepare_debtors(
        pd.DataFrame(
            [
                {"debtor_id": "D1", "given_names": "Ana", "family_names": "García"},
                {"debtor_id": "D2", "given_names": "Kylie", "family_names": "Marks"},
            ]
        )
    )
    rows = [
        # Three Ana Garcías on one network (namesakes: one of them at most is hers), one on
        # another; nobody shares Kylie Marks's name.
        {"profile_id": "s1", "network": "social", "display_name": "Ana García"},
        {"profile_id": "s2", "network": "social", "display_name": "Ana Garcia"},
        {"profile_id": "s3", "network": "social", "display_name": "ANA GARCÍA"},
        {"profile_id": "p1", "network": "pro", "display_name": "Ana García"},
        {"profile_id": "p2", "network": "pro", "display_name": "Kylie Jones"},
    ]
    profiles = prepare.prepare_profiles(pd.DataFrame(rows))
    pairs = pd.DataFrame(
        [(d, p) for d in ("D1", "D2") for p in profiles.unique_id],
        columns=["debtor_id", "profile_id"],
    )
    found = linkage._likely_pairs(debtors, pairs, profiles)
    # Two (debtor, network) hypotheses, not four pairs, over 2 x 1000 possible pairs.
    assert found == 2
    assert linkage._prior(found, len(debtors), 1000, recall=1.0) == pytest.approx(2 / 2000)
