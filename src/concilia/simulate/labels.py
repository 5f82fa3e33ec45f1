"""The life events a public post may tell of: the one list of them.

The simulator writes posts whose true label is one of these, and the signals domain
classifies real posts into the same labels (``concilia.signals.labels``). Signals trains
on the simulator's posts, so it depends on this domain; the list lives on this side so the
two domains do not import each other.
"""

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
# Every label but ``none``: the events themselves.
EVENT_LABELS: tuple[str, ...] = tuple(label for label in LABELS if label != "none")
