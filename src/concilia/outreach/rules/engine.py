"""One entry point: evaluate(communication, packs) -> Decision with every reason."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from concilia.outreach.rules.model import Communication, Decision, Reason, Verdict
from concilia.outreach.rules.packs import PACKS_DIR, PackSet
from concilia.outreach.rules.registry import Ctx

_RANK: dict[Verdict, int] = {"allow": 0, "review": 1, "block": 2}


@lru_cache(maxsize=1)
def default_packs() -> PackSet:
    """The packs shipped in the package, loaded once per process."""
    return PackSet.load(PACKS_DIR)


def evaluate(
    comm: Communication,
    packs: PackSet | None = None,
    *,
    tone_flags: Sequence[Any] = (),
    lang: str = "en",
) -> Decision:
    """Run every enabled rule of the communication's jurisdiction; collect all reasons."""
    packs = packs if packs is not None else default_packs()
    pack = packs.get(comm.jurisdiction)
    if pack is None:
        # Fail closed: no rules known means nothing may be sent.
        return Decision(
            "block",
            (
                Reason(
                    rule="ENGINE-NO-PACK",
                    citation="-",
                    category="configuration",
                    severity="block",
                    explanation=f"no rule pack is loaded for jurisdiction {comm.jurisdiction!r}",
                ),
            ),
        )
    ctx = Ctx(pack=pack.context, tone_flags=tone_flags)
    reasons: list[Reason] = []
    verdict: Verdict = "allow"
    for rule in pack.rules:
        hit = rule.fn(comm, rule.params, ctx)
        if hit is None:
            continue
        spec = rule.spec
        severity: Verdict = hit.severity or spec.severity
        description = getattr(spec.description, lang, None) or spec.description.en
        reasons.append(
            Reason(
                rule=spec.id,
                citation=spec.citation,
                category=spec.category,
                severity=severity,
                explanation=f"{description} ({hit.detail})",
                action=hit.action,
            )
        )
        if _RANK[severity] > _RANK[verdict]:
            verdict = severity
    return Decision(verdict, tuple(reasons), (pack.version,))
