"""The message set in tests/outreach/data runs through engine and tone checker as expected."""

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from concilia.outreach.check import check_record, default_tone_checker
from concilia.outreach.cli import app

DATA = Path(__file__).parent / "data" / "messages.jsonl"
MESSAGES = [orjson.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
# Lines whose verdict only the tone checker decides.
TONE_ONLY = {"us-16", "fr-09"}


@pytest.mark.parametrize("message", MESSAGES, ids=[m["id"] for m in MESSAGES])
def test_message_set_verdicts(message: dict[str, object]) -> None:
    tone = default_tone_checker()
    if tone is None and message["id"] in TONE_ONLY:
        pytest.skip("tone checker not installed")
    out = check_record(message, tone=tone)
    assert out["verdict"] == message["expected"], out["reasons"]
    if out["verdict"] != "allow":
        assert out["reasons"], "a block or review always says why"
    for reason in out["reasons"]:
        assert set(reason) >= {"rule", "citation", "category", "explanation"}


def test_message_set_covers_every_jurisdiction_and_verdict() -> None:
    assert {m["jurisdiction"] for m in MESSAGES} == {"US", "FR", "ES", "UK"}
    assert {m["expected"] for m in MESSAGES} == {"allow", "block", "review"}


def test_cli_check_reads_a_file_and_adds_verdict_reasons_flags() -> None:
    result = CliRunner().invoke(app, ["check", str(DATA)])
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert len(lines) == len(MESSAGES)
    for got, sent in zip(lines, MESSAGES, strict=True):
        assert got["id"] == sent["id"]
        assert {"verdict", "reasons", "flags"} <= set(got)


def test_cli_check_reads_stdin_and_explains_in_french() -> None:
    line = orjson.dumps(MESSAGES[0]).decode()
    result = CliRunner().invoke(app, ["check", "-", "--lang", "fr", "--no-tone"], input=line + "\n")
    assert result.exit_code == 0, result.output
    out = orjson.loads(result.stdout.splitlines()[0])
    assert out["verdict"] == "block"
    assert "publication" in out["reasons"][0]["explanation"]


def test_cli_check_bad_line_names_line_and_field_and_prints_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "in.jsonl"
    good = orjson.dumps(MESSAGES[0]).decode()
    bad.write_text(
        good
        + "\n"
        + '{"jurisdiction": "US", "channel": "pigeon", "identity_verified": true, "text": ""}\n'
    )
    result = CliRunner().invoke(app, ["check", str(bad), "--no-tone"])
    assert result.exit_code == 2
    assert f"{bad}:2: field channel" in result.output
    assert '"verdict"' not in result.output


def test_cli_rules_validate_and_list() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "validate"])
    assert result.exit_code == 0 and "ok US@" in result.output
    listed = runner.invoke(app, ["rules", "list", "US"])
    assert "US-CALL-FREQUENCY" in listed.output and "1006.14(b)(2)" in listed.output


def test_an_output_line_can_be_checked_again() -> None:
    once = check_record(MESSAGES[0])
    again = check_record(once)
    assert again["verdict"] == once["verdict"] and again["reasons"] == once["reasons"]
