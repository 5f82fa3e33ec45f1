"""Issue 24 message sets: a lawful and an unlawful variant per rule, via the check CLI."""

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from concilia.outreach.cli import app

SETS = sorted((Path(__file__).parent / "data" / "issue24").glob("*.jsonl"))


def test_there_is_a_set_per_jurisdiction_with_both_variants() -> None:
    assert [p.stem for p in SETS] == ["ES", "FR", "US"]
    for path in SETS:
        lines = [orjson.loads(x) for x in path.read_text().splitlines() if x.strip()]
        by_rule: dict[str, set[str]] = {}
        for m in lines:
            assert m["jurisdiction"] == path.stem
            by_rule.setdefault(m["note"].split(":")[0], set()).add(m["expected"])
        for rule, verdicts in by_rule.items():
            assert verdicts == {"allow", "block"}, (path.stem, rule)


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_cli_gives_the_expected_verdicts(path: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    sent = [orjson.loads(x) for x in path.read_text().splitlines() if x.strip()]
    got = [orjson.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert [g["id"] for g in got] == [s["id"] for s in sent]
    for out in got:
        rule = out["note"].split(":")[0]
        fired = {r["rule"] for r in out["reasons"]}
        assert out["verdict"] == out["expected"], (out["id"], out["reasons"])
        # The unlawful variant is refused by the rule it is about, the lawful one is not.
        assert (rule in fired) == (out["expected"] != "allow"), (out["id"], fired)
