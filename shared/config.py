"""The one source of settings: environment variables and `.env`, with safe local defaults."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.engine.scoring import ScoringPolicy

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    seed_dir: Path = Field(PROJECT_ROOT / "seed", description="Folder with skills.yaml, section_headings.yaml, jobs.json.")
    calibration_dir: Path = Field(
        PROJECT_ROOT / "seed" / "calibration", description="Calibrations of models that are not local folders."
    )
    max_cv_chars: int = Field(100_000, ge=1_000, description="Longest CV text accepted, in characters.")

    # Scoring
    weight_skills: float = Field(0.4, ge=0, le=1)
    weight_experience: float = Field(0.4, ge=0, le=1)
    weight_education: float = Field(0.2, ge=0, le=1)
    grade_high_threshold: float = Field(80.0, ge=0, le=100)
    grade_medium_threshold: float = Field(60.0, ge=0, le=100)

    @property
    def scoring_policy(self) -> ScoringPolicy:
        """Weights and thresholds as the engine takes them (validated there)."""
        return ScoringPolicy(
            skills_weight=self.weight_skills,
            experience_weight=self.weight_experience,
            education_weight=self.weight_education,
            high_threshold=self.grade_high_threshold,
            medium_threshold=self.grade_medium_threshold,
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and `.env`."""
    return Settings()
