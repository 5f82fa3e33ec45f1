"""The import-linter contracts in pyproject.toml cover every domain, hold, and see the
imports hidden inside functions."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from concilia import domains

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "concilia"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_the_core_contract_forbids_every_domain() -> None:
    (core,) = [c for c in _contracts() if c["id"] == "core"]
    packages = {f"concilia.{d.split('.')[0]}" for d in domains.DOMAINS}
    assert packages - set(core["forbidden_modules"]) == set()


def test_every_domains_models_are_protected() -> None:
    protected = {
        m for c in _contracts() if c["type"] == "protected" for m in c["protected_modules"]
    }
    with_models = {
        f"concilia.{d}.models"
        for d in domains.DOMAINS
        if (PACKAGE / d.replace(".", "/") / "models.py").exists()
    }
    assert with_models and with_models - protected == set()


def test_the_contracts_hold() -> None:
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_import_inside_a_function_closes_a_circle(tmp_path: Path) -> None:
    """The circle signals -> tracing -> signals was made of imports inside functions: the
    linter must see those too."""
    pkg = tmp_path / "circle"
    for name, body in {
        "__init__": "",
        "a/__init__": "",
        "a/service": "from circle.b import service\n",
        "b/__init__": "",
        "b/service": "def f() -> None:\n    from circle.a import service  # noqa\n",
    }.items():
        path = pkg / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "circle"\n\n'
        '[[tool.importlinter.contracts]]\nname = "no circle"\ntype = "acyclic_siblings"\n'
        'ancestors = ["circle"]\n',
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(config)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "No cycles are allowed in circle" in done.stdout
