"""Requirement checks beside the score: does a CV meet what the job states, not how close its text is.

Each check is `met` true or false, or None when the job states no such requirement or the CV
gives no evidence either way; `all_met` is true when no known check fails. The checks never
change the semantic score or the grade.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Qualifications:
    """The job's stated requirements against what the CV shows."""

    required_years: float | None
    found_years: float | None
    education_required: str | None
    education_found: str | None
    education_met: bool | None
    skills_matched: int
    skills_total: int
    skills_min_share: float

    @property
    def experience_met(self) -> bool | None:
        """Enough years of work, None when the job states no minimum or the CV's years are unknown."""
        if self.required_years is None:
            return None
        if self.required_years <= 0:
            return True
        return None if self.found_years is None else self.found_years >= self.required_years

    @property
    def skills_met(self) -> bool | None:
        """At least `skills_min_share` of the must-have skills shown; None when the job names none."""
        if not self.skills_total:
            return None
        return self.skills_matched >= self.skills_min_share * self.skills_total - 1e-9

    @property
    def all_met(self) -> bool:
        """No check that could be made failed."""
        return all(met is not False for met in (self.experience_met, self.education_met, self.skills_met))

    def to_dict(self) -> dict[str, Any]:
        """The HTTP contract's `qualifications` object."""
        return {
            "experience": {"required_years": self.required_years, "found_years": self.found_years, "met": self.experience_met},
            "education": {"required": self.education_required, "found": self.education_found, "met": self.education_met},
            "required_skills": {"matched": self.skills_matched, "total": self.skills_total, "met": self.skills_met},
            "all_met": self.all_met,
        }
