"""Build the engine from settings: the one place entry points get a ready `Matcher` from."""
from __future__ import annotations

import logging
import os
from typing import Any

from shared.config import Settings
from shared.db import create_db_engine, init_db
from shared.engine.calibration import find_calibration
from shared.engine.encoders import load_encoder
from shared.engine.jobs import JobPosting
from shared.engine.matcher import EngineResources, JobVectorStore, Matcher
from shared.repository import all_jobs

logger = logging.getLogger(__name__)


def seed_jobs(settings: Settings) -> list[dict[str, Any]]:
    """The jobs of `seed/jobs_seed.sql`, read through a throwaway in-memory database.

    The seed SQL is the one source of job postings: the database, the CLI and the
    keyword corpus all read it.
    """
    engine = create_db_engine("sqlite://")
    init_db(engine, settings.seed_dir)
    with engine.connect() as connection:
        return all_jobs(connection)


def build_matcher(settings: Settings, *, job_vectors: JobVectorStore | None = None) -> Matcher:
    """Load the model (or the loud offline fallback), its calibration and the seed data.

    `job_vectors` keeps job embeddings beyond this process (the worker passes the database).
    """
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    encoder = load_encoder(settings.model_name, allow_fallback=settings.model_fallback_allowed, threads=settings.torch_threads)
    calibration = find_calibration(encoder.name, settings.calibration_dir)
    if calibration.is_identity:
        logger.warning("no calibration found for %s: section scores are raw cosine x 100", encoder.name)
    jobs = [JobPosting.from_dict(job) for job in seed_jobs(settings)]
    resources = EngineResources.from_seed(
        settings.seed_dir,
        keyword_corpus=[job.full_text for job in jobs],
        cohort_dir=settings.cohort_cv_dir,
        cohort_jobs=jobs,
    )
    logger.info("engine ready: model=%s fallback=%s", encoder.name, encoder.fallback)
    return Matcher(
        encoder,
        resources,
        calibration,
        policy=settings.scoring_policy,
        max_cv_chars=settings.max_cv_chars,
        job_vectors=job_vectors,
        blind_screening=settings.blind_screening,
    )
