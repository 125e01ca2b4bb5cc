"""The one source of settings: environment variables and `.env`, with safe local defaults."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated

from shared.engine.scoring import ScoringPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The token written in .env.example; a server started with it would be open to anyone who read the repo.
PLACEHOLDER_TOKEN = "change-me-to-a-long-random-token"
MIN_TOKEN_LENGTH = 16


class Settings(BaseSettings):
    """Every setting of CV Match; the API, the worker, the CLI and the tests build from this."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Model
    model_name: str = Field(
        "sentence-transformers/paraphrase-multilingual-mpnet-base-v2",
        description="Hugging Face id, local model folder (e.g. models/finetuned) or use-multilingual-v3.",
    )
    model_fallback_allowed: bool = Field(
        True, description="Use the bundled offline encoder when MODEL_NAME cannot be loaded (turn off in production)."
    )
    torch_threads: int = Field(1, ge=1, description="Torch/BLAS threads per process that loads the model.")

    # Engine data
    seed_dir: Path = Field(PROJECT_ROOT / "seed", description="Folder with skills.yaml, section_headings.yaml, schema.sql, jobs_seed.sql.")
    calibration_dir: Path = Field(
        PROJECT_ROOT / "seed" / "calibration", description="Calibrations of models that are not local folders."
    )
    cohort_cv_dir: Path = Field(
        PROJECT_ROOT / "data" / "sample" / "cvs",
        description="CVs (*.txt) of the background cohort that section scores are normalised against.",
    )
    max_cv_chars: int = Field(100_000, ge=1_000, description="Longest CV text accepted, in characters.")

    # Service
    app_token: SecretStr | None = Field(None, description="Bearer token every endpoint but /api/health requires.")
    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'instance' / 'cv_match.db'}",
        description="SQLAlchemy URL of the database (a SQLite file by default).",
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Celery broker.")
    result_backend_url: str | None = Field(None, description="Celery result backend; defaults to REDIS_URL.")
    broker_timeout_seconds: float = Field(1.0, gt=0, description="Connect timeout to Redis; a down broker answers 503 after about this long.")
    match_timeout_seconds: float = Field(30.0, gt=0, description="How long POST /api/match waits for the worker before 504.")
    max_queue_depth: int = Field(
        50, ge=1, description="POST /api/match answers 503 queue_full (with Retry-After) while this many matches already wait for a worker."
    )
    result_ttl_seconds: int = Field(
        3_600,
        ge=60,
        description="How long Celery keeps a task's return value in Redis: a status and a grade, no candidate data "
        "(the results themselves are in the database).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"],
        description="Browser origins allowed to call the API (comma-separated).",
    )
    docs_public: bool = Field(
        True,
        description="Serve /api/docs and /api/openapi.json without a token (they describe the API and hold no data); "
        "false puts them behind the token like every other endpoint.",
    )
    max_request_bytes: int = Field(10_000_000, ge=10_000, description="Largest request body accepted (413 above).")
    jobs_page_limit_max: int = Field(100, ge=1, description="Largest page size of GET /api/jobs.")
    batch_max_candidates: int = Field(500, ge=1, description="Most candidates in one batch (413 above).")
    batch_chunk_size: int = Field(32, ge=1, le=256, description="CVs a worker scores in one task (one encoder call).")
    task_visibility_timeout_seconds: int = Field(
        600, ge=5, description="A task taken by a worker that died unannounced (kill -9) goes back to the queue after this long."
    )
    requeue_sweep_seconds: float = Field(
        60.0, gt=0, description="How often each worker re-enqueues pending batch items whose task Redis lost."
    )
    requeue_grace_seconds: float = Field(
        30.0, ge=0, description="Pending items younger than this are never re-enqueued (their task may be on its way)."
    )
    keep_cv_text: bool = Field(
        False,
        description="Keep each CV's text in the database after it is scored, for audits (batch_items.cv_text, "
        "match_cv_texts); by default only its SHA-256 and the results stay.",
    )
    retention_days: int = Field(
        30, ge=0, description="Match results and batches older than this many days are purged; 0 keeps them forever."
    )
    retention_sweep_seconds: float = Field(
        3_600.0, gt=0, description="How often a worker purges what is older than RETENTION_DAYS (one worker at a time)."
    )
    worker_concurrency: int = Field(1, ge=1, description="Worker child processes; concurrency x TORCH_THREADS should not exceed the cores.")
    worker_warm_up: bool = Field(
        True, description="Score the seed jobs' texts once after loading the model, before announcing the process ready."
    )
    worker_ready_ttl_seconds: int = Field(30, ge=5, description="A worker process that stops reporting for this long is no longer counted as ready.")
    worker_process_start_timeout_seconds: float = Field(
        300.0,
        gt=0,
        description="How long a new worker child process may take to load its model and warm up before Celery kills it as hung.",
    )

    # Scoring
    weight_skills: float = Field(0.4, ge=0, le=1)
    weight_experience: float = Field(0.4, ge=0, le=1)
    weight_education: float = Field(0.2, ge=0, le=1)
    grade_high_threshold: float = Field(80.0, ge=0, le=100)
    grade_medium_threshold: float = Field(60.0, ge=0, le=100)
    education_caps_grade: bool = Field(
        True, description="A CV whose education level is below the job's stated minimum is graded at most Medium Match."
    )
    required_skills_min_share: float = Field(
        0.6, ge=0, le=1, description="qualifications.required_skills.met: the CV shows at least this share of the job's must-have skills."
    )
    blind_screening: bool = Field(
        True,
        description="Take the candidate's name and personal attributes (gender, religion, marital status, birth date and "
        "place, age, height and weight, ethnicity, nationality, photo) out of a CV before scoring; off only for research: "
        "they are then still reported, but scored with.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept a comma-separated string from the environment."""
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def celery_result_backend(self) -> str:
        """The result backend URL (the broker's Redis unless set)."""
        return self.result_backend_url or self.redis_url

    def token_problem(self) -> str | None:
        """Why APP_TOKEN cannot protect the API, or None when it can."""
        token = self.app_token.get_secret_value() if self.app_token else ""
        if not token:
            return "APP_TOKEN is not set"
        if token == PLACEHOLDER_TOKEN:
            return "APP_TOKEN is still the placeholder from .env.example"
        if len(token) < MIN_TOKEN_LENGTH:
            return f"APP_TOKEN is shorter than {MIN_TOKEN_LENGTH} characters"
        return None

    def cores_oversubscribed(self) -> bool:
        """True when worker processes x torch threads exceed the machine's cores."""
        return self.worker_concurrency * self.torch_threads > (os.cpu_count() or 1)

    @property
    def scoring_policy(self) -> ScoringPolicy:
        """Weights and thresholds as the engine takes them (validated there)."""
        return ScoringPolicy(
            skills_weight=self.weight_skills,
            experience_weight=self.weight_experience,
            education_weight=self.weight_education,
            high_threshold=self.grade_high_threshold,
            medium_threshold=self.grade_medium_threshold,
            education_caps_grade=self.education_caps_grade,
            required_skills_min_share=self.required_skills_min_share,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and `.env`."""
    return Settings()
