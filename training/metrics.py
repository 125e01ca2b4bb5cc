"""Metrics of the thesis table: P/R/F1 at a threshold chosen elsewhere, ROC-AUC, AP, Spearman, bootstrap."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

# A pair is "relevant" when its label (annotators' mean on [0, 1]) is at least this: a mean grade
# of 3, "partial fit", or better.
RELEVANT_CUT = 0.5


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
    scores: Sequence[float], labels: Sequence[float], *, threshold: float, relevant_cut: float = RELEVANT_CUT
) -> dict[str, Any]:
    """Precision, recall, F1 at `threshold`; ROC-AUC, average precision and Spearman need no threshold."""
    values = np.asarray(scores, dtype=float)
    truth = np.asarray(labels, dtype=float) >= relevant_cut
    predicted = values >= threshold
    precision, recall, f1, _ = precision_recall_fscore_support(truth, predicted, average="binary", zero_division=0)
    both_classes = 0 < truth.sum() < len(truth)
    return {
        "pairs": int(len(values)),
        "relevant": int(truth.sum()),
        "threshold": round(float(threshold), 4),
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "f1": round(float(f1), 4),
        "roc_auc": round(float(roc_auc_score(truth, values)), 4) if both_classes else None,
        "average_precision": round(float(average_precision_score(truth, values)), 4) if both_classes else None,
        "spearman": round(float(spearmanr(values, labels).statistic), 4),
    }


def bootstrap_f1_difference(
    scores_a: Sequence[float], threshold_a: float, scores_b: Sequence[float], threshold_b: float,
    relevant: Sequence[bool], *, resamples: int = 2000, seed: int = 13,
) -> dict[str, float]:
    """Paired bootstrap of F1(a) − F1(b) over the same pairs, thresholds fixed: mean, 95 % interval, P(diff <= 0)."""
    truth = np.asarray(relevant, dtype=bool)
    predicted_a = np.asarray(scores_a, dtype=float) >= threshold_a
    predicted_b = np.asarray(scores_b, dtype=float) >= threshold_b
    rng = np.random.default_rng(seed)
    differences = np.empty(resamples)
    for i in range(resamples):
        sample = rng.integers(0, len(truth), len(truth))
        differences[i] = _f1(truth[sample], predicted_a[sample]) - _f1(truth[sample], predicted_b[sample])
    low, high = np.percentile(differences, [2.5, 97.5])
    return {
        "observed": round(_f1(truth, predicted_a) - _f1(truth, predicted_b), 4),
        "mean": round(float(differences.mean()), 4),
        "ci95_low": round(float(low), 4),
        "ci95_high": round(float(high), 4),
        "share_not_better": round(float(np.mean(differences <= 0)), 4),
        "resamples": resamples,
    }


def markdown_table(rows: dict[str, dict[str, Any]]) -> str:
    """A markdown table: one row per system, the metrics as columns."""
    columns = ("precision", "recall", "f1", "roc_auc", "average_precision", "spearman", "threshold")
    lines = ["| system | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, metrics in rows.items():
        cells = ["n/a" if metrics[c] is None else f"{metrics[c]:.3f}" for c in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    true_positive = float(np.sum(truth & predicted))
    denominator = float(np.sum(truth) + np.sum(predicted))
    return 2 * true_positive / denominator if denominator else 0.0
