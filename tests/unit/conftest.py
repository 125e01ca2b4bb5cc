"""Fixtures for engine unit tests: seed resources once, a matcher on the fake encoder."""
from __future__ import annotations

from datetime import date

import pytest

from shared.config import PROJECT_ROOT
from shared.engine.calibration import Calibration
from shared.engine.encoders import LoadedEncoder
from shared.engine.jobs import JobPosting
from shared.engine.matcher import EngineResources, Matcher
from tests.unit.fakes import BagOfWordsEncoder

SEED_DIR = PROJECT_ROOT / "seed"


@pytest.fixture(scope="session")
def resources() -> EngineResources:
    return EngineResources.from_seed(SEED_DIR, keyword_corpus=["Perawat rawat inap", "Staf akuntansi pajak"])


@pytest.fixture
def fake_encoder() -> BagOfWordsEncoder:
    return BagOfWordsEncoder()


@pytest.fixture
def matcher(resources: EngineResources, fake_encoder: BagOfWordsEncoder) -> Matcher:
    loaded = LoadedEncoder(fake_encoder, configured=fake_encoder.name, fallback=False)
    return Matcher(loaded, resources, Calibration.identity(fake_encoder.name), today=date(2026, 11, 1))


@pytest.fixture
def python_job() -> JobPosting:
    return JobPosting.from_dict(
        {
            "job_id": "JX",
            "title": "Backend Developer (Python)",
            "description": "We build payment APIs in Python and Django. You will design REST APIs and manage projects.",
            "requirements": [
                "Bachelor's degree (S1) in Computer Science",
                "At least 2 years of experience with Python and Django",
                "Experience with PostgreSQL and Docker",
                "Project management skills",
            ],
            "required_skills": ["Python", "Django", "PostgreSQL", "Docker", "Kubernetes"],
            "min_experience_years": 2,
            "education_level": "S1",
        }
    )
