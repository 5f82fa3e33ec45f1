"""The demo runs other domains' commands in-process: output returned, failures raised with
the command's words, the environment it was given restored afterwards."""

from __future__ import annotations

import os

import pytest

from concilia.console.demo import run_step


def test_a_step_returns_its_output_and_restores_the_environment() -> None:
    os.environ.pop("CONCILIA_DEMO_STEP_TEST", None)
    out = run_step("console", "--help", env={"CONCILIA_DEMO_STEP_TEST": "1"}, quiet=True)
    assert "demo" in out
    assert "CONCILIA_DEMO_STEP_TEST" not in os.environ


def test_a_failing_step_raises_with_the_command_and_its_reason() -> None:
    with pytest.raises(RuntimeError, match=r"`concilia console no-such-command` failed \(2\)"):
        run_step("console", "no-such-command", quiet=True)
