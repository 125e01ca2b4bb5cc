"""A model folder's fingerprint: what the stored job vectors are keyed by (real models: test_real_models.py)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sentence_transformers

from shared.engine.calibration import CALIBRATION_FILE_NAME
from shared.engine.encoders import SentenceTransformerEncoder, model_folder_fingerprint

WEIGHTS = b"\x00\x01" * 2048


def model_folder(path: Path) -> Path:
    """A folder laid out like a saved sentence-transformers model, with stand-in weights."""
    (path / "1_Pooling").mkdir(parents=True)
    (path / "config.json").write_text('{"hidden_size": 4}')
    (path / "modules.json").write_text('[{"idx": 0, "path": ""}, {"idx": 1, "path": "1_Pooling"}]')
    (path / "tokenizer.json").write_text('{"model": {"vocab": {"[UNK]": 0}}}')
    (path / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    (path / "model.safetensors").write_bytes(WEIGHTS)
    return path


def test_new_weights_of_the_same_size_and_time_change_the_fingerprint(tmp_path: Path) -> None:
    folder = model_folder(tmp_path / "finetuned")
    weights = folder / "model.safetensors"
    before, stat = model_folder_fingerprint(folder), weights.stat()
    weights.write_bytes(b"\x01" + WEIGHTS[1:])
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as a copy that keeps the time would
    assert (weights.stat().st_size, weights.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    assert model_folder_fingerprint(folder) != before


def test_the_same_files_give_the_same_fingerprint_in_any_folder(tmp_path: Path) -> None:
    folder = model_folder(tmp_path / "finetuned")
    copy = shutil.copytree(folder, tmp_path / "elsewhere")
    (copy / "model.safetensors").touch()  # a new time, the same content
    assert model_folder_fingerprint(copy) == model_folder_fingerprint(folder)
    assert model_folder_fingerprint(folder).startswith("sha256:")


def test_a_changed_config_or_an_added_module_changes_the_fingerprint(tmp_path: Path) -> None:
    folder = model_folder(tmp_path / "finetuned")
    seen = {model_folder_fingerprint(folder)}
    (folder / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    seen.add(model_folder_fingerprint(folder))
    (folder / "2_Dense").mkdir()
    (folder / "2_Dense" / "model.safetensors").write_bytes(WEIGHTS)
    seen.add(model_folder_fingerprint(folder))
    (folder / "2_Dense" / "model.safetensors").rename(folder / "2_Dense" / "pytorch_model.bin")
    seen.add(model_folder_fingerprint(folder))
    assert len(seen) == 4


def test_the_calibration_and_hidden_files_are_not_part_of_the_fingerprint(tmp_path: Path) -> None:
    folder = model_folder(tmp_path / "finetuned")
    before = model_folder_fingerprint(folder)
    (folder / CALIBRATION_FILE_NAME).write_text('{"sections": {}}')  # `make calibrate` rewrites it on its own
    (folder / ".cache").mkdir()
    (folder / ".cache" / "lock").write_text("x")
    assert model_folder_fingerprint(folder) == before


class SavedIntoWhileLoading:
    """Stands in for SentenceTransformer while a training run saves new weights into the folder it reads."""

    max_seq_length = 256

    def __init__(self, folder: str, **options: object) -> None:
        (Path(folder) / "model.safetensors").write_bytes(WEIGHTS[::-1])


def test_a_folder_saved_into_while_it_loads_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", SavedIntoWhileLoading)
    with pytest.raises(RuntimeError, match="changed while it was loaded"):
        SentenceTransformerEncoder(model_folder(tmp_path / "finetuned"))
