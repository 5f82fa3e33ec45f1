"""Compliance engine: rule packs as data, checks as small pure functions."""

from concilia.outreach.rules.engine import default_packs, evaluate
from concilia.outreach.rules.model import (
    CHANNELS,
    Communication,
    ContactEvent,
    Decision,
    OptOut,
    Reason,
    Verdict,
)
from concilia.outreach.rules.packs import PackError, PackSet, load_pack, parse_pack

__all__ = [
    "CHANNELS",
    "Communication",
    "ContactEvent",
    "Decision",
    "OptOut",
    "PackError",
    "PackSet",
    "Reason",
    "Verdict",
    "default_packs",
    "evaluate",
    "load_pack",
    "parse_pack",
]
