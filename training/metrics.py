"""Metrics of the thesis table: P/R/F1 at a threshold chosen elsewhere, ROC-AUC, AP, NDCG per job,
Spearman, and the paired bootstrap of a difference between two systems."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy.stats import rankdata, spearmanr
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

# A pair is "relevant" when its label (annotators' mean on [0, 1]) is at least this: a mean grade
# of 3, "partial fit", or better.
RELEVANT_CUT = 0.5
NDCG_K = 6
DEFAULT_COLUMNS = tuple((name, name) for name in ("precision", "recall", "f1", "roc_auc", "average_precision", "spearman", "threshold"))


def best_threshold(scores: Sequence[float], relevant: Sequence[bool]) -> float:
    """The score threshold (predict relevant when score >= it) with the best F1 on this data."""
    values = np.asarray(scores, dtype=float)
    truth = np.asarray(relevant, dtype=bool)
    best, best_f1 = float(values.max()) + 1.0, -1.0
    for threshold in np.unique(values):
        f1 = _f1(truth, values >= threshold)
        if f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return best


def evaluate_scores(
    scores: Sequence[float],
    labels: Sequence[float],
    *,
    threshold: float,
    relevant_cut: float = RELEVANT_CUT,
    groups: Sequence[str] | None = None,
    relevance: Sequence[float] | None = None,
    k: int = NDCG_K,
) -> dict[str, Any]:
    """Precision, recall, F1 at `threshold`; ROC-AUC, average precision and Spearman need no threshold.

    With `groups` (the job of each pair) and `relevance` (graded, for the gain) it adds the mean
    NDCG@k over the jobs (`mean_ndcg`) as `ndcg`, with `ndcg_k` and `ndcg_jobs`.
    """
    values = np.asarray(scores, dtype=float)
    truth = np.asarray(labels, dtype=float) >= relevant_cut
    predicted = values >= threshold
    precision, recall, f1, _ = precision_recall_fscore_support(truth, predicted, average="binary", zero_division=0)
    both_classes = 0 < truth.sum() < len(truth)
    metrics: dict[str, Any] = {
        "pairs": int(len(values)),
        "relevant": int(truth.sum()),
        "threshold": round(float(threshold), 4),
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "f1": round(float(f1), 4),
        "roc_auc": round(float(roc_auc_score(truth, values)), 4) if both_classes else None,
        "average_precision": round(float(average_precision_score(truth, values)), 4) if both_classes else None,
        "spearman": spearman(values, labels),
    }
    if groups is not None and relevance is not None:
        ndcg, jobs = mean_ndcg(values, relevance, groups, k=k)
        metrics.update(ndcg=None if ndcg is None else round(ndcg, 4), ndcg_k=k, ndcg_jobs=jobs)
    return metrics


def spearman(scores: Sequence[float], labels: Sequence[float]) -> float | None:
    """Spearman's rank correlation (ties get their mean rank); None when either side is constant."""
    value = float(spearmanr(scores, labels).statistic)
    return None if math.isnan(value) else round(value, 4)


def ndcg_at_k(scores: Sequence[float], relevance: Sequence[float], *, k: int = NDCG_K) -> float | None:
    """NDCG@k of one ranking by score: gain 2^relevance − 1, discount 1 / log2(rank + 1).

    Equal scores keep their input order. None when no item is relevant (nothing to rank).
    """
    gains = 2.0 ** np.asarray(relevance, dtype=float) - 1.0
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = float(np.sort(gains)[::-1][:k] @ discounts[: min(k, len(gains))])
    if ideal == 0.0:
        return None
    return float(gains[order] @ discounts[: len(order)]) / ideal


def mean_ndcg(
    scores: Sequence[float], relevance: Sequence[float], groups: Sequence[str], *, k: int = NDCG_K
) -> tuple[float | None, int]:
    """The mean of NDCG@k per group (a job's ranking of its CVs) over the groups with some relevance above 0, and their number."""
    values, gains = np.asarray(scores, dtype=float), np.asarray(relevance, dtype=float)
    keys = np.asarray(groups)
    per_group = [ndcg_at_k(values[keys == key], gains[keys == key], k=k) for key in dict.fromkeys(groups)]
    counted = [value for value in per_group if value is not None]
    return (float(np.mean(counted)) if counted else None), len(counted)


def bootstrap_differences(
    scores_a: Sequence[float], threshold_a: float, scores_b: Sequence[float], threshold_b: float,
    relevant: Sequence[bool], *, resamples: int = 2000, seed: int = 13,
) -> dict[str, dict[str, float | None]]:
    """Paired bootstrap of system a minus system b over the same pairs, for F1 (thresholds fixed) and ROC-AUC.

    Every resample draws pairs with replacement and scores both systems on the same draw; the
    two metrics see the same draws. A draw with one class only has no AUC and is left out of it.

    Returns:
        Per metric (`f1`, `roc_auc`): the observed difference, the bootstrap mean, the 95 %
        percentile interval, the share of draws where a is not better, and the draws used.
    """
    truth = np.asarray(relevant, dtype=bool)
    values_a, values_b = np.asarray(scores_a, dtype=float), np.asarray(scores_b, dtype=float)

    def f1_difference(sample: np.ndarray) -> float:
        t = truth[sample]
        return _f1(t, values_a[sample] >= threshold_a) - _f1(t, values_b[sample] >= threshold_b)

    def auc_difference(sample: np.ndarray) -> float:
        return _auc(truth[sample], values_a[sample]) - _auc(truth[sample], values_b[sample])

    return {
        "f1": _paired_bootstrap(f1_difference, len(truth), resamples=resamples, seed=seed),
        "roc_auc": _paired_bootstrap(auc_difference, len(truth), resamples=resamples, seed=seed),
    }


def _paired_bootstrap(
    difference: Callable[[np.ndarray], float], size: int, *, resamples: int, seed: int
) -> dict[str, float | None]:
    """Summarise `difference` on all `size` items and on `resamples` draws with replacement (a fixed seed)."""
    rng = np.random.default_rng(seed)
    draws = np.array([difference(rng.integers(0, size, size)) for _ in range(resamples)])
    draws = draws[~np.isnan(draws)]
    observed = difference(np.arange(size))
    if not len(draws):
        return {"observed": None, "mean": None, "ci95_low": None, "ci95_high": None, "share_not_better": None, "resamples": 0}
    low, high = np.percentile(draws, [2.5, 97.5])
    return {
        "observed": None if math.isnan(observed) else round(observed, 4),
        "mean": round(float(draws.mean()), 4),
        "ci95_low": round(float(low), 4),
        "ci95_high": round(float(high), 4),
        "share_not_better": round(float(np.mean(draws <= 0)), 4),
        "resamples": int(len(draws)),
    }


def markdown_table(rows: dict[str, dict[str, Any]], columns: Sequence[tuple[str, str]] = DEFAULT_COLUMNS) -> str:
    """A markdown table: one row per system; `columns` are (metric key, header). Numbers get 3 decimals, text stays."""
    lines = ["| system | " + " | ".join(header for _, header in columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, metrics in rows.items():
        cells = [_cell(metrics.get(key)) for key, _ in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    return value if isinstance(value, str) else f"{value:.3f}"


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    true_positive = float(np.sum(truth & predicted))
    denominator = float(np.sum(truth) + np.sum(predicted))
    return 2 * true_positive / denominator if denominator else 0.0


def _auc(truth: np.ndarray, values: np.ndarray) -> float:
    """ROC-AUC by the rank-sum (Mann–Whitney) formula, ties counted half; NaN with one class only."""
    positives = int(truth.sum())
    negatives = len(truth) - positives
    if not positives or not negatives:
        return float("nan")
    ranks = rankdata(values)
    return float((ranks[truth].sum() - positives * (positives + 1) / 2) / (positives * negatives))
