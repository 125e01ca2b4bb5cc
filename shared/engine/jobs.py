"""The job posting a CV is scored against."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


ALTERNATIVES_SEPARATOR = "|"


def split_alternatives(entry: str) -> list[str]:
    """ "Django | Flask" -> ["Django", "Flask"]; a plain entry is its own single alternative."""
    return [part.strip() for part in entry.split(ALTERNATIVES_SEPARATOR) if part.strip()]


@dataclass(frozen=True)
class JobPosting:
    """A job as the engine reads it; only `title`, `description` and `requirements` are needed.

    `required_skills` (must-haves), `nice_to_have_skills`, `min_experience_years` and
    `education_level` are used when the posting states them; otherwise skills and education
    are read from the requirements. A skill entry may list alternatives, any one of which
    satisfies it: "Django | Flask".
    """

    title: str
    description: str
    requirements: tuple[str, ...] = ()
    job_id: str | None = None
    required_skills: tuple[str, ...] = ()
    nice_to_have_skills: tuple[str, ...] = ()
    min_experience_years: float | None = None
    education_level: str | None = None
    industry: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobPosting:
        """Build from a JSON-like mapping; `requirements` may be a list or one newline-separated string."""
        requirements = data.get("requirements") or ()
        if isinstance(requirements, str):
            requirements = [line for line in requirements.splitlines() if line.strip()]
        min_years = data.get("min_experience_years")
        return cls(
            title=str(data.get("title") or ""),
            description=str(data.get("description") or ""),
            requirements=tuple(str(r) for r in requirements),
            job_id=None if data.get("job_id") is None else str(data["job_id"]),
            required_skills=tuple(str(s) for s in data.get("required_skills") or ()),
            nice_to_have_skills=tuple(str(s) for s in data.get("nice_to_have_skills") or ()),
            min_experience_years=None if min_years is None else float(min_years),
            education_level=data.get("education_level") or None,
            industry=data.get("industry") or None,
        )

    @property
    def stated_skills(self) -> tuple[str, ...]:
        """Must-haves then nice-to-haves as text, alternatives written "Django / Flask" (what is embedded)."""
        return tuple(" / ".join(split_alternatives(entry)) for entry in (*self.required_skills, *self.nice_to_have_skills))

    @property
    def full_text(self) -> str:
        """Title, description and requirements as one text (the keyword baseline reads this)."""
        return "\n".join([self.title, self.description, *self.requirements])

    @property
    def fingerprint(self) -> str:
        """A stable hash of the content, so a job's embeddings can be cached and reused."""
        content = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
