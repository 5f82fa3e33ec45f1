"""``concilia signals classify``: output shape, standard input, bad lines; nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from concilia.signals.cli import app
from concilia.signals.model import EventModel

runner = CliRunner()


def test_classify_file_adds_fields_and_keeps_the_rest(
    signals_model: EventModel, tmp_path: Path
) -> None:
    source = tmp_path / "posts.jsonl"
    rows = [
        {"id": 1, "text": "Me han despedido hoy, otra vez al paro", "extra": {"k": "v"}},
        {"id": 2, "text": "Just got the keys to our first house 🏡🔑"},
        {"id": 3, "text": "Heute ist ein schöner Tag in Berlin"},
    ]
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", str(source)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 2, 3]
    assert out[0]["extra"] == {"k": "v"}
    for o in out:
        assert set(o) >= {"text", "lang", "label", "confidence", "cues"}
        assert isinstance(o["cues"], list) and 0.0 <= o["confidence"] <= 1.0
    assert (out[0]["lang"], out[0]["label"]) == ("es", "job_loss")
    assert out[1]["label"] == "property_purchase"
    assert out[2]["lang"] == "other"


def test_classify_reads_standard_input(signals_model: EventModel) -> None:
    result = runner.invoke(app, ["classify", "-"], input='{"text": "Promue cheffe d\'équipe !"}\n')
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["lang"] == "fr"


def test_bad_line_names_the_line(signals_model: EventModel) -> None:
    result = runner.invoke(app, ["classify", "-"], input='{"text": "ok"}\n{"no_text": 1}\n')
    assert result.exit_code != 0
    assert "line 2" in result.output and "text" in result.output


def test_classify_names_the_special_categories_never_the_words(signals_model: EventModel) -> None:
    lines = [
        {"text": "Militante LFI depuis 2017, on tracte au marché samedi"},
        {"text": "On a perdu notre bébé à 11 semaines, je n'arrive pas à en parler"},
        {"text": "Soy gitana y a mucha honra"},
        {"text": "Change at Temple station for the District line"},
        {"text": "Notre mutuelle santé d'entreprise rembourse enfin les lunettes"},
    ]
    result = runner.invoke(
        app, ["classify", "-"], input="".join(json.dumps(r) + "\n" for r in lines)
    )
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert "politics" in out[0]["special"]
    assert "health" in out[1]["special"]
    assert "ethnicity" in out[2]["special"]
    assert out[3]["special"] == [] and out[3]["storable"] is True
    assert out[4]["special"] == [] and out[4]["storable"] is True
    for o in out[:3]:
        assert o["storable"] is False and o["cues"] == []
        assert set(o["special"]) <= {
            "health", "religion", "politics", "union", "sexuality", "ethnicity"
        }  # fmt: skip
