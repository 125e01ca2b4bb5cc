"""The comparison's metrics on small hand-made inputs with known answers: NDCG per job, Spearman,
average precision, and the paired bootstrap of an AUC difference."""
from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from training.metrics import bootstrap_differences, evaluate_scores, markdown_table, mean_ndcg, ndcg_at_k, spearman

LOG2_3 = math.log2(3)


def test_ndcg_of_one_ranking() -> None:
    # ranked by score the relevances are 0, 1, 2: gains 0, 1, 3 at ranks 1, 2, 3
    dcg, ideal = 1 / LOG2_3 + 3 / 2, 3 + 1 / LOG2_3
    assert ndcg_at_k([3, 2, 1], [0, 1, 2], k=3) == pytest.approx(dcg / ideal)
    assert ndcg_at_k([1, 2, 3], [0, 1, 2], k=3) == pytest.approx(1.0)
    assert ndcg_at_k([3, 2, 1], [0, 1, 2], k=1) == 0.0  # only the top CV counts, and it is not relevant
    assert ndcg_at_k([5, 4], [2, 0], k=6) == pytest.approx(1.0)  # k beyond the list is the whole list
    assert ndcg_at_k([3, 2, 1], [0, 0, 0], k=3) is None


def test_ndcg_is_averaged_per_job_over_jobs_with_a_relevant_cv() -> None:
    scores = [9, 8, 7, 2, 1, 5, 4]
    relevance = [2, 1, 0, 0, 1, 0, 0]
    jobs = ["A", "A", "A", "B", "B", "C", "C"]  # A ranked perfectly, B reversed, C has nothing relevant
    mean, counted = mean_ndcg(scores, relevance, jobs, k=6)
    assert counted == 2
    assert mean == pytest.approx((1.0 + 1 / LOG2_3) / 2)


def test_ndcg_spearman_and_average_precision_in_the_table_row() -> None:
    scores = [0.9, 0.8, 0.7, 0.6]
    labels = [1.0, 0.0, 1.0, 0.0]
    metrics = evaluate_scores(scores, labels, threshold=0.75, groups=["J", "J", "J", "J"], relevance=labels, k=2)
    assert metrics["average_precision"] == pytest.approx((1 / 1 + 2 / 3) / 2, abs=1e-4)
    assert metrics["ndcg"] == pytest.approx(1 / (1 + 1 / LOG2_3), abs=1e-4) and metrics["ndcg_jobs"] == 1
    assert metrics["ndcg_k"] == 2
    assert "ndcg" not in evaluate_scores(scores, labels, threshold=0.75)


def test_spearman_counts_tied_labels_at_their_mean_rank() -> None:
    # label ranks 1.5, 1.5, 3, 4 against score ranks 1, 2, 3, 4: r = 4.5 / sqrt(5 * 4.5) = sqrt(0.9)
    assert spearman([1, 2, 3, 4], [0, 0, 1, 2]) == pytest.approx(math.sqrt(0.9), abs=1e-4)
    assert spearman([4, 3, 2, 1], [0, 1, 2, 2]) == pytest.approx(-math.sqrt(0.9), abs=1e-4)
    with pytest.warns(Warning):
        assert spearman([5, 5, 5, 5], [0, 1, 2, 2]) is None  # a constant score ranks nothing


def test_bootstrap_of_an_auc_difference_knows_the_observed_value() -> None:
    truth = [True, True, False, False]
    perfect, half = [4, 3, 2, 1], [4, 1, 3, 2]  # half: 4 beats both negatives, 1 beats neither
    result = bootstrap_differences(perfect, 2.5, half, 2.5, truth, resamples=300, seed=3)["roc_auc"]
    assert result["observed"] == pytest.approx(0.5)
    assert 0 < result["resamples"] < 300  # draws with one class have no AUC and are left out
    assert result["ci95_low"] >= 0.0 and result["share_not_better"] < 1.0


def test_bootstrap_auc_and_f1_differences_of_a_better_system() -> None:
    rng = np.random.default_rng(0)
    truth = rng.random(300) < 0.3
    good = np.where(truth, 80, 20) + rng.normal(0, 15, 300)
    weak = np.where(truth, 55, 45) + rng.normal(0, 15, 300)
    result = bootstrap_differences(good, 50, weak, 50, truth, resamples=400, seed=1)
    auc = result["roc_auc"]
    assert auc["observed"] == pytest.approx(roc_auc_score(truth, good) - roc_auc_score(truth, weak), abs=1e-4)
    assert 0 < auc["ci95_low"] < auc["observed"] < auc["ci95_high"] and auc["share_not_better"] == 0.0
    assert result["f1"]["ci95_low"] > 0 and result["f1"]["resamples"] == 400
    same = bootstrap_differences(good, 50, good, 50, truth, resamples=50, seed=1)
    assert same["roc_auc"]["ci95_low"] == same["roc_auc"]["ci95_high"] == 0.0
    assert bootstrap_differences(good, 50, weak, 50, truth, resamples=400, seed=1) == result


def test_the_table_takes_chosen_columns_and_text_cells() -> None:
    rows = {"a": {"f1": 0.5, "ndcg": None, "delta": "+0.100 [-0.020, +0.200]"}}
    table = markdown_table(rows, [("f1", "F1"), ("ndcg", "NDCG@6"), ("delta", "ΔF1")])
    assert table.splitlines()[0] == "| system | F1 | NDCG@6 | ΔF1 |"
    assert table.splitlines()[2] == "| a | 0.500 | n/a | +0.100 [-0.020, +0.200] |"
