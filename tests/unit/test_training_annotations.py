"""Annotated pairs: validation, aggregation, agreement, the leak-free split, metrics."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from training.annotations import (
    Pair, agreement, band_of, krippendorff_alpha_interval, read_annotations, read_pairs, split_groups, train_val_split,
    write_pairs,
)
from training.metrics import best_threshold, bootstrap_differences, evaluate_scores, markdown_table

JOBS = {
    "J1": {"job_id": "J1", "title": "Perawat", "description": "Merawat pasien", "requirements": ["D3 Keperawatan"]},
    "J2": {"job_id": "J2", "title": "Akuntan", "description": "Menyusun laporan keuangan", "requirements": ["S1 Akuntansi"]},
}


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_rows_are_reported_and_left_out(tmp_path: Path) -> None:
    (tmp_path / "cvs").mkdir()
    (tmp_path / "cvs" / "A.txt").write_text("Perawat rawat inap lima tahun", encoding="utf-8")
    csv_path = write_csv(
        tmp_path / "ann.csv",
        "cv_id,cv_text,job_id,job_text,annotator_1,annotator_2,annotator_3\n"
        "A,,J1,,5,4,5\n"                       # 2: good, text from the folder
        ",Staf akuntansi pajak,J2,,4,4,3\n"    # 3: good, inline text
        "B,,J1,,3,3,3\n"                       # 4: no B.txt
        ",Perawat ICU,J1,,5,,4\n"              # 5: missing score
        ",Perawat ICU,J1,,6,4,4\n"             # 6: out of range
        ",Perawat ICU,J1,,4,2.5,4\n"           # 7: not an integer grade
        ",Perawat ICU,J1,,x,4,4\n"             # 8: not a number
        ",Perawat ICU,J9,,4,4,4\n"             # 9: unknown job
        ",Perawat ICU,,,4,4,4\n"               # 10: no job at all
        "A,,J1,,1,1,1\n"                       # 11: duplicate of line 2
        ',Guru matematika,,"Guru SMP\nMengajar matematika kelas 8",2,1,2\n',  # 12: inline job text
    )
    pairs, report = read_annotations(csv_path, jobs_by_id=JOBS, cv_dir=tmp_path / "cvs")
    reasons = {problem["line"]: problem["reason"] for problem in report.problems}
    assert report.rows_read == 11 and report.rows_kept == 3 and len(pairs) == 3
    assert "empty CV text" in reasons[4] and "missing score annotator_2" in reasons[5]
    assert "outside the 1–5 scale" in reasons[6] and "outside" in reasons[7] and "not a number" in reasons[8]
    assert "unknown job_id 'J9'" in reasons[9] and "no job_id and no job_text" in reasons[10]
    assert "duplicate pair (same CV and job as line 2)" in reasons[11]
    assert pairs[2].job["title"] == "Guru SMP" and pairs[2].job_id == "inline"


def test_missing_annotator_column_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="annotator_3"):
        read_annotations(write_csv(tmp_path / "a.csv", "cv_text,job_id,annotator_1,annotator_2\nx,J1,1,2\n"), jobs_by_id=JOBS, cv_dir=None)


@pytest.mark.parametrize(("scores", "label", "band"), [((5, 5, 5), 1.0, "strong"), ((4, 4, 4), 0.75, "strong"),
                                                       ((3, 3, 2), 0.4167, "partial"), ((1, 2, 1), 0.0833, "low")])
def test_label_is_the_mean_on_zero_to_one(scores: tuple[int, int, int], label: float, band: str) -> None:
    pair = Pair("p", "c", "j", "cv", JOBS["J1"], scores)
    assert pair.label == pytest.approx(label, abs=1e-4) and pair.band == band == band_of(pair.label)
    assert pair.relevance == pytest.approx(2 * label, abs=1e-4)  # NDCG's 0–2 scale, as a labelled folder's grades


def test_krippendorff_alpha_matches_the_reference_implementation() -> None:
    ratings = [[1, 2, 1], [3, 3, 4], [5, 4, 5], [2, 2, 2], [4, 5, 5], [1, 1, 3]]
    # Value computed with the `krippendorff` package (interval metric) for the same matrix.
    assert krippendorff_alpha_interval(ratings) == pytest.approx(0.8059914407988589, abs=1e-12)
    assert krippendorff_alpha_interval([[2, 2, 2], [4, 4, 4], [1, 1, 1]]) == 1.0
    stats = agreement([Pair(str(i), str(i), "j", f"cv{i}", JOBS["J1"], tuple(r)) for i, r in enumerate(ratings)])  # type: ignore[arg-type]
    assert stats["all_three_agree"] == pytest.approx(1 / 6, abs=1e-4) and stats["within_one_point"] == pytest.approx(5 / 6, abs=1e-4)


def full_design(cvs: int, jobs: int) -> list[Pair]:
    """Every CV against every job, grades varying."""
    job_list = [{"title": f"Job {j}", "description": f"description {j}", "requirements": []} for j in range(jobs)]
    return [
        Pair(f"c{c}|j{j}", f"c{c}", f"j{j}", f"CV number {c}", job_list[j], ((c + j) % 5 + 1,) * 3)
        for c in range(cvs) for j in range(jobs)
    ]


def test_split_keeps_every_cv_on_one_side_and_is_stratified_and_repeatable() -> None:
    pairs = full_design(30, 5)
    train, val, info = train_val_split(pairs, seed=7)
    assert info["grouping"] == "cv_only" and info["cvs_in_both"] == 0
    assert {p.cv_text for p in train}.isdisjoint({p.cv_text for p in val})
    assert 0.15 <= len(val) / len(pairs) <= 0.25
    assert set(info["val_bands"]) == set(info["train_bands"]) == {"low", "partial", "strong"}
    again = train_val_split(pairs, seed=7)[1]
    assert [p.pair_id for p in again] == [p.pair_id for p in val]


def test_split_keeps_jobs_apart_too_when_the_design_allows_it() -> None:
    pairs = [p for p in full_design(20, 10) if int(p.cv_id[1:]) // 2 == int(p.job_id[1:])]  # 10 separate CV pairs per job
    groups, grouping = split_groups(pairs)
    assert grouping == "cv_and_job" and len(set(groups)) == 10
    train, val, info = train_val_split(pairs, seed=7)
    assert info["jobs_in_both"] == 0 and info["cvs_in_both"] == 0


def test_pairs_round_trip_through_csv(tmp_path: Path) -> None:
    pairs = full_design(3, 2)
    write_pairs(tmp_path / "pairs.csv", pairs)
    assert read_pairs(tmp_path / "pairs.csv") == pairs


def test_threshold_precision_recall_f1_auc() -> None:
    scores, labels = [90, 80, 70, 40, 30, 20], [1.0, 0.8, 0.2, 0.6, 0.1, 0.0]
    assert best_threshold(scores, [label >= 0.5 for label in labels]) == 40
    metrics = evaluate_scores(scores, labels, threshold=75)
    assert (metrics["precision"], metrics["recall"], metrics["f1"]) == (1.0, pytest.approx(0.6667, abs=1e-4), 0.8)
    assert metrics["roc_auc"] == pytest.approx(8 / 9, abs=1e-4) and metrics["relevant"] == 3
    assert "| a | 1.000 | 0.667 | 0.800 |" in markdown_table({"a": metrics})


def test_bootstrap_of_an_f1_difference() -> None:
    rng = np.random.default_rng(0)
    truth = rng.random(200) < 0.3
    good = np.where(truth, 80, 20) + rng.normal(0, 15, 200)
    weak = np.where(truth, 55, 45) + rng.normal(0, 15, 200)
    result = bootstrap_differences(good, 50, weak, 50, truth, resamples=500, seed=1)["f1"]
    assert result["ci95_low"] < result["observed"] < result["ci95_high"]
    assert result["ci95_low"] > 0 and result["share_not_better"] == 0.0
    assert bootstrap_differences(good, 50, weak, 50, truth, resamples=500, seed=1)["f1"] == result
