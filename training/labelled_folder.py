"""A labelled folder: every CV graded against every job, 0 no fit, 1 partial fit, 2 strong fit.

Files (the format of ../shared/devset and ../shared/realworld):
- `jobs.json`: a list of postings, each with a `key` and the posting's fields;
- `cvs.json`: a list of CVs, each with a `key` and its `text`;
- `labels.json`: `{cv_key: {job_key: grade}}` for every CV x job.

Only what a recruiter would send reaches the engine: a CV's text, and a job's posting fields
(`JOB_FIELDS`). Whatever else a CV entry carries (`target_job`, `category`, `trap`, `source`, …)
is ground truth or provenance and is never read into a pair.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILES = ("jobs.json", "cvs.json", "labels.json")
GRADES = (0, 1, 2)
# Grade 0, 1, 2 take the pair files' band names, so that figures colour both kinds of set alike.
GRADE_BANDS = ("low", "partial", "strong")
# A folder pair is "relevant" at grade 1 (partial fit) or more: the same "partial fit or better" as
# a mean annotator grade of 3 on a pair file (metrics.RELEVANT_CUT).
FOLDER_RELEVANT_CUT = 1.0
JOB_FIELDS = ("title", "description", "requirements", "required_skills", "min_experience_years", "education_level", "industry")


@dataclass(frozen=True)
class GradedPair:
    """One CV x job cell of a labelled folder, ready for scoring."""

    pair_id: str
    cv_id: str
    job_id: str
    cv_text: str
    job: dict[str, Any]
    grade: int

    @property
    def label(self) -> float:
        """The grade (0, 1 or 2): what "relevant" and Spearman are measured against."""
        return float(self.grade)

    @property
    def relevance(self) -> float:
        """The graded relevance of NDCG: the grade."""
        return float(self.grade)

    @property
    def band(self) -> str:
        return GRADE_BANDS[self.grade]


def is_labelled_folder(path: Path) -> bool:
    """True when `path` is a folder holding the three files."""
    return path.is_dir() and all((path / name).is_file() for name in FILES)


def read_labelled_folder(folder: Path) -> list[GradedPair]:
    """Every CV x job pair of the folder, job by job (CVs in file order).

    Raises:
        ValueError: a file is missing, a key repeats, a cell has no grade or a grade is not 0, 1 or 2.
    """
    if not is_labelled_folder(folder):
        raise ValueError(f"{folder} is not a labelled folder: it needs {', '.join(FILES)}")
    jobs = _by_key(json.loads((folder / "jobs.json").read_text(encoding="utf-8")), "jobs.json")
    cvs = _by_key(json.loads((folder / "cvs.json").read_text(encoding="utf-8")), "cvs.json")
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    pairs = []
    for job_key, job in jobs.items():
        posting = {"job_id": job_key, **{name: job[name] for name in JOB_FIELDS if job.get(name) is not None}}
        for cv_key, cv in cvs.items():
            grade = labels.get(cv_key, {}).get(job_key)
            if grade not in GRADES:
                raise ValueError(f"labels.json: {cv_key} x {job_key} has grade {grade!r}, not one of {GRADES}")
            pairs.append(GradedPair(f"{cv_key}|{job_key}", cv_key, job_key, cv["text"], posting, int(grade)))
    return pairs


def _by_key(entries: list[dict[str, Any]], name: str) -> dict[str, dict[str, Any]]:
    keyed: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if entry["key"] in keyed:
            raise ValueError(f"{name}: key {entry['key']!r} appears twice")
        keyed[entry["key"]] = entry
    return keyed
