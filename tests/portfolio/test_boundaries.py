"""Portfolio's boundaries: one definition of its columns, auth reached through its service."""

from __future__ import annotations

import ast
from pathlib import Path

from concilia.portfolio import columns, sample
from concilia.simulate import portfolio as simulated

PACKAGE = Path(columns.__file__).parent


def test_the_simulator_uses_the_portfolio_columns() -> None:
    assert simulated.COLUMNS is columns.COLUMNS
    assert set(columns.REQUIRED) | set(columns.OPTIONAL) == set(columns.COLUMNS)


def test_portfolio_imports_nothing_from_auth_models_but_role() -> None:
    offending = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "concilia.auth.models":
                offending += [(path.name, a.name) for a in node.names if a.name != "Role"]
            elif isinstance(node, ast.Import):
                offending += [
                    (path.name, a.name) for a in node.names if a.name == "concilia.auth.models"
                ]
    assert offending == []


def test_the_unused_sample_writer_is_gone() -> None:
    assert not hasattr(sample, "write_sample")
