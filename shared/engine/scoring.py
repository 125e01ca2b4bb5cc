"""The score formula and the grade bands (weights and thresholds are settings)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

SECTIONS = ("skills", "experience", "education")


@dataclass(frozen=True)
class ScoringPolicy:
    """Section weights and grade thresholds; the defaults are the thesis' values."""

    skills_weight: float = 0.4
    experience_weight: float = 0.4
    education_weight: float = 0.2
    high_threshold: float = 80.0
    medium_threshold: float = 60.0
    # A recruiter does not call a CV below the posting's stated minimum education a strong fit,
    # however close its text: such a CV is graded at most Medium Match (off only for research).
    education_caps_grade: bool = True
    # A CV meets the job's skill requirement when it shows at least this share of the must-haves.
    required_skills_min_share: float = 0.6

    def __post_init__(self) -> None:
        weights = self.weights
        if any(weight < 0 for weight in weights.values()):
            raise ValueError("section weights must not be negative")
        total = sum(weights.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"section weights must add up to 1, not {total:g}")
        if not 0 <= self.medium_threshold < self.high_threshold <= 100:
            raise ValueError("grade thresholds must satisfy 0 <= medium < high <= 100")
        if not 0 <= self.required_skills_min_share <= 1:
            raise ValueError("required_skills_min_share must lie between 0 and 1")

    @property
    def weights(self) -> dict[str, float]:
        """The section weights by section name."""
        return {"skills": self.skills_weight, "experience": self.experience_weight, "education": self.education_weight}

    def with_weights(self, weights: Mapping[str, float] | None) -> ScoringPolicy:
        """This policy with other section weights (a request's own); None keeps these.

        Raises:
            ValueError: a weight is negative or they do not add up to 1.
        """
        if weights is None:
            return self
        return replace(
            self,
            skills_weight=float(weights["skills"]),
            experience_weight=float(weights["experience"]),
            education_weight=float(weights["education"]),
        )

    def semantic_score(self, section_scores: dict[str, float]) -> float:
        """Weighted sum of the section scores (each 0-100), rounded to 2 decimals."""
        weights = self.weights
        return round(sum(weights[name] * section_scores[name] for name in SECTIONS), 2)

    def grade(self, semantic_score: float, *, meets_education: bool | None = None) -> str:
        """`High Match` at or above the high threshold, `Medium Match` at or above medium, else `Low Match`.

        `meets_education=False` (the CV's education level is below the job's stated minimum)
        caps the grade at `Medium Match` when `education_caps_grade` is on; None means unknown.
        """
        if semantic_score >= self.high_threshold:
            return "Medium Match" if self.caps_for_education(meets_education) else "High Match"
        if semantic_score >= self.medium_threshold:
            return "Medium Match"
        return "Low Match"

    def caps_for_education(self, meets_education: bool | None) -> bool:
        """True when a High Match would be capped because the CV falls short of the job's education minimum."""
        return self.education_caps_grade and meets_education is False
