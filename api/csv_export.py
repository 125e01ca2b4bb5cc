"""A batch's results as CSV for a spreadsheet: one row per candidate."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

COLUMNS = (
    "rank", "candidate_id", "candidate_name", "status", "grade", "semantic_score", "keyword_score", "improvement",
    "skills_score", "experience_score", "education_score", "matched_skills", "missing_skills",
    "experience_required_years", "experience_found_years", "experience_met", "education_required", "education_found",
    "education_met", "required_skills_matched", "required_skills_total", "required_skills_met", "all_met",
    "language", "error",
)
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Neutralise spreadsheet formula injection: text that would start a formula gets a leading quote."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _qualification_cells(qualifications: dict[str, Any] | None) -> dict[str, Any]:
    """The qualification columns; `met` as true/false, empty when unknown (or for a result stored without them)."""
    if qualifications is None:
        return {}
    experience, education, skills = qualifications["experience"], qualifications["education"], qualifications["required_skills"]
    return {
        "experience_required_years": _cell(experience["required_years"]),
        "experience_found_years": _cell(experience["found_years"]),
        "experience_met": _cell(experience["met"]),
        "education_required": _cell(education["required"]),
        "education_found": _cell(education["found"]),
        "education_met": _cell(education["met"]),
        "required_skills_matched": skills["matched"],
        "required_skills_total": skills["total"],
        "required_skills_met": _cell(skills["met"]),
        "all_met": _cell(qualifications["all_met"]),
    }


def _cell(value: object) -> object:
    """None as an empty cell, booleans as true/false (as in the JSON)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def results_csv(results: Iterable[dict[str, Any]], failures: Iterable[dict[str, Any]]) -> str:
    """Ranked results first, then the items that could not be scored."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        scores, breakdown = result["score_comparison"], result["breakdown"]
        writer.writerow(
            {
                "rank": result["rank"],
                "candidate_id": safe_text(result["candidate_id"]),
                "candidate_name": safe_text(result["candidate_name"]),
                "status": "done",
                "grade": result["grade"],
                "semantic_score": scores["semantic_score"],
                "keyword_score": scores["keyword_score"],
                "improvement": scores["improvement"],
                "skills_score": breakdown["skills"]["score"],
                "experience_score": breakdown["experience"]["score"],
                "education_score": breakdown["education"]["score"],
                "matched_skills": safe_text("; ".join(skill["name"] for skill in result["matched_skills"])),
                "missing_skills": safe_text("; ".join(skill["name"] for skill in result["missing_skills"])),
                **_qualification_cells(result.get("qualifications")),
                "language": result["language"],
                "error": "",
            }
        )
    for failure in failures:
        writer.writerow(
            {
                "candidate_id": safe_text(failure["candidate_id"]),
                "candidate_name": safe_text(failure["candidate_name"]),
                "status": "failed",
                "error": safe_text(f"{failure['error']['code']}: {failure['error']['message']}"),
            }
        )
    return buffer.getvalue()
