"""A small synthetic world scored once per test session (training is the slow part)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest

from concilia.tracing import linkage, prepare, scoring
from tests.tracing import testworld


@dataclass
class Scored:
    world: testworld.World
    debtors: pd.DataFrame
    profiles: pd.DataFrame
    pairs: pd.DataFrame
    model: dict[str, Any]
    scored: pd.DataFrame


@pytest.fixture(scope="session")
def small_world() -> testworld.World:
    return testworld.generate(300, seed=7)


@pytest.fixture(scope="session")
def scored_world(small_world: testworld.World) -> Scored:
    debtors = prepare.prepare_debtors(small_world.debtors)
    profiles = prepare.prepare_profiles(small_world.profiles)
    options = linkage.LinkageOptions(train_debtors=300)
    blocker = linkage.Blocker(profiles, options)
    pairs = blocker.pairs(debtors)
    model = linkage.train(debtors, profiles, blocker, options=options)
    scored = scoring.resolve_competition(
        scoring.score(debtors, profiles, pairs, model, keep_below=0.0)
    )
    blocker.close()
    return Scored(small_world, debtors, profiles, pairs, model, scored)
