from __future__ import annotations

import hashlib
from pathlib import Path

from typer.testing import CliRunner

from concilia.simulate.chunk import FILES
from concilia.simulate.cli import app
from concilia.simulate.schemas import FriendGeography, NoiseRates, SimulationSettings
from concilia.simulate.service import generate


def _digest(root: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((root / name).read_bytes()).hexdigest()
        for name in [*FILES, "truth.json"]
    }


def test_same_seed_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    # 2100 people: two chunks, so ordering across processes matters.
    generate(out_dir=tmp_path / "a", people=2100, seed=3, workers=1)
    generate(out_dir=tmp_path / "b", people=2100, seed=3, workers=2)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_another_seed_another_world(tmp_path: Path) -> None:
    generate(out_dir=tmp_path / "a", people=300, seed=3)
    generate(out_dir=tmp_path / "b", people=300, seed=4)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert all(a[name] != b[name] for name in FILES if name != "mentions.jsonl")


def test_friend_geography_moves_no_name_profile_or_post(tmp_path: Path) -> None:
    # Other benchmarks (linkage, signals, authenticity) compare against earlier worlds: the
    # friend geography draws from its own streams, so changing it only changes the edges.
    spread = SimulationSettings(
        friend_geography=FriendGeography(anywhere=0.3, hometown_elsewhere=0.9, settle_years=9)
    )
    generate(out_dir=tmp_path / "a", people=300, seed=3)
    generate(out_dir=tmp_path / "b", people=300, seed=3, settings=spread)
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    edges = {"friends.jsonl", "truth_people.jsonl", "truth.json"}
    assert all(a[name] == b[name] for name in a if name not in edges)
    assert a["friends.jsonl"] != b["friends.jsonl"]


def test_rates_can_be_set_to_zero(tmp_path: Path) -> None:
    noise = NoiseRates(friends_visibility=0, fake=0, impersonator=0, moved=0, no_profile=0)
    summary = generate(
        out_dir=tmp_path, people=400, seed=5, settings=SimulationSettings(noise=noise)
    )
    assert summary.fake_profiles == summary.impersonator_profiles == 0
    for name in ("friends.jsonl", "posts.jsonl"):
        assert b'"visibility":"friends"' not in (tmp_path / name).read_bytes()
    truth = (tmp_path / "truth_people.jsonl").read_bytes()
    assert b'"moved":true' not in truth and b'"profiles":[]' not in truth


def test_cli_writes_the_world_and_validates_rates(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "w"
    args = ["--people", "60", "--seed", "2", "--out", str(out), "--quiet", "--rate", "typo=0.5"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "portfolio.csv").exists() and (out / "truth.json").exists()
    assert b'"typo": 0.5' in (out / "truth.json").read_bytes()
    bad = runner.invoke(app, ["--people", "10", "--out", str(out), "--rate", "nope=1"])
    assert bad.exit_code != 0 and "unknown noise rate" in bad.output
