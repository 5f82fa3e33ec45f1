"""The domain list: an unknown domain is an error, and every domain package is listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from concilia import domains

PACKAGE = Path(domains.__file__).parent
# What makes a package a domain (DESIGN.md); a helper package (migrations, apidocs) has none.
DOMAIN_MODULES = ("models.py", "service.py", "router.py", "cli.py")


def test_an_unknown_domain_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domains, "DOMAINS", ("audit", "no_such_domain"))
    with pytest.raises(domains.UnknownDomain, match="no_such_domain"):
        domains.iter_domain_modules("models")


def test_a_domain_without_the_module_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domains, "DOMAINS", ("audit", "geo"))
    assert [d for d, _ in domains.iter_domain_modules("cli")] == ["audit"]


def test_every_domain_package_is_listed() -> None:
    """A new domain adds itself to DOMAINS, or its tables, routes and commands are never
    discovered."""
    packages = {
        p.parent.name
        for p in PACKAGE.glob("*/__init__.py")
        if any((p.parent / m).exists() for m in DOMAIN_MODULES)
    }
    assert packages - set(domains.DOMAINS) == set()
    assert all((PACKAGE / d.replace(".", "/") / "__init__.py").exists() for d in domains.DOMAINS)
