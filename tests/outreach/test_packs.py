"""Rule packs: validated with file and line, reloadable, a bad pack never replaces a good one."""

import shutil
from pathlib import Path

import pytest

from concilia.outreach.rules import PackError, PackSet, evaluate, parse_pack
from concilia.outreach.rules.packs import PACKS_DIR
from tests.outreach.helpers import make


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    for p in PACKS_DIR.glob("*.yaml"):
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


def test_every_shipped_pack_has_sources_dates_and_three_languages() -> None:
    packs = PackSet.load(PACKS_DIR)
    assert packs.jurisdictions == ("ES", "FR", "UK", "US")
    for pack in packs:
        assert pack.spec.sources
        for s in pack.spec.sources:
            assert s.checked.year >= 2026 and s.url.startswith("https://")
        for rule in pack.rules:
            d = rule.spec.description
            assert d.en and d.fr and d.es
            assert rule.spec.citation


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_bad_parameter_is_refused_with_file_line_and_reason(pack_dir: Path) -> None:
    path = pack_dir / "US.yaml"
    text = path.read_text().replace("max_attempts: 7", "max_attempts: seven")
    path.write_text(text)
    with pytest.raises(PackError) as exc:
        PackSet.load(pack_dir)
    err = exc.value
    assert err.file == str(path)
    assert err.line == _line_of(text, "max_attempts: seven")
    assert "max_attempts" in err.reason


def test_unknown_check_type_and_bad_regex_are_refused_with_line() -> None:
    text = (PACKS_DIR / "UK.yaml").read_text()
    bad = text.replace("check: contact_preferences", "check: contact_preference")
    with pytest.raises(PackError) as exc:
        parse_pack(bad, "UK.yaml")
    assert exc.value.line == _line_of(bad, "check: contact_preference")
    assert "unknown check type" in exc.value.reason
    bad_rx = text.replace("'statute[- ]barred'", "'statute[- barred'")
    with pytest.raises(PackError) as exc:
        parse_pack(bad_rx, "UK.yaml")
    assert "invalid regular expression" in exc.value.reason
    assert exc.value.line == _line_of(bad_rx, "statute[- barred")


def test_yaml_syntax_error_is_refused_with_line() -> None:
    text = "jurisdiction: US\nname: x\nrules:\n  - id: [unclosed\n"
    with pytest.raises(PackError) as exc:
        parse_pack(text, "x.yaml")
    assert exc.value.line is not None and exc.value.line >= 4
    assert "YAML syntax" in exc.value.reason


def test_missing_description_language_is_refused() -> None:
    text = (PACKS_DIR / "ES.yaml").read_text()
    first_es = text.index("      es: ")
    bad = text[:first_es] + text[text.index("\n", first_es) + 1 :]
    with pytest.raises(PackError) as exc:
        parse_pack(bad, "ES.yaml")
    assert "description.es" in exc.value.reason


def test_reload_applies_an_edit_without_code_change(pack_dir: Path) -> None:
    packs = PackSet.load(pack_dir)
    comm = make("US", channel="call", text="")
    from datetime import time

    late = comm.send_at.replace(hour=20, minute=30)  # type: ignore[union-attr]
    from dataclasses import replace

    comm = replace(comm, send_at=late)
    assert evaluate(comm, packs).verdict == "allow"
    path = pack_dir / "US.yaml"
    path.write_text(path.read_text().replace('end: "21:00"', 'end: "20:00"'))
    assert packs.reload_if_changed() == []
    assert evaluate(comm, packs).verdict == "block"
    assert time(20) < late.time()


def test_failed_reload_keeps_the_previous_pack(pack_dir: Path) -> None:
    packs = PackSet.load(pack_dir)
    before = packs.get("US")
    path = pack_dir / "US.yaml"
    path.write_text(path.read_text().replace("jurisdiction: US", "jurisdiction: US\n  oops: [", 1))
    errors = packs.reload()
    assert len(errors) == 1 and errors[0].file == str(path)
    assert packs.get("US") is before
    assert evaluate(make("US", channel="social_post"), packs).verdict == "block"
    assert packs.get("FR") is not None


def test_duplicate_rule_id_and_wrong_prefix_are_refused() -> None:
    text = (PACKS_DIR / "FR.yaml").read_text()
    with pytest.raises(PackError, match="duplicate rule id"):
        parse_pack(text.replace("id: FR-CEASE", "id: FR-HOURS"), "FR.yaml")
    with pytest.raises(PackError, match="must start with FR-"):
        parse_pack(text.replace("id: FR-CEASE", "id: US-CEASE"), "FR.yaml")


def test_disabled_rule_does_not_run(pack_dir: Path) -> None:
    path = pack_dir / "UK.yaml"
    text = path.read_text().replace(
        "    check: contact_preferences\n", "    check: contact_preferences\n    enabled: false\n"
    )
    path.write_text(text)
    packs = PackSet.load(pack_dir)
    assert evaluate(make("UK", preferred_channels=("letter",)), packs).verdict == "allow"
