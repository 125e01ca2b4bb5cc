"""A batch's results as CSV for a spreadsheet: one row per candidate."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

COLUMNS = (
    "rank", "candidate_id", "candidate_name", "status", "grade", "semantic_score", "keyword_score", "improvement",
    "skills_score", "experience_score", "education_score", "matched_skills", "missing_skills", "language", "error",
)
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Neutralise spreadsheet formula injection: text that would start a formula gets a leading quote."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


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
