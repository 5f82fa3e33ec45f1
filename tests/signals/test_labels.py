"""Signals classifies into the simulator's labels: one list, not two that may drift."""

from __future__ import annotations

from concilia.signals import labels
from concilia.simulate import labels as simulate_labels


def test_signals_labels_are_the_simulators() -> None:
    assert labels.LABELS is simulate_labels.LABELS
    assert set(simulate_labels.EVENT_LABELS) == set(labels.LABELS) - {"none"}
    assert set(labels.LABELS) >= labels.VULNERABILITY_LABELS
