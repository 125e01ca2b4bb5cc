"""Hand-written fakes for fast unit tests (the real models are tested in test_real_models.py)."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_DIM = 256


class BagOfWordsEncoder:
    """Hashes lowercase words into a fixed-size vector: texts sharing words are similar."""

    name = "fake-bag-of-words"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        matrix = np.zeros((len(texts), _DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                matrix[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % _DIM] += 1.0
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)
