"""Render docs/rules/RULES.md from the rule packs: `python -m concilia.outreach.rules.rules_doc`.

The packs are the source of truth; a test compares the committed document with this
rendering, so a pack edited without regenerating the document fails the suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

from concilia.outreach.rules.packs import PACKS_DIR, Evidence, PackSet, RuleSpec, counts

_KIND = {
    "official": "official text",
    "reproduction": "reproduction (unofficial copy)",
    "secondary": "secondary",
}

_INTRO = """# Rules in the shipped packs

Generated from `src/concilia/outreach/rules/packs/*.yaml` by
`python -m concilia.outreach.rules.rules_doc > docs/rules/RULES.md` (the packs are the source of
truth; a test fails when this file and the packs disagree).

**What the status means.** `verified`: the passage cited was read in the text of the law, either
on the official publisher's site (CFPB eRegulations, eCFR, Légifrance, BOE, EUR-Lex, FCA Handbook)
or in a verbatim copy that names what it copies (e.g. a page marked "Source : Legifrance (DILA)",
a copy of the eCFR text); the rule's `evidence` holds the URL, the date read, a short quote and,
for a copy, what it copies (`copy_of`). `policy`: Concilia's own choice, stricter than the law or
where the law says nothing; its citation starts with "Concilia policy" and `policy_why` says why.
`unverified`: a legal rule whose text was read only in summaries or secondary sources, or not at
all; the rule's `note` says which. The loader refuses `verified: true` without such evidence, a
policy rule whose citation does not say so, and a pack whose `summary` does not match its rules.

Checks: 2026-11-23 and 2026-12-06, from stored copies of public pages (no live web access). Every
rule should still be read on the live official site before production use.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _status(rule: RuleSpec) -> str:
    if rule.basis == "policy":
        return "policy"
    return "verified" if rule.verified else "unverified"


def _evidence_line(e: Evidence) -> str:
    line = f"  - {_KIND[e.kind]}, checked {e.checked.isoformat()}: <{e.url}> — “{_cell(e.quote)}”"
    if e.copy_of:
        line += f" [copy of: {_cell(e.copy_of)}]"
    return line + (f" ({_cell(e.note)})" if e.note else "")


def render(packs: PackSet) -> str:
    """The whole document, every pack in jurisdiction order."""
    by_j = {p.jurisdiction: p for p in packs}
    out = [
        _INTRO,
        "| pack | rules | verified | Concilia policy | unverified |",
        "| --- | --- | --- | --- | --- |",
    ]
    for j in sorted(by_j):
        c = counts(by_j[j].spec.rules)
        out.append(f"| {j} | {c['rules']} | {c['verified']} | {c['policy']} | {c['unverified']} |")
    out.append("")
    for j in sorted(by_j):
        spec = by_j[j].spec
        c = counts(spec.rules)
        out += [
            f"## {j} — {spec.name} (version {spec.version})",
            "",
            f"{c['rules']} rules: {c['verified']} verified, {c['policy']} Concilia policy, "
            f"{c['unverified']} unverified (summary checked {spec.summary.checked.isoformat()}).",
            "",
        ]
        out += [
            "| rule | citation | check | severity | status | what it does |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in spec.rules:
            out.append(
                f"| {r.id} | {_cell(r.citation)} | `{r.check}` | {r.severity} | "
                f"{_status(r)} | {_cell(r.description.en)} |"
            )
        for a in spec.analyses:
            out += ["", f"Analysis — {a.title}: {_cell(a.conclusion)}"]
            out += [_evidence_line(e) for e in a.evidence]
        out += ["", "Evidence and notes:", ""]
        for r in spec.rules:
            out.append(f"- **{r.id}** ({_status(r)}): {_cell(r.note)}")
            if r.policy_why:
                out.append(f"  - why policy: {_cell(r.policy_why)}")
            out += [_evidence_line(e) for e in r.evidence]
        out += ["", "Sources:", ""]
        for s in spec.sources:
            out.append(
                f"- {s.title} — {s.url} — checked {s.checked.isoformat()}, "
                f"verified: {'yes' if s.verified else 'no'}. {_cell(s.note)}"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(directory: Path = PACKS_DIR) -> None:
    sys.stdout.write(render(PackSet.load(directory)))


if __name__ == "__main__":
    main()
