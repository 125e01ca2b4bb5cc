"""Request and response schemas: what the API validates with and what /api/openapi.json documents."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from shared.engine.personal_data import KINDS
from shared.engine.text_checks import MIN_CV_LETTERS

EducationLevelName = Literal["SMA", "D3", "S1", "S2", "S3"]
MinGrade = Literal["high", "medium", "low"]
Grade = Literal["High Match", "Medium Match", "Low Match"]
Language = Literal["id", "en", "mixed", "unknown"]
# The engine's fixed vocabulary of personal data kinds (shared.engine.personal_data.KINDS).
PersonalDataKind = Literal[KINDS]  # type: ignore[valid-type]

_ID = Field(min_length=1, max_length=128)
# Far beyond any real list, and within every database's integer range (a larger OFFSET overflows SQLite's).
_MAX_OFFSET = 1_000_000_000


class _Strict(BaseModel):
    """Unknown fields are errors, so a misspelt field is reported instead of ignored."""

    model_config = ConfigDict(extra="forbid")


class _JsonBody(_Strict):
    """A JSON request body: values must have the documented JSON types (no `false` taken as 0, no "3" as 3).

    Query strings keep pydantic's lax parsing, since every query value arrives as text.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


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


class JobBrief(BaseModel):
    job_id: str
    title: str
    company: str | None
    industry: str
    language: str
    location: str | None


class JobSummary(JobBrief):
    required_skills: list[str] = Field(
        description='Must-have skills: catalog names; an entry may list alternatives, any one of which satisfies it ("Django | Flask").'
    )
    nice_to_have_skills: list[str] = Field(description="Skills the job asks for as a plus, in the same form; not counted as requirements.")
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


class InlineJob(_JsonBody):
    """A job that is not in the database, sent with the request."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=20_000)
    requirements: list[str] | str = Field(description="Bullet strings, or one newline-separated text.")
    required_skills: list[str] = Field(
        default_factory=list,
        max_length=100,
        description='Must-have skills (catalog names or free text); "Django | Flask" is satisfied by either.',
    )
    nice_to_have_skills: list[str] = Field(
        default_factory=list, max_length=100, description="Skills that are a plus: listed in results, not counted as requirements."
    )
    min_experience_years: float | None = Field(None, ge=0, le=60)
    education_level: EducationLevelName | None = None
    company: str | None = Field(None, max_length=300)
    industry: str | None = Field(None, max_length=64)
    location: str | None = Field(None, max_length=300)


# JSON Schema for the rule `_exactly_one_job` enforces, so that the OpenAPI document rejects what the code rejects.
_EXACTLY_ONE_JOB = {
    "oneOf": [
        {"required": ["job_id"], "properties": {"job_id": {"type": "string"}}},
        {"required": ["job"], "properties": {"job": {"type": "object"}}},
    ]
}


class JobChoice(_JsonBody):
    """Exactly one of `job_id` (a seeded job) and `job` (an inline job)."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_EXACTLY_ONE_JOB)

    job_id: str | None = Field(None, min_length=1, max_length=64)
    job: InlineJob | None = None

    @model_validator(mode="after")
    def _exactly_one_job(self) -> JobChoice:
        if (self.job_id is None) == (self.job is None):
            raise ValueError("give exactly one of job_id and job")
        return self


class SectionWeights(_JsonBody):
    """Section weights for one request: each >= 0, adding up to 1 (within 1e-6)."""

    skills: float = Field(ge=0, le=1)
    experience: float = Field(ge=0, le=1)
    education: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _add_up_to_one(self) -> SectionWeights:
        total = self.skills + self.experience + self.education
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"weights must add up to 1, not {total:g}")
        return self


class Weighted(_JsonBody):
    weights: SectionWeights | None = Field(
        None, description="Section weights for this request; WEIGHT_SKILLS/EXPERIENCE/EDUCATION (0.4/0.4/0.2) when absent."
    )


class Candidate(_JsonBody):
    candidate_id: str = _ID
    candidate_name: str = Field(min_length=1, max_length=200)
    cv_text: str = Field(
        description=f"Plain CV text (OCR already done): at least {MIN_CV_LETTERS} letters and at most MAX_CV_CHARS characters, "
        "or it is refused (422, or a failed item in a batch)."
    )


class MatchRequest(JobChoice, Candidate, Weighted):
    """POST /api/match."""

    model_config = ConfigDict(json_schema_extra=_EXACTLY_ONE_JOB)


class ScoreComparison(BaseModel):
    semantic_score: float = Field(
        ge=0, le=100,
        description="The fit an annotator would give, predicted from the embeddings: the sum of the calibrated section "
        "scores weighted with the result's weights.",
    )
    keyword_score: float = Field(
        ge=0, le=100,
        description="The fit an annotator would give, predicted from the TF-IDF cosine by a curve fitted on the same annotated pairs.",
    )
    improvement: float = Field(description="semantic_score - keyword_score: what the embeddings add over keywords, on one scale.")
    semantic_cosine: float = Field(
        description="The raw section similarities x 100, weighted with the result's weights, before calibration."
    )
    keyword_cosine: float = Field(ge=0, le=100, description="The raw TF-IDF cosine of the whole CV and the whole job x 100.")


class Evidence(BaseModel):
    text: str
    similarity: float


class SectionScore(BaseModel):
    """One section's score and why; profile facts (years, education levels) ride along."""

    model_config = ConfigDict(extra="allow")

    score: float = Field(ge=0, le=100)
    raw_similarity: float = Field(
        description="The section similarity: the mean of the CV section's cosine with the job section and of its "
        "three best sentences' cosines"
    )
    cohort_z: float | None = Field(
        description="How far raw_similarity lies above the background cohorts (sample CVs against this job, seeded "
        "jobs against this CV), in cohort standard deviations; the calibrated score is read from it"
    )
    cv_source: Literal["sections", "whole_text"]
    evidence: list[Evidence]


class Breakdown(BaseModel):
    skills: SectionScore
    experience: SectionScore
    education: SectionScore


SkillLevel = Literal["must_have", "nice_to_have"]


class MatchedSkill(BaseModel):
    name: str = Field(description="The job's skill credited (one of the requirement's alternatives).")
    cv_form: str = Field(description="How the CV writes it, or the narrower skill that implies it.")
    job_form: str
    requirement: str = Field(description='The job\'s entry it satisfies ("Django | Flask").')
    level: SkillLevel
    via: str | None = Field(description="The CV's narrower skill that implies this one (SQL matched via PostgreSQL); null when the CV names it.")


class MissingSkill(BaseModel):
    name: str = Field(description='The requirement, alternatives joined with " | ".')
    job_form: str
    in_catalog: bool
    level: SkillLevel
    alternatives: list[str] = Field(description="Any one of these would satisfy it.")


class ExperienceCheck(BaseModel):
    required_years: float | None = Field(description="The job's min_experience_years; null when it states none.")
    found_years: float | None = Field(
        description="Years of work in the CV's history (dated ranges in both languages, overlaps counted once, or stated "
        "years); null when its work history gives no dates"
    )
    met: bool | None


class EducationCheck(BaseModel):
    required: EducationLevelName | None
    found: EducationLevelName | None
    met: bool | None


class SkillsCheck(BaseModel):
    matched: int = Field(ge=0, description="Must-have skills the CV shows (itself or through a narrower skill).")
    total: int = Field(ge=0, description="Must-have skills the job asks for.")
    met: bool | None = Field(description="matched >= REQUIRED_SKILLS_MIN_SHARE (0.6) x total; null when the job names none.")


class Qualifications(BaseModel):
    """The job's stated requirements against the CV: facts beside the score, which they do not change.

    Each `met` is true, false, or null when the job states no such requirement or the CV gives no evidence either way.
    """

    experience: ExperienceCheck
    education: EducationCheck
    required_skills: SkillsCheck
    all_met: bool = Field(description="No check that could be made is false (null checks are ignored).")


class WeightsUsed(BaseModel):
    skills: float
    experience: float
    education: float


class ModelInfo(BaseModel):
    configured: str
    name: str
    fallback: bool
    fallback_reason: str | None


class CalibrationInfo(BaseModel):
    model: str
    method: Literal["logistic", "identity"]
    normalisation: Literal["raw_cosine", "background_cohort"]
    keyword_method: Literal["logistic", "identity"] = Field(
        description="How keyword_score is made from the TF-IDF cosine: a fitted curve, or x 100 when none was fitted."
    )
    fitted_on: str


class PersonalData(BaseModel):
    """The personal data a CV carried (kinds only, never values) and whether it was kept out of the score."""

    blind_screening: bool = Field(
        description="True when the kinds listed (and the candidate's name) were removed from the CV before anything was "
        "scored (BLIND_SCREENING); false when they were only detected (research)."
    )
    attributes: list[PersonalDataKind] = Field(
        description="The kinds of personal data found in the CV, in the vocabulary's order: name, photo, gender, religion, "
        "marital_status, birth_date, birth_place, age, height_weight, ethnicity, nationality."
    )


class JobFit(BaseModel):
    """How one CV fits one job, and why."""

    job_id: str | None
    grade: Grade = Field(
        description="The band of semantic_score (High >= 80, Medium >= 60, else Low), at most Medium Match when the CV's "
        "education level is below the job's stated minimum (warning education_below_requirement)."
    )
    score_comparison: ScoreComparison
    breakdown: Breakdown
    matched_skills: list[MatchedSkill]
    missing_skills: list[MissingSkill]
    other_skills: list[str]
    qualifications: Qualifications | None = Field(description="Null only in results stored before qualifications existed.")
    weights: WeightsUsed | None = Field(
        description="The section weights semantic_score was computed with; null only in results stored before weights were echoed."
    )
    warnings: list[str]


_PERSONAL_DATA = Field(None, description="What blind screening found and removed; null only in results stored before it existed.")


class ScoredCandidate(JobFit):
    """One CV scored against one job."""

    candidate_id: str
    candidate_name: str
    language: Language
    model: ModelInfo
    calibration: CalibrationInfo
    cv_sections_found: list[str]
    personal_data: PersonalData | None = _PERSONAL_DATA


class MatchResult(ScoredCandidate):
    """The answer to POST /api/match."""

    task_id: str


class MatchPending(BaseModel):
    """A match (or a recommendation request) that is still queued or being scored."""

    task_id: str
    status: Literal["queued"]
    result_url: str


# -- recommendations ----------------------------------------------------------------------------


class RecommendationRequest(Candidate, Weighted):
    """POST /api/recommendations: the seeded jobs that fit one CV best."""

    model_config = ConfigDict(extra="forbid", strict=True)

    industry: str | None = Field(None, max_length=64, description="Only jobs of this industry (case-insensitive), as in GET /api/jobs.")
    language: Literal["id", "en"] | None = Field(None, description="Only jobs posted in this language.")
    limit: int = Field(10, ge=1, le=50, description="How many jobs to return, best first.")

    @field_validator("limit", mode="before")
    @classmethod
    def _integral_number(cls, value: object) -> object:
        """JSON Schema's integers include 26.0; strict parsing would refuse it (a string stays refused)."""
        return int(value) if isinstance(value, float) and value.is_integer() else value


class RecommendedJob(JobFit):
    rank: int = Field(ge=1, description="1 = the job with the best semantic_score for this CV.")
    job: JobBrief


class Recommendations(BaseModel):
    """The answer to POST /api/recommendations: jobs ranked by semantic_score, with the CV's reading once."""

    task_id: str
    candidate_id: str
    candidate_name: str
    language: Language = Field(description="The CV's language.")
    cv_sections_found: list[str]
    personal_data: PersonalData | None = _PERSONAL_DATA
    jobs_considered: int = Field(ge=0, description="Seeded jobs that pass the industry and language filters.")
    model: ModelInfo
    calibration: CalibrationInfo
    results: list[RecommendedJob]


# -- batches ------------------------------------------------------------------------------------


class BatchRequest(JobChoice, Weighted):
    """POST /api/batches: one job and the candidates to score against it."""

    model_config = ConfigDict(json_schema_extra=_EXACTLY_ONE_JOB)

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
    failures: list[FailedItem] = Field(description="Items that could not be scored; left out when a filter is given.")
    results_total: int = Field(ge=0, description="Scored results that pass the filters (all scored results without one).")
    limit: int | None
    offset: int
    qualified: bool | None
    min_grade: MinGrade | None


PersonalDataCounts = create_model(
    "PersonalDataCounts",
    __doc__="Per kind of personal data, how many of the batch's scored CVs carried it.",
    **{kind: (int, Field(ge=0, description=f"Scored CVs that carried {kind.replace('_', ' ')}.")) for kind in KINDS},  # type: ignore[call-overload]
)


class BatchAudit(BaseModel):
    """GET /api/batches/<batch_id>/audit: what blind screening found in a finished batch."""

    batch_id: str
    blind_screening: bool | None = Field(
        description="Whether the personal data was removed before scoring; null when the results disagree (the setting "
        "changed while the batch ran, or some were stored before blind screening existed) or there are none."
    )
    scored: int = Field(ge=0, description="CVs scored.")
    failed: int = Field(ge=0, description="CVs that could not be scored (they carry no attributes here).")
    attributes: PersonalDataCounts  # type: ignore[valid-type]


class BatchResultsQuery(_Strict):
    limit: int | None = Field(None, ge=1, le=10_000, description="Results per page (all when absent).")
    offset: int = Field(0, ge=0, le=_MAX_OFFSET)
    qualified: bool | None = Field(
        None, description="true: only candidates whose qualifications.all_met is true; false: only those who fall short."
    )
    min_grade: MinGrade | None = Field(None, description="Only candidates graded at least this (high, medium or low).")


class BatchListQuery(_Strict):
    limit: int = Field(20, ge=1, le=200)
    offset: int = Field(0, ge=0, le=_MAX_OFFSET)


class BatchPage(BaseModel):
    items: list[BatchSummary]
    limit: int
    offset: int
    total: int
