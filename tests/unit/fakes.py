"""Hand-written fakes for fast unit tests (the real models are tested in test_real_models.py)."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_DIM = 256


class BagOfWordsEncoder:
    """Hashes lowercase words into a fixed-size vector: texts sharing words are similar.

    A different `salt` sends words to different buckets: another model, which may carry the same
    `name` (a model retrained into the same folder); its `identity` differs.
    """

    def __init__(self, *, name: str = "fake-bag-of-words", salt: str = "") -> None:
        self.name = name
        self.identity = f"fake-bag-of-words:{salt}"
        self._salt = salt
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        matrix = np.zeros((len(texts), _DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                matrix[row, int(hashlib.md5((self._salt + word).encode()).hexdigest(), 16) % _DIM] += 1.0
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)
