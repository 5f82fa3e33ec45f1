"""One entry point: evaluate(communication, packs) -> Decision with every reason."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from concilia.outreach.rules.model import Communication, Decision, Reason, Verdict
from concilia.outreach.rules.packs import PACKS_DIR, PackSet
from concilia.outreach.rules.registry import Ctx

_RANK: dict[Verdict, int] = {"allow": 0, "review": 1, "block": 2}


_RELOAD_EVERY = 5.0  # seconds between checks of the pack files' modification times
_state: dict[str, Any] = {"packs": None, "checked": 0.0}
# The first requests of a new server process arrive together: without it, each of its
# threads parsed every pack at once (seconds of CPU under load, behind one another's GIL).
_first_load = threading.Lock()
log = logging.getLogger(__name__)


def default_packs() -> PackSet:
    """The active packs: CONCILIA_OUTREACH_RULES_DIR or the shipped ones, reloaded when edited.

    A long-running process (the web app) picks up a compliance officer's edit within a few
    seconds; an edit that does not validate is logged and the previous pack stays active.
    """
    packs: PackSet | None = _state["packs"]
    if packs is None:
        with _first_load:
            packs = _state["packs"]
            if packs is None:
                directory = Path(os.environ.get("CONCILIA_OUTREACH_RULES_DIR") or PACKS_DIR)
                packs = PackSet.load(directory)
                _state["packs"], _state["checked"] = packs, time.monotonic()
        return packs
    now = time.monotonic()
    if now - _state["checked"] >= _RELOAD_EVERY:
        _state["checked"] = now
        for error in packs.reload_if_changed():
            log.warning("rule pack refused, previous pack kept: %s", error)
    return packs


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
