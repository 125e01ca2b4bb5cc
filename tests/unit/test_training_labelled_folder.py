"""Reading a labelled folder (jobs.json, cvs.json, labels.json): what reaches the engine and what stops the read."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.labelled_folder import JOB_FIELDS, is_labelled_folder, read_labelled_folder

JOBS = [
    {"key": "J1", "title": "Perawat", "description": "Merawat pasien rawat inap", "requirements": ["D3 Keperawatan"],
     "education_level": "D3", "company": "RS Contoh", "source": "somewhere/jobs.csv", "notes": "shortened"},
    {"key": "J2", "title": "Tax Accountant", "description": "Monthly closing", "requirements": ["S1 Accounting"]},
]
CVS = [
    {"key": "C1", "text": "Perawat, tiga tahun di bangsal rawat inap.", "target_job": "J1", "category": "strong", "trap": False,
     "language": "id", "source": "data/NURSE/c1.pdf"},
    {"key": "C2", "text": "Accountant: monthly closing, tax returns.", "target_job": "J2", "category": "strong", "trap": False},
]
LABELS = {"C1": {"J1": 2, "J2": 0}, "C2": {"J1": 0, "J2": 1}}


def write_folder(folder: Path, *, labels: dict[str, dict[str, object]] = LABELS) -> Path:
    folder.mkdir(exist_ok=True)
    for name, content in (("jobs.json", JOBS), ("cvs.json", CVS), ("labels.json", labels)):
        (folder / name).write_text(json.dumps(content), encoding="utf-8")
    return folder


def test_every_cv_against_every_job_with_only_text_and_posting_fields(tmp_path: Path) -> None:
    pairs = read_labelled_folder(write_folder(tmp_path / "set"))
    assert [(p.cv_id, p.job_id, p.grade, p.band) for p in pairs] == [
        ("C1", "J1", 2, "strong"), ("C2", "J1", 0, "low"), ("C1", "J2", 0, "low"), ("C2", "J2", 1, "partial"),
    ]
    assert pairs[0].cv_text == CVS[0]["text"] and pairs[0].label == pairs[0].relevance == 2.0
    assert set(pairs[0].job) == {"job_id", "title", "description", "requirements", "education_level"} <= {"job_id", *JOB_FIELDS}
    assert all("target_job" not in p.cv_text and "source" not in p.job and "company" not in p.job for p in pairs)


def test_a_missing_cell_or_a_grade_off_the_scale_stops_the_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="C2 x J2 has grade None"):
        read_labelled_folder(write_folder(tmp_path / "a", labels={"C1": {"J1": 2, "J2": 0}, "C2": {"J1": 0}}))
    with pytest.raises(ValueError, match="C1 x J1 has grade 3"):
        read_labelled_folder(write_folder(tmp_path / "b", labels={**LABELS, "C1": {"J1": 3, "J2": 0}}))
    assert not is_labelled_folder(tmp_path / "nothing") and not is_labelled_folder(tmp_path / "a" / "jobs.json")
    with pytest.raises(ValueError, match="not a labelled folder"):
        read_labelled_folder(tmp_path)
