"""Strategy files: the shipped ones load; a malformed one is refused with file, line, reason."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from concilia.strategy import definition
from concilia.strategy.cli import app

GOOD = """\
name: tiny
title: A tiny strategy
segments:
  - name: everyone
    why: one segment for all
    steps:
      - {do: send, channel: email, template: identity_request, why: ask who they are}
      - {do: escalate, to: agent, after_days: 3, why: a person takes over}
"""


def test_shipped_strategies_load() -> None:
    shipped = definition.available()
    assert {"default", "letters-and-calls"} <= set(shipped)
    baseline = shipped["letters-and-calls"]
    channels = {s.channel for g in baseline.segments for s in g.steps if s.channel}
    assert channels == {"letter", "call"}


def test_default_never_says_anything_on_social_before_identity() -> None:
    default = definition.get("default")
    social = [s for g in default.segments for s in g.steps if s.channel == "social_dm"]
    assert social, "the default strategy uses private social messages"
    for step in social:
        assert step.template == "identity_request" or "verified" in step.only_if


def test_a_good_file_parses() -> None:
    strategy = definition.parse(GOOD, "tiny.yaml")
    assert [s.do for s in strategy.segments[0].steps] == ["send", "escalate"]
    assert strategy.segments[0].steps[1].after_days == 3


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (GOOD.replace("channel: email", "channel: fax"), 7, "channel"),
        (GOOD.replace("template: identity_request, ", ""), 7, "needs a template"),
        (GOOD.replace("after_days: 3", "after_days: -1"), 8, "after_days"),
        (GOOD.replace("to: agent, ", ""), 8, "to whom"),
        (GOOD.replace("    why: one segment for all\n", ""), 4, "why"),
        (
            GOOD.replace("title: A tiny strategy\n", "title: A tiny strategy\ntitle: again\n"),
            3,
            "duplicate key 'title'",
        ),
        (GOOD.replace("    steps:\n", "    steps: [\n"), None, "YAML syntax"),
        (
            GOOD.replace(
                "  - name: everyone\n", "  - name: everyone\n    when: {max_balance: 10}\n"
            ),
            5,
            "last segment must take every case",
        ),
        (
            GOOD
            + "  - name: everyone\n    why: again\n    steps:\n      - {do: call, why: ring}\n",
            9,
            "defined twice",
        ),
        ("- just a list\n", 1, "a strategy is a mapping"),
        (GOOD.replace("channel: email", "channel: digital"), 7, "identity request names"),
    ],
)
def test_malformed_is_refused_with_line_and_reason(
    text: str, line: int | None, reason: str
) -> None:
    with pytest.raises(definition.StrategyError) as caught:
        definition.parse(text, "bad.yaml")
    err = caught.value
    assert err.file == "bad.yaml"
    assert reason in err.reason
    if line is not None:
        assert err.line == line, str(err)
    else:
        assert err.line is not None


def test_name_must_match_the_file(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(definition.StrategyError, match="differs from the file name"):
        definition.load(path)


def test_unknown_strategy_names_the_known_ones() -> None:
    with pytest.raises(definition.StrategyError, match="letters-and-calls"):
        definition.get("nope")


def test_cli_validate_reports_file_and_line(tmp_path: Path) -> None:
    good = tmp_path / "tiny.yaml"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "broken.yaml"
    bad.write_text(
        GOOD.replace("name: tiny", "name: broken")
        .replace("fax", "x")
        .replace("channel: email", "channel: pigeon"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 2
    assert "ok tiny" in result.output
    assert f"{bad}:7: segments.0.steps.0.channel" in result.output
