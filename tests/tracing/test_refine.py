"""Agents' decisions refine the model: m is re-estimated from accepted pairs when enough."""

from __future__ import annotations

from typing import Any

import pandas as pd

from concilia.tracing import linkage

from .conftest import Scored


def _m(model: dict[str, Any], comparison: str, label: str) -> float:
    comp = next(c for c in model["comparisons"] if c["output_column_name"] == comparison)
    level = next(lv for lv in comp["comparison_levels"] if lv.get("label_for_charts") == label)
    return float(level["m_probability"])


def _retrain(scored_world: Scored, labels: pd.DataFrame | None) -> dict[str, Any]:
    options = linkage.LinkageOptions(train_debtors=300)
    blocker = linkage.Blocker(scored_world.profiles, options)
    try:
        return linkage.train(
            scored_world.debtors, scored_world.profiles, blocker, options=options, labels=labels
        )
    finally:
        blocker.close()


def test_accepted_decisions_move_m_towards_what_agents_saw(scored_world: Scored) -> None:
    sc = scored_world.scored
    truth = scored_world.world.truth
    true = [(d, p) in truth for d, p in zip(sc.debtor_id, sc.profile_id, strict=True)]
    # Agents accepted people who had moved: their profiles show another city. Unlabelled
    # EM believes a true match rarely shows another city; these decisions say otherwise.
    moved = sc[pd.Series(true, index=sc.index) & (sc.gamma_city == 0)]
    assert len(moved) >= linkage.LinkageOptions().min_labels
    labels = pd.DataFrame(
        {"debtor_id": moved.debtor_id, "profile_id": moved.profile_id, "accepted": True}
    )
    before = _m(scored_world.model, "city", "other")
    after = _m(_retrain(scored_world, labels), "city", "other")
    assert before < 0.3
    assert after > 0.8


def test_too_few_decisions_leave_the_model_alone(scored_world: Scored) -> None:
    sc = scored_world.scored.head(5)
    labels = pd.DataFrame(
        {"debtor_id": sc.debtor_id, "profile_id": sc.profile_id, "accepted": True}
    )
    refined = _retrain(scored_world, labels)
    # Training samples, so two runs differ a little; refinement would move it near 1.
    assert abs(_m(refined, "city", "other") - _m(scored_world.model, "city", "other")) < 0.1
