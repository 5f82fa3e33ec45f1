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


def _set_verification(text: str, rule_id: str, replacement: str) -> str:
    """Replace the `verified:` line of one rule (and nothing else) with the given YAML lines."""
    start = text.index(f"  - id: {rule_id}\n")
    at = text.index("    verified: false\n", start)
    return text[:at] + replacement + text[at + len("    verified: false\n") :]


_OFFICIAL = (
    "    verified: true\n"
    "    evidence:\n"
    "      - url: https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000000000000\n"
    "        quote: Texte de l'article.\n"
    "        checked: 2026-11-23\n"
    "        kind: {kind}\n"
)


def test_verified_rule_without_official_evidence_is_refused_at_its_line() -> None:
    text = (PACKS_DIR / "FR.yaml").read_text()
    bare = _set_verification(text, "FR-BANKRUPT-DECEASED", "    verified: true\n")
    with pytest.raises(PackError) as exc:
        parse_pack(bare, "FR.yaml")
    assert "needs an evidence entry of kind official" in exc.value.reason
    assert exc.value.line == _line_of(bare, "id: FR-BANKRUPT-DECEASED")
    # A copy of the text on a law firm's site is evidence, but not enough to verify.
    copied = _set_verification(text, "FR-BANKRUPT-DECEASED", _OFFICIAL.format(kind="reproduction"))
    with pytest.raises(PackError, match="kind official"):
        parse_pack(copied, "FR.yaml")


def test_verified_rule_with_official_evidence_is_accepted() -> None:
    text = _set_verification(
        (PACKS_DIR / "FR.yaml").read_text(),
        "FR-BANKRUPT-DECEASED",
        _OFFICIAL.format(kind="official"),
    )
    pack = parse_pack(text, "FR.yaml")
    rule = next(r.spec for r in pack.rules if r.spec.id == "FR-BANKRUPT-DECEASED")
    assert rule.verified
    assert [e.url for e in rule.official_evidence] == [
        "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000000000000"
    ]


def test_evidence_fields_are_validated() -> None:
    text = (PACKS_DIR / "FR.yaml").read_text()
    plain_http = _set_verification(
        text,
        "FR-BANKRUPT-DECEASED",
        _OFFICIAL.format(kind="official").replace("https://", "http://"),
    )
    with pytest.raises(PackError) as exc:
        parse_pack(plain_http, "FR.yaml")
    assert "evidence.0.url" in exc.value.reason
    assert exc.value.line == _line_of(plain_http, "http://www.legifrance")
    bad_kind = _set_verification(text, "FR-BANKRUPT-DECEASED", _OFFICIAL.format(kind="blog"))
    with pytest.raises(PackError, match=r"evidence\.0\.kind"):
        parse_pack(bad_kind, "FR.yaml")


def test_shipped_rules_say_how_they_were_checked() -> None:
    for pack in PackSet.load(PACKS_DIR):
        for spec in pack.spec.rules:
            # Every rule explains what was (or could not be) read: no silent "verified: false".
            assert spec.note.strip(), spec.id
            for e in spec.evidence:
                assert e.quote.strip() and e.checked.year >= 2026, spec.id
            if spec.verified:
                assert spec.official_evidence, spec.id


def test_a_key_written_twice_is_refused_not_silently_overridden() -> None:
    text = (PACKS_DIR / "US.yaml").read_text()
    start = text.index("  - id: US-CALL-FREQUENCY\n")
    at = text.index("      max_attempts: 7\n", start)
    doubled = text[:at] + "      max_attempts: 70\n" + text[at:]
    with pytest.raises(PackError) as exc:
        parse_pack(doubled, "US.yaml")
    assert "duplicate key 'max_attempts'" in exc.value.reason
    # The second occurrence (the original line, right after the inserted one) is reported.
    assert exc.value.line == _line_of(doubled, "max_attempts: 70") + 1


def test_rules_document_matches_the_packs() -> None:
    from concilia.outreach.rules.rules_doc import render

    doc = Path(__file__).resolve().parents[2] / "docs" / "rules" / "RULES.md"
    assert doc.read_text(encoding="utf-8") == render(PackSet.load(PACKS_DIR)), (
        "regenerate: python -m concilia.outreach.rules.rules_doc > docs/rules/RULES.md"
    )
