"""The list of domains, in dependency order; app, CLI and metadata discover modules from it.

A domain is listed once its package exists (a new domain adds itself here when it lands);
a listed domain that does not exist is an error, never skipped: a typo or a half-removed
domain would otherwise lose its tables, routes or commands without a word.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

DOMAINS: tuple[str, ...] = (
    "audit",
    "auth",
    "certification",
    "compliance",
    "geo",
    "portfolio",
    "sources",
    "tracing",
    "tracing.whereabouts",
    "authenticity",
    "signals",
    "outreach",
    "portal",
    "simulate",
    "strategy",
    "reputation",
    "training",
    "privacy",
    "console",
    "web",
)


class UnknownDomain(LookupError):
    """A domain listed in DOMAINS has no package."""


def iter_domain_modules(module: str) -> list[tuple[str, ModuleType]]:
    """Import ``concilia.<domain>.<module>`` for every domain that has one.

    UnknownDomain when a listed domain has no package; a domain without that module
    (no router, no cli) is simply not in the result."""
    found: list[tuple[str, ModuleType]] = []
    for domain in DOMAINS:
        if importlib.util.find_spec(f"concilia.{domain}") is None:
            raise UnknownDomain(
                f"concilia.domains.DOMAINS lists {domain!r}, but there is no package "
                f"concilia.{domain}: create it or remove it from the list"
            )
        name = f"concilia.{domain}.{module}"
        if importlib.util.find_spec(name) is None:
            continue
        found.append((domain, importlib.import_module(name)))
    return found


def load_all_models() -> None:
    """Import every domain's models so ``Base.metadata`` knows all tables."""
    iter_domain_modules("models")
