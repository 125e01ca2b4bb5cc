"""What the engine returns: a match result with its evidence."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from shared.engine.personal_data import PersonalDataReport
from shared.engine.qualifications import Qualifications


@dataclass(frozen=True)
class Evidence:
    """A CV sentence that supports a section score, and its similarity to the job."""

    text: str
    similarity: float


@dataclass(frozen=True)
class SectionResult:
    """One section's score, the raw similarity behind it and the CV text that supports it.

    `cv_source` says where the CV side came from: the named CV sections, or the whole
    text when the CV has no such section. `raw_similarity` is the section similarity
    (`shared.engine.similarity`); `cohort_z` is how far it lies above the background cohorts,
    in cohort spreads (None when the engine has no cohorts).
    """

    score: float
    raw_similarity: float
    cv_source: str
    evidence: tuple[Evidence, ...]
    facts: dict[str, Any] = field(default_factory=dict)
    cohort_z: float | None = None


@dataclass(frozen=True)
class SkillMatch:
    """A job's skill the CV shows: the skill credited and the forms written in job and CV.

    `requirement` is the job's entry it satisfies ("Django | Flask"); `via` is the CV's narrower
    skill that implies it (SQL matched via PostgreSQL), None when the CV names it itself.
    """

    name: str
    cv_form: str
    job_form: str
    requirement: str
    level: str
    via: str | None = None


@dataclass(frozen=True)
class MissingSkill:
    """A job's skill the CV does not show; `in_catalog` is false for free-text requirements."""

    name: str
    job_form: str
    in_catalog: bool
    level: str
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class MatchResult:
    """The score of one CV against one job, with everything a recruiter needs to see why."""

    job_id: str | None
    grade: str
    semantic_score: float
    keyword_score: float
    semantic_cosine: float
    keyword_cosine: float
    sections: dict[str, SectionResult]
    matched_skills: tuple[SkillMatch, ...]
    missing_skills: tuple[MissingSkill, ...]
    other_skills: tuple[str, ...]
    language: str
    model: dict[str, Any]
    calibration: dict[str, Any]
    cv_sections_found: tuple[str, ...]
    qualifications: Qualifications
    weights: dict[str, float]
    personal_data: PersonalDataReport
    warnings: tuple[str, ...] = ()

    @property
    def improvement(self) -> float:
        """semantic_score - keyword_score: both calibrated on the same pairs, so like with like."""
        return round(self.semantic_score - self.keyword_score, 2)

    def to_dict(self) -> dict[str, Any]:
        """The result in the HTTP contract's shape (without candidate fields, which the caller adds)."""
        breakdown = {}
        for name, section in self.sections.items():
            breakdown[name] = {
                "score": section.score,
                "raw_similarity": section.raw_similarity,
                "cohort_z": section.cohort_z,
                "cv_source": section.cv_source,
                "evidence": [asdict(e) for e in section.evidence],
                **section.facts,
            }
        return {
            "job_id": self.job_id,
            "grade": self.grade,
            "score_comparison": {
                "semantic_score": self.semantic_score,
                "keyword_score": self.keyword_score,
                "improvement": self.improvement,
                "semantic_cosine": self.semantic_cosine,
                "keyword_cosine": self.keyword_cosine,
            },
            "breakdown": breakdown,
            "matched_skills": [asdict(s) for s in self.matched_skills],
            "missing_skills": [asdict(s) for s in self.missing_skills],
            "qualifications": self.qualifications.to_dict(),
            "weights": dict(self.weights),
            "personal_data": self.personal_data.to_dict(),
            "other_skills": list(self.other_skills),
            "language": self.language,
            "model": self.model,
            "calibration": self.calibration,
            "cv_sections_found": list(self.cv_sections_found),
            "warnings": list(self.warnings),
        }
