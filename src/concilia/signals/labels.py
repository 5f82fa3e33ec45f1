"""The event labels, and which of them mean a possible vulnerability."""

from __future__ import annotations

LABELS: tuple[str, ...] = (
    "new_job",
    "promotion",
    "job_loss",
    "business_opened",
    "business_closed",
    "vehicle_purchase",
    "property_purchase",
    "luxury_purchase",
    "travel",
    "moved",
    "relationship_end",
    "new_child",
    "bereavement",
    "illness_or_disability",
    "financial_hardship",
    "none",
)
LANGS: tuple[str, ...] = ("fr", "es", "en")

# Needed for fair treatment, stored only as a flag without the detail (GDPR art. 9 for
# health; bereavement and hardship are not special categories but get the same discretion).
VULNERABILITY_LABELS = frozenset({"illness_or_disability", "bereavement", "financial_hardship"})
VULNERABILITY_EVENT = "vulnerability_possible"
