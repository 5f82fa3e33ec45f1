"""Twins: one person's profiles on other networks showing the same picture."""

from __future__ import annotations

import pandas as pd
import pytest

from concilia.tracing import prepare, scoring

from .conftest import Scored

PICTURE = "8f3a5c7e9b1d2f40"
# The same picture recompressed: 3 bits differ.
RECOMPRESSED = f"{int(PICTURE, 16) ^ 0b1000000000100000000001:016x}"
OTHER = f"{int(PICTURE, 16) ^ 0b11111000000:016x}"  # 5 bits: another picture


def _profiles(rows: list[dict[str, object]]) -> pd.DataFrame:
    return prepare.prepare_profiles(pd.DataFrame(rows))


def test_same_picture_on_another_network_is_a_twin_and_lends_hidden_fields() -> None:
    out = _profiles(
        [
            {
                "profile_id": "a",
                "network": "social",
                "display_name": "Lucie Marchand",
                "birthday": "03-14",
                "city": "Lyon",
                "country": "FR",
                "photo_hash": PICTURE,
            },
            {
                "profile_id": "b",
                "network": "pro",
                "display_name": "Lucie Vidal",
                "photo_hash": RECOMPRESSED.upper(),
            },
            # Same network: an impersonator's copy, not a twin.
            {
                "profile_id": "c",
                "network": "social",
                "display_name": "Lucie Marchand",
                "photo_hash": PICTURE,
            },
            # Another picture (5 bits away), and another given name with the same picture.
            {
                "profile_id": "d",
                "network": "photo",
                "display_name": "Lucie Marchand",
                "photo_hash": OTHER,
            },
            {
                "profile_id": "e",
                "network": "photo",
                "display_name": "Paul Marchand",
                "photo_hash": PICTURE,
            },
        ]
    ).set_index("unique_id")
    assert out.at["a", "twin_ids"] == ["b"]
    assert out.at["b", "twin_ids"] == ["a", "c"]
    assert out.at["c", "twin_ids"] == ["b"]
    assert out.at["d", "twin_ids"] is None
    assert out.at["e", "twin_ids"] is None
    # b hides its birthday and city: its twin states them, and b can be blocked on them
    # (a maiden name would otherwise keep it from ever meeting the debtor).
    assert out.at["b", "linked_birthday"] == "03-14"
    assert out.at["b", "linked_city"] == out.at["a", "city"]
    assert out.at["a", "linked_birthday"] is None  # a states its own
    assert any(k.startswith("b:") and k.endswith("|03-14") for k in out.at["b", "block_keys"])


@pytest.mark.parametrize("loaded", [False, True], ids=["frame", "profile-table"])
def test_a_sure_match_lends_its_twin_the_picture_factor(scored_world: Scored, loaded: bool) -> None:
    sc = scored_world.scored
    sure = sc[sc.match_probability >= 0.999].iloc[0]
    debtor, profile = str(sure.debtor_id), str(sure.profile_id)
    raw = scored_world.world.profiles
    q = raw[raw.profile_id == profile].iloc[0].to_dict()
    other_network = next(n for n in ("social", "pro", "photo") if n != q["network"])
    extra = pd.DataFrame(
        [
            {**q, "photo_hash": PICTURE},
            # Only the name and the picture: nothing else to go on.
            {
                "profile_id": "twin",
                "network": other_network,
                "display_name": q["display_name"],
                "photo_hash": RECOMPRESSED,
            },
        ]
    )
    profiles = _profiles(pd.concat([raw[raw.profile_id != profile], extra], ignore_index=True))
    pairs = pd.DataFrame({"debtor_id": [debtor], "profile_id": [profile]})
    # A batch run scores against the profiles loaded once in DuckDB: the twin pass too.
    table = scoring.ProfileTable(profiles) if loaded else None
    try:
        out = scoring.score(
            scored_world.debtors, table or profiles, pairs, scored_world.model, keep_below=0
        )
    finally:
        if table is not None:
            table.close()
    twin = out[out.profile_id == "twin"]
    # The twin was never blocked, yet it is scored, with the picture level filled in.
    assert len(twin) == 1 and int(twin.gamma_photo.iloc[0]) == 1
    alone = scoring.score(
        scored_world.debtors,
        profiles,
        pd.DataFrame({"debtor_id": [debtor], "profile_id": ["twin"]}),
        scored_world.model.copy(),
        keep_below=0,
    )
    alone = alone[alone.profile_id == "twin"]
    assert float(twin.match_weight.iloc[0]) > float(alone.match_weight.iloc[0]) + 9
