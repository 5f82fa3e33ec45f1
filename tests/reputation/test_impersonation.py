"""Impersonation of the agency and its agents: what a handle reads as, the hard negatives left
alone, the takedown report, a small simulated world and the CLI."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from typer.testing import CliRunner

from concilia.reputation import impersonation as imp
from concilia.reputation.cli import app
from concilia.simulate.impersonation import generate

LOGO = "00ff00ff00ff00ff"
AGENCY = imp.Protected(
    "agency",
    "agency",
    "Acme Recouvrement",
    (imp.Account("a1", "social", "acme_recouvrement", "Acme Recouvrement", LOGO),),
)
AGENT = imp.Protected(
    "agent-1",
    "agent",
    "Camille Martin",
    (imp.Account("a2", "pro", "camille.martin", "Camille Martin · Acme", "123456789abcdef0"),),
)


def test_handles_read_through_look_alikes_separators_and_added_words() -> None:
    assert imp.handle_skeleton("acme_rec0uvrement_support") == "acmerecouvrement"
    assert imp.handle_skeleton("real.acrne-recouvrement") == "acmerecouvrement"
    assert imp.handle_skeleton("camille.martin123") == imp.handle_skeleton("camille_martin")
    assert imp.handle_skeleton("acme_bakery") != "acmerecouvrement"
    assert imp.picture_distance(LOGO, "00ff00ff00ff00fe") == 1
    assert imp.picture_distance(LOGO, None) is None


def test_impersonators_are_flagged_and_hard_negatives_left_alone() -> None:
    fake = imp.Account("x1", "social", "acme_rec0uvrement", "Acme Recouvrement ✓", LOGO, "DM us")
    decorated = imp.Account("x2", "photo", "acmerecouvrement.officiel", "ACME RECOUVREMENT", None)
    critic = imp.Account("n1", "social", "acme_recouvrement_scam", "Acme Recouvrement scam", LOGO)
    namesake = imp.Account("n2", "social", "camille.martin77", "Camille Martin", "ffff0000ffff0000")
    agent_copy = imp.Account(
        "x3", "social", "camille.martin.support", "Camille Martin", "123456789abcdef1"
    )
    official = imp.Account("a1", "social", "acme_recouvrement", "Acme Recouvrement", LOGO)
    flags = imp.detect([fake, decorated, critic, namesake, agent_copy, official], [AGENCY, AGENT])
    assert {f.account.external_id: f.imitates.key for f in flags} == {
        "x1": "agency",
        "x2": "agency",
        "x3": "agent-1",
    }
    first = next(f for f in flags if f.account.external_id == "x1")
    assert any("reads as @acme_recouvrement" in e for e in first.evidence)
    assert any("the same picture" in e for e in first.evidence)
    report = imp.takedown_report(first, agency="Acme Recouvrement")
    assert report.startswith("# Impersonation report: @acme_rec0uvrement on social")
    assert "@acme_recouvrement on social" in report and "## Evidence" in report


def test_a_small_simulated_world_is_mostly_found() -> None:
    world = generate(seed=7, crowd=400, impersonators=30)
    _, protected = imp.protected_from_json(world.official_json())
    flags = imp.detect([imp.Account(**asdict(p)) for p in world.profiles], protected)
    right = [f for f in flags if world.truth.get(f.account.external_id, ("",))[0] == f.imitates.key]
    # Measured on the bench's worlds: precision 0.84, recall 0.98; a small world is noisier.
    assert len(right) / len(world.truth) >= 0.85
    assert len(right) / len(flags) >= 0.7


def test_cli_writes_flags_and_takedown_reports(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(
        app,
        ["impersonation-world", "--out", str(tmp_path), "--seed", "3", "--crowd", "100",
         "--impersonators", "5"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    truth = [json.loads(line) for line in (tmp_path / "truth_impersonation.jsonl").open()]
    assert len(truth) == 5
    result = runner.invoke(
        app,
        ["impersonators", str(tmp_path / "officials.json"), str(tmp_path / "profiles.jsonl"),
         "--reports", str(tmp_path / "reports")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    flags = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert {t["external_id"] for t in truth} & {f["external_id"] for f in flags}
    assert len(list((tmp_path / "reports").glob("*.md"))) == len(flags)

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"network": "social"}\nnot json\n', encoding="utf-8")
    refused = runner.invoke(app, ["impersonators", str(tmp_path / "officials.json"), str(bad)])
    assert refused.exit_code == 1
    assert "bad.jsonl: line 1: handle: missing" in refused.output
    assert "bad.jsonl: line 2" in refused.output
