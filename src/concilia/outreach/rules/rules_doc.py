"""Render docs/rules/RULES.md from the rule packs: `python -m concilia.outreach.rules.rules_doc`.

The packs are the source of truth; a test compares the committed document with this
rendering, so a pack edited without regenerating the document fails the suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

from concilia.outreach.rules.packs import PACKS_DIR, PackSet

_KIND = {
    "official": "official text",
    "reproduction": "reproduction (unofficial copy)",
    "secondary": "secondary",
}

_INTRO = """# Rules in the shipped packs

Generated from `src/concilia/outreach/rules/packs/*.yaml` by
`python -m concilia.outreach.rules.rules_doc > docs/rules/RULES.md` (the packs are the source of
truth; a test fails when this file and the packs disagree).

**What `verified` means.** `yes`: the passage cited was read in an official copy of the text (the
issuer's or official publisher's site: CFPB eRegulations, eCFR, Federal Register, Légifrance, BOE,
EUR-Lex, FCA Handbook, legislation.gov.uk) on the date shown, its URL and a short quote are in the
rule's `evidence`, and every figure of the rule either comes from that passage or is labelled
Concilia policy. `no`: the text was read only in an unofficial reproduction, in secondary sources,
or not at all; the rule's `note` says which. The pack loader refuses `verified: true` without an
`evidence` entry of kind `official`.

Last check: 2026-11-23, from stored copies of public pages (no live web access). Those copies hold
only the beginning of each page, which is why several official pages were found but could not be
read as far as the paragraph a rule relies on.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(packs: PackSet) -> str:
    """The whole document, every pack in jurisdiction order."""
    by_j = {p.jurisdiction: p for p in packs}
    out = [_INTRO, "| pack | rules | verified | not verified |", "| --- | --- | --- | --- |"]
    for j in sorted(by_j):
        rules = by_j[j].spec.rules
        done = sum(r.verified for r in rules)
        out.append(f"| {j} | {len(rules)} | {done} | {len(rules) - done} |")
    out.append("")
    for j in sorted(by_j):
        spec = by_j[j].spec
        out += [f"## {j} — {spec.name} (version {spec.version})", ""]
        out += [
            "| rule | citation | check | severity | verified | what it does |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in spec.rules:
            out.append(
                f"| {r.id} | {_cell(r.citation)} | `{r.check}` | {r.severity} | "
                f"{'yes' if r.verified else 'no'} | {_cell(r.description.en)} |"
            )
        out += ["", "Evidence and notes:", ""]
        for r in spec.rules:
            status = "verified" if r.verified else "not verified"
            out.append(f"- **{r.id}** ({status}): {_cell(r.note)}")
            for e in r.evidence:
                line = (
                    f"  - {_KIND[e.kind]}, checked {e.checked.isoformat()}: <{e.url}> "
                    f"— “{_cell(e.quote)}”"
                )
                out.append(line + (f" ({_cell(e.note)})" if e.note else ""))
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
