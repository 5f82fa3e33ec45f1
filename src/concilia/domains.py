"""The list of domains, in dependency order; app, CLI and metadata discover modules from it."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

DOMAINS: tuple[str, ...] = (
    "audit",
    "auth",
    "geo",
    "portfolio",
    "sources",
    "tracing",
    "tracing.whereabouts",
    "authenticity",
    "signals",
    "strategy",
    "outreach",
    "portal",
    "reputation",
    "training",
    "privacy",
    "simulate",
    "console",
    "web",
)


def iter_domain_modules(module: str) -> list[tuple[str, ModuleType]]:
    """Import ``concilia.<domain>.<module>`` for every domain that has one."""
    found: list[tuple[str, ModuleType]] = []
    for domain in DOMAINS:
        name = f"concilia.{domain}.{module}"
        if importlib.util.find_spec(f"concilia.{domain}") is None:
            continue
        if importlib.util.find_spec(name) is None:
            continue
        found.append((domain, importlib.import_module(name)))
    return found


def load_all_models() -> None:
    """Import every domain's models so ``Base.metadata`` knows all tables."""
    iter_domain_modules("models")
