"""Request and response schemas: what the API validates with and what /api/openapi.json documents."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EducationLevelName = Literal["SMA", "D3", "S1", "S2", "S3"]
Grade = Literal["High Match", "Medium Match", "Low Match"]
Language = Literal["id", "en", "mixed", "unknown"]

_ID = Field(min_length=1, max_length=128)


class _Strict(BaseModel):
    """Unknown fields are errors, so a misspelt field is reported instead of ignored."""

    model_config = ConfigDict(extra="forbid")


# -- errors -------------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable snake_case code.")
    message: str = Field(description="For humans.")
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    """Every error, whatever the status."""

    error: ErrorDetail


# Every endpoint that reads or writes the database can answer this.
DATABASE_UNAVAILABLE = {503: ("Database unavailable (database_unavailable: missing, read-only, down); see Retry-After", ErrorBody)}


# -- health -------------------------------------------------------------------------------------


class ModelStatus(BaseModel):
    configured: str = Field(description="MODEL_NAME as configured.")
    name: str | None = Field(description="The model the ready workers actually use (null when none is ready).")
    fallback: bool | None = Field(description="True when the workers fell back to the bundled offline encoder.")


class Reachability(BaseModel):
    reachable: bool


class DatabaseHealth(Reachability):
    writable: bool = Field(description="False when the database refuses writes (a read-only SQLite file, for one).")
    reason: str | None = Field(description="Why the database cannot be used, when it cannot; the server log has the error.")


class WorkerStatus(BaseModel):
    ready: int = Field(description="Worker processes that have loaded their model.")
    processes: list[str]


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        description="ok when the broker is up, the database can be read and written, and at least one worker is ready."
    )
    model: ModelStatus
    broker: Reachability
    database: DatabaseHealth
    workers: WorkerStatus


# -- jobs ---------------------------------------------------------------------------------------


class JobsQuery(_Strict):
    industry: str | None = Field(None, max_length=64, description="Only jobs of this industry (case-insensitive).")
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(20, ge=1, description="Page size; larger values are capped at JOBS_PAGE_LIMIT_MAX.")


class JobSummary(BaseModel):
    job_id: str
    title: str
    company: str | None
    industry: str
    language: str
    location: str | None
    required_skills: list[str]
    min_experience_years: float | None
    education_level: str | None


class Job(JobSummary):
    description: str
    requirements: list[str]


class JobPage(BaseModel):
    items: list[JobSummary]
    page: int
    limit: int
    total: int


# -- match --------------------------------------------------------------------------------------


class InlineJob(_Strict):
    """A job that is not in the database, sent with the request."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=20_000)
    requirements: list[str] | str = Field(description="Bullet strings, or one newline-separated text.")
    required_skills: list[str] = Field(default_factory=list, max_length=100)
    min_experience_years: float | None = Field(None, ge=0, le=60)
    education_level: EducationLevelName | None = None
    company: str | None = Field(None, max_length=300)
    industry: str | None = Field(None, max_length=64)
    location: str | None = Field(None, max_length=300)


class JobChoice(_Strict):
    """Exactly one of `job_id` (a seeded job) and `job` (an inline job)."""

    job_id: str | None = Field(None, min_length=1, max_length=64)
    job: InlineJob | None = None

    @model_validator(mode="after")
    def _exactly_one_job(self) -> JobChoice:
        if (self.job_id is None) == (self.job is None):
            raise ValueError("give exactly one of job_id and job")
        return self


class Candidate(_Strict):
    candidate_id: str = _ID
    candidate_name: str = Field(min_length=1, max_length=200)
    cv_text: str = Field(description="Plain CV text (OCR already done); at most MAX_CV_CHARS characters.")


class MatchRequest(JobChoice, Candidate):
    """POST /api/match."""


class ScoreComparison(BaseModel):
    semantic_score: float = Field(ge=0, le=100)
    keyword_score: float = Field(ge=0, le=100)
    improvement: float = Field(description="semantic_score - keyword_score")


class Evidence(BaseModel):
    text: str
    similarity: float


class SectionScore(BaseModel):
    """One section's score and why; profile facts (years, education levels) ride along."""

    model_config = ConfigDict(extra="allow")

    score: float = Field(ge=0, le=100)
    raw_similarity: float
    cv_source: Literal["sections", "whole_text"]
    evidence: list[Evidence]


class Breakdown(BaseModel):
    skills: SectionScore
    experience: SectionScore
    education: SectionScore


class MatchedSkill(BaseModel):
    name: str
    cv_form: str
    job_form: str


class MissingSkill(BaseModel):
    name: str
    job_form: str
    in_catalog: bool


class ModelInfo(BaseModel):
    configured: str
    name: str
    fallback: bool
    fallback_reason: str | None


class CalibrationInfo(BaseModel):
    model: str
    method: Literal["logistic", "identity"]
    fitted_on: str


class ScoredCandidate(BaseModel):
    """One CV scored against one job."""

    candidate_id: str
    candidate_name: str
    job_id: str | None
    grade: Grade
    score_comparison: ScoreComparison
    breakdown: Breakdown
    matched_skills: list[MatchedSkill]
    missing_skills: list[MissingSkill]
    other_skills: list[str]
    language: Language
    model: ModelInfo
    calibration: CalibrationInfo
    cv_sections_found: list[str]
    warnings: list[str]


class MatchResult(ScoredCandidate):
    """The answer to POST /api/match."""

    task_id: str


class MatchPending(BaseModel):
    """A match that is still queued or being scored."""

    task_id: str
    status: Literal["queued"]
    result_url: str


# -- batches ------------------------------------------------------------------------------------


class BatchRequest(JobChoice):
    """POST /api/batches: one job and the candidates to score against it."""

    candidates: list[Candidate] = Field(min_length=1, description="At most BATCH_MAX_CANDIDATES; candidate_id unique.")


class BatchAccepted(BaseModel):
    batch_id: str
    status_url: str
    results_csv_url: str
    total: int
    rejected: int = Field(description="Candidates refused before scoring (e.g. empty CV text); they end as failed.")


class BatchSummary(BaseModel):
    batch_id: str
    job_id: str | None
    job_title: str | None
    status: Literal["queued", "running", "completed", "completed_with_errors"]
    total: int
    done: int
    failed: int
    progress: float = Field(ge=0, le=100, description="Percentage of items done or failed.")
    created_at: str
    started_at: str | None
    finished_at: str | None


class RankedResult(ScoredCandidate):
    rank: int = Field(ge=1, description="1 = the best semantic_score in the batch.")


class ItemError(BaseModel):
    code: str
    message: str


class FailedItem(BaseModel):
    index: int = Field(description="Position of the candidate in the request.")
    candidate_id: str
    candidate_name: str
    error: ItemError


class BatchStatus(BatchSummary):
    """A batch; `results` and `failures` are filled once it is finished."""

    results: list[RankedResult]
    failures: list[FailedItem]
    limit: int | None
    offset: int


class BatchResultsQuery(_Strict):
    limit: int | None = Field(None, ge=1, le=10_000, description="Results per page (all when absent).")
    offset: int = Field(0, ge=0)


class BatchListQuery(_Strict):
    limit: int = Field(20, ge=1, le=200)
    offset: int = Field(0, ge=0)


class BatchPage(BaseModel):
    items: list[BatchSummary]
    limit: int
    offset: int
    total: int
