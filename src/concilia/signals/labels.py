"""The event labels (the one list is ``concilia.simulate.labels``), and which of them mean
a possible vulnerability."""

from __future__ import annotations

from concilia.simulate import labels as simulate_labels

LABELS = simulate_labels.LABELS
LANGS: tuple[str, ...] = ("fr", "es", "en")

# Needed for fair treatment, stored only as a flag without the detail (GDPR art. 9 for
# health; bereavement and hardship are not special categories but get the same discretion).
VULNERABILITY_LABELS = frozenset({"illness_or_disability", "bereavement", "financial_hardship"})
VULNERABILITY_EVENT = "vulnerability_possible"
