"""Build the engine from settings: the one place entry points get a ready `Matcher` from."""
from __future__ import annotations

import json
import logging
import os

from shared.config import Settings
from shared.engine.calibration import find_calibration
from shared.engine.encoders import load_encoder
from shared.engine.matcher import EngineResources, Matcher

logger = logging.getLogger(__name__)


def seed_job_texts(settings: Settings) -> list[str]:
    """Texts of the seeded jobs: the reference corpus the TF-IDF baseline is fitted on."""
    jobs = json.loads((settings.seed_dir / "jobs.json").read_text(encoding="utf-8"))
    return ["\n".join([job["title"], job["description"], *job["requirements"]]) for job in jobs]


def build_matcher(settings: Settings) -> Matcher:
    """Load the model (or the loud offline fallback), its calibration and the seed data."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    encoder = load_encoder(settings.model_name, allow_fallback=settings.model_fallback_allowed, threads=settings.torch_threads)
    calibration = find_calibration(encoder.name, settings.calibration_dir)
    if calibration.is_identity:
        logger.warning("no calibration found for %s: section scores are raw cosine x 100", encoder.name)
    resources = EngineResources.from_seed(settings.seed_dir, keyword_corpus=seed_job_texts(settings))
    logger.info("engine ready: model=%s fallback=%s", encoder.name, encoder.fallback)
    return Matcher(encoder, resources, calibration, policy=settings.scoring_policy, max_cv_chars=settings.max_cv_chars)
