"""``concilia reputation classify``: JSON Lines in and out, bad lines named."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from concilia.reputation import classifier
from concilia.reputation.cli import app
from tests.reputation.conftest import KeywordModel


@pytest.fixture(autouse=True)
def _keyword_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classifier, "get_model", lambda: KeywordModel())


def test_classify_from_stdin_keeps_fields_and_adds_labels() -> None:
    lines = [
        {"id": 7, "text": "Northgate calls me all day"},
        {"text": "Créancia a été très humaine", "lang": "fr"},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n"
    result = CliRunner().invoke(app, ["classify", "-"], input=stdin)
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert out[0] == {
        "id": 7,
        "text": "Northgate calls me all day",
        "lang": "en",
        "sentiment": "negative",
        "topic": "harassment",
        "confidence": 0.9,
    }
    assert (out[1]["lang"], out[1]["sentiment"], out[1]["topic"]) == ("fr", "positive", "praise")


def test_bad_lines_are_all_named_and_nothing_is_written(tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "ok calls"}\n{"lang": "fr"}\nnot json\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["classify", str(src), "--out", str(out)])
    assert result.exit_code == 1
    assert f"{src}: line 2: text: Field required" in result.stderr
    assert f"{src}: line 3: -: " in result.stderr
    assert ": line 1:" not in result.stderr
    assert not out.exists()
