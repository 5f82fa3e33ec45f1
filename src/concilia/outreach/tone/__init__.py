"""Tone checker for outgoing collection messages (FR/ES/EN): lexicon rules plus a classifier.

`check_tone(text, lang=None)` returns `ToneFlag`s; a flag with severity "block" makes the
compliance engine block the send. See docs/tone.md.
"""

from concilia.outreach.tone.checker import ToneChecker, check_tone, default_checker
from concilia.outreach.tone.types import BLOCKING_CATEGORIES, CATEGORIES, ToneFlag

__all__ = [
    "BLOCKING_CATEGORIES",
    "CATEGORIES",
    "ToneChecker",
    "ToneFlag",
    "check_tone",
    "default_checker",
]
