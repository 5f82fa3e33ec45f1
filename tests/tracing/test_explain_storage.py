"""Batch runs store explanations compactly (levels and quoted values) and render them when
read: the rendered lines must be exactly those built from the scored row."""

from __future__ import annotations

import orjson
import pytest

from concilia.tracing import explain

from .conftest import Scored


def test_compact_explanation_renders_the_lines_of_the_scored_row(scored_world: Scored) -> None:
    scored = scored_world.scored
    run_model = explain.explain_model(scored_world.model, explain.level_weights(scored))
    # Stored as JSON text and read back, as the database does.
    run_model = orjson.loads(orjson.dumps(run_model))
    compact = [orjson.loads(orjson.dumps(c)) for c in explain.compact_rows(scored)]
    competed = 0
    for row, data in zip(scored.to_dict("records"), compact, strict=True):
        if abs(row["competition_weight"]) <= explain.COMPETITION_EPSILON:
            row["competition_weight"] = 0.0
            final = row["match_weight"]
        else:
            competed += 1
            final = row["final_weight"]
        expected = explain.lines(row, scored_world.model)
        got = explain.render(data, run_model, match_weight=row["match_weight"], final_weight=final)
        assert [ln["text"] for ln in got] == [ln["text"] for ln in expected]
        assert [ln["field"] for ln in got] == [ln["field"] for ln in expected]
        for a, b in zip(got, expected, strict=True):
            assert a["weight"] == pytest.approx(b["weight"], abs=1e-9)
        assert explain.total(got) == pytest.approx(final, abs=1e-6)
    assert competed > 10  # the competition line is exercised too


def test_level_weights_are_one_per_level(scored_world: Scored) -> None:
    """A level's Bayes factor does not depend on the pair (else the compact form would lie)."""
    scored = scored_world.scored
    for comp in ("given_name", "family_name", "birthday", "city", "handle"):
        spread = scored.groupby(f"gamma_{comp}")[f"mw_{comp}"].agg(lambda s: s.max() - s.min())
        assert (spread < 1e-12).all()
        assert len(spread) >= 2
