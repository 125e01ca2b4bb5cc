"""The command-line entry on the real offline model and the project's sample data."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared import cli
from shared.config import PROJECT_ROOT
from shared.engine.encoders import OFFLINE_MODEL_NAME

SAMPLE_CVS = PROJECT_ROOT / "data" / "sample" / "cvs"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object]:
    code = cli.main(["--model", OFFLINE_MODEL_NAME, *args])
    return code, json.loads(capsys.readouterr().out)


def test_match_one_cv_prints_the_full_result(capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run(capsys, "match", "--job-id", "J01", str(SAMPLE_CVS / "C01.txt"))
    assert code == 0
    assert isinstance(result, dict)
    assert result["candidate_id"] == "C01" and result["job_id"] == "J01"
    assert result["model"] == {"configured": OFFLINE_MODEL_NAME, "name": OFFLINE_MODEL_NAME, "fallback": False, "fallback_reason": None}
    assert result["calibration"]["method"] == result["calibration"]["keyword_method"] == "logistic"
    scores = result["score_comparison"]
    assert scores["improvement"] == pytest.approx(scores["semantic_score"] - scores["keyword_score"], abs=0.01)


def test_batch_ranks_a_folder_and_reports_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("C01", "C02", "C06"):
        (tmp_path / f"{name}.txt").write_text((SAMPLE_CVS / f"{name}.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "blank.txt").write_text("   \n", encoding="utf-8")
    code, results = run(capsys, "match", "--job-id", "J01", "--batch", str(tmp_path))
    assert code == 0 and isinstance(results, list)
    scored = [r for r in results if "error" not in r]
    assert [r["rank"] for r in scored] == [1, 2, 3]
    scores = [r["score_comparison"]["semantic_score"] for r in scored]
    assert scores == sorted(scores, reverse=True)
    assert scored[0]["candidate_id"] == "C01"  # the strong backend fit outranks the frontend junior and the nurse
    assert results[-1] == {"candidate_id": "blank", "error": {"code": "cv_text_empty", "message": "the CV text is empty", "details": {}}}


def test_match_with_a_job_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"title": "Perawat", "description": "Merawat pasien rawat inap", "requirements": ["D3 Keperawatan"]}))
    code, result = run(capsys, "match", "--job-file", str(job), str(SAMPLE_CVS / "C16.txt"))
    assert code == 0 and isinstance(result, dict)
    assert result["job_id"] is None and result["grade"] in {"High Match", "Medium Match", "Low Match"}


def test_one_cv_or_a_folder_not_both(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["match", "--job-id", "J01", str(SAMPLE_CVS / "C01.txt"), "--batch", str(SAMPLE_CVS)])
    assert exited.value.code == 2
