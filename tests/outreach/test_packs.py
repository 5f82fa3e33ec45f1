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


_MINI = """jurisdiction: FR
name: test
version: "1"
summary: {{rules: 1, verified: {verified}, policy: {policy}, unverified: {unverified},
  checked: 2026-12-06}}
default_time_zones: [Europe/Paris]
sources:
  - {{title: t, url: "https://example.org", checked: 2026-12-06, verified: false}}
rules:
  - id: FR-X
    citation: {citation}
    category: consent
    check: cease_contact
    description: {{en: a, fr: b, es: c}}
{extra}"""


def _mini(
    extra: str, *, citation: str = "CPCE R124-4", counts: tuple[int, int, int] = (1, 0, 0)
) -> str:
    v, p, u = counts
    return _MINI.format(extra=extra, citation=citation, verified=v, policy=p, unverified=u)


def _evidence(kind: str, copy_of: str = "", url: str = "https://www.legifrance.gouv.fr/x") -> str:
    out = (
        "    evidence:\n"
        f"      - url: {url}\n"
        "        quote: Texte de l'article.\n"
        "        checked: 2026-12-06\n"
        f"        kind: {kind}\n"
    )
    return out + (f"        copy_of: '{copy_of}'\n" if copy_of else "")


def test_verified_rule_needs_the_text_official_or_a_named_copy() -> None:
    bare = _mini("    verified: true\n")
    with pytest.raises(PackError) as exc:
        parse_pack(bare, "FR.yaml")
    assert "needs an evidence entry" in exc.value.reason
    assert exc.value.line == _line_of(bare, "id: FR-X")
    # A copy that does not say what it copies, or a summary, does not verify.
    for extra in (_evidence("reproduction"), _evidence("secondary", "Légifrance")):
        with pytest.raises(PackError, match="copy_of"):
            parse_pack(_mini("    verified: true\n" + extra), "FR.yaml")
    # The official text, or a verbatim copy naming its source ("Source : Legifrance"), verifies.
    for extra in (_evidence("official"), _evidence("reproduction", "Légifrance (DILA)")):
        rule = parse_pack(_mini("    verified: true\n" + extra), "FR.yaml").rules[0].spec
        assert rule.verified and rule.official_evidence


def test_evidence_fields_are_validated() -> None:
    plain_http = _mini(
        "    verified: true\n" + _evidence("official", url="http://www.legifrance.gouv.fr/x")
    )
    with pytest.raises(PackError) as exc:
        parse_pack(plain_http, "FR.yaml")
    assert "evidence.0.url" in exc.value.reason
    assert exc.value.line == _line_of(plain_http, "http://www.legifrance")
    with pytest.raises(PackError, match=r"evidence\.0\.kind"):
        parse_pack(_mini("    verified: true\n" + _evidence("blog")), "FR.yaml")


def test_policy_is_labelled_as_policy_and_never_verified() -> None:
    policy = "    verified: false\n    basis: policy\n    policy_why: stricter than the law\n"
    ok = parse_pack(
        _mini(policy, citation="'Concilia policy (RGPD art. 21)'", counts=(0, 1, 0)), "FR.yaml"
    )
    assert ok.rules[0].spec.basis == "policy"
    with pytest.raises(PackError, match="must start with 'Concilia policy'"):
        parse_pack(_mini(policy, counts=(0, 1, 0)), "FR.yaml")
    with pytest.raises(PackError, match="policy_why"):
        parse_pack(
            _mini(
                "    verified: false\n    basis: policy\n",
                citation="'Concilia policy'",
                counts=(0, 1, 0),
            ),
            "FR.yaml",
        )
    # A citation that says policy on a rule presented as law is refused too.
    with pytest.raises(PackError, match="set basis: policy"):
        parse_pack(
            _mini("    verified: false\n", citation="'Concilia policy (x)'", counts=(0, 0, 1)),
            "FR.yaml",
        )


def test_pack_summary_must_state_the_true_counts() -> None:
    with pytest.raises(PackError, match="summary says"):
        parse_pack(_mini("    verified: false\n", counts=(1, 0, 0)), "FR.yaml")
    assert parse_pack(_mini("    verified: false\n", counts=(0, 0, 1)), "FR.yaml")


def test_shipped_packs_state_their_verified_counts() -> None:
    # Issue 15/24: the packs said 0 of 14 French and 0 of 14 Spanish rules were verified.
    got = {
        p.jurisdiction: p.spec.summary.model_dump(exclude={"checked"})
        for p in PackSet.load(PACKS_DIR)
    }
    assert got == {
        "FR": {"rules": 14, "verified": 4, "policy": 10, "unverified": 0},
        "ES": {"rules": 14, "verified": 1, "policy": 11, "unverified": 2},
        "UK": {"rules": 14, "verified": 11, "policy": 2, "unverified": 1},
        "US": {"rules": 18, "verified": 11, "policy": 2, "unverified": 5},
    }


def test_policy_rules_of_issue_24_are_labelled_policy() -> None:
    packs = {p.jurisdiction: {r.spec.id: r.spec for r in p.rules} for p in PackSet.load(PACKS_DIR)}
    for rid in (
        "FR-CEASE", "FR-CHANNEL-OPT-OUT", "ES-CEASE", "ES-CHANNEL-OPT-OUT",
        "FR-TIME-BARRED", "ES-TIME-BARRED", "ES-BANKRUPT-DECEASED",
        "ES-MESSAGE-HOURS", "ES-CALL-FREQUENCY", "ES-VULNERABLE",
    ):  # fmt: skip
        rule = packs[rid[:2]][rid]
        assert rule.basis == "policy" and rule.citation.startswith("Concilia policy"), rid
        assert rule.policy_why.strip(), rid
    assert "L218-2" in packs["FR"]["FR-TIME-BARRED"].policy_why
    assert "L722-5" in packs["FR"]["FR-BANKRUPT-DECEASED"].citation
    assert "L722-2" not in packs["FR"]["FR-BANKRUPT-DECEASED"].citation
    # Every rule still leaning on the untransposed directive is policy.
    for rule in packs["ES"].values():
        if "2021/2167" in rule.citation:
            assert rule.basis == "policy", rule.id
    es_social = packs["ES"]["ES-SOCIAL-PRIVATE"]
    assert "4393/2000" in es_social.citation and "7.3" in es_social.citation
    es = next(p for p in PackSet.load(PACKS_DIR) if p.jurisdiction == "ES")
    assert any("Ley 10/2025" in a.title for a in es.spec.analyses)


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
