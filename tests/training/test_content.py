"""Courses and question banks come from the rule packs and the source declarations."""

from __future__ import annotations

from typer.testing import CliRunner

from concilia.training import content
from concilia.training.cli import app

PRO = content.SourceFacts("sim-pro", "pro", ("contact", "locating"), False)


def test_every_myth_contradicts_a_rule_of_some_pack() -> None:
    suffixes = {r.id.split("-", 1)[1] for p in content.packs().values() for r in p.rules}
    myths = content._myths()
    assert len(myths) >= 10
    for myth in myths:
        assert myth["rule_suffix"] in suffixes
        assert all(myth[lang] for lang in content.LANGS)


def test_courses_exist_in_three_languages_and_list_the_packs_rules() -> None:
    courses = content.courses()
    assert {c.lang for c in courses} == {"en", "fr", "es"}
    assert {c.jurisdiction for c in courses} == {None, "FR", "ES", "UK", "US"}
    fr = next(c for c in courses if c.slug == "jurisdiction-fr")
    text = content.course_markdown(fr)
    assert "FR-SOCIAL-PRIVATE" in text and "Rien sur une dette" in text
    general = next(c for c in courses if c.slug == "social-channels" and c.lang == "es")
    assert "US-CONNECTION-DISCLOSE" in content.course_markdown(general)


def test_question_bank_mixes_rules_myths_and_source_terms() -> None:
    bank = content.question_bank(lang="fr", jurisdiction="FR", sources=[PRO])
    by_id = {q.id: q for q in bank}
    assert by_id["rule:FR-SOCIAL-PRIVATE"].answer is True
    assert by_id["myth:FR:0"].answer is False
    assert "commenter une publication publique" in by_id["myth:FR:0"].statement
    assert by_id["myth:FR:0"].explanation.startswith("FR-SOCIAL-PRIVATE")
    # The professional network's terms forbid credit assessment and automated messages.
    assert by_id["source:sim-pro:credit_assessment"].answer is False
    assert by_id["source:sim-pro:contact"].answer is True
    assert by_id["source:sim-pro:automated"].answer is False
    # US-only rules never appear in a French quiz.
    assert not any(q.id.startswith("rule:US-") for q in bank)


def test_draw_is_seeded_and_holds_false_statements() -> None:
    bank = content.question_bank(lang="en", jurisdiction="US", sources=[PRO])
    first = content.draw(bank, count=10, seed=3)
    assert [q.id for q in first] == [q.id for q in content.draw(bank, count=10, seed=3)]
    assert len({q.id for q in first}) == 10
    assert sum(not q.answer for q in first) >= 3


def test_course_command_prints_markdown() -> None:
    result = CliRunner().invoke(app, ["course", "jurisdiction-es", "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# España") and "ES-THIRD-PARTY" in result.stdout
