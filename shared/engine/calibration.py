"""Per-model mapping of raw cosine similarities to the 0-100 section scale.

Raw cosines differ by model (the offline encoder puts strong fits near 0.7), so
each model carries a calibration fitted on annotated pairs: for each section a
logistic curve `score = 100 / (1 + exp(-(a * x + b)))`, fitted by least
squares so that the section score predicts the annotators' target score of the
pair. `x` is the raw similarity, or with `normalisation: background_cohort` its
z value against the background cohorts of CVs and jobs (`shared.engine.cohort`),
which holds on real documents where raw similarities do not. Annotator grades
(1-5) become target scores through `TARGET_SCORE_BY_GRADE`,
chosen so that the grade bands agree: 4-5 land in High Match, 3 in Medium,
1-2 in Low.

The keyword baseline gets a curve of the same kind, from its TF-IDF cosine to the same targets on
the same pairs, so that `keyword_score` and `semantic_score` are both "the fit an annotator would
give, predicted from this signal" and their difference compares like with like. It is stored with
the model's curves (fitted on the same pairs), though it does not depend on the model.

Annotated sets are mostly unrelated pairs (every CV against every job), so the
pairs are weighted to give each grade band (Low, Medium, High by the target
score) the same total weight; unweighted, the curves flatten towards the crowd
of unrelated pairs and strong fits land below High Match.
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from shared.engine.scoring import SECTIONS, ScoringPolicy

CALIBRATION_FILE_NAME = "cv_match_calibration.json"
# Mean annotator grade (1 = not relevant ... 5 = excellent fit) -> target section score.
TARGET_SCORE_BY_GRADE = {1.0: 10.0, 2.0: 35.0, 3.0: 68.0, 4.0: 85.0, 5.0: 95.0}
RAW_COSINE = "raw_cosine"
BACKGROUND_COHORT = "background_cohort"


@dataclass(frozen=True)
class LogisticCurve:
    """score = 100 / (1 + exp(-(a * x + b)))."""

    a: float
    b: float

    def __call__(self, x: float) -> float:
        z = self.a * x + self.b
        return 100.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))


@dataclass(frozen=True)
class Calibration:
    """The curves of one model, per section; no curves means raw cosine x 100.

    `normalisation` says what the curves read: the raw cosine, or its z value against
    the background cohort (`BACKGROUND_COHORT`).
    """

    model: str
    curves: dict[str, LogisticCurve]
    fitted_on: str = ""
    normalisation: str = RAW_COSINE
    keyword_curve: LogisticCurve | None = None

    @property
    def is_identity(self) -> bool:
        """True when no fitted curve exists and scores are raw cosine x 100."""
        return not self.curves

    @property
    def uses_cohort(self) -> bool:
        """True when the curves read z values against the background cohort."""
        return bool(self.curves) and self.normalisation == BACKGROUND_COHORT

    def to_score(self, section: str, cosine: float, z: float | None = None) -> float:
        """Map one section's cosine (or, for a cohort calibration, its cohort z value) to 0-100, 2 decimals.

        Raises:
            ValueError: the curves read cohort z values and none was given.
        """
        curve = self.curves.get(section)
        if curve is None:
            value = 100.0 * cosine
        elif self.uses_cohort:
            if z is None:
                raise ValueError(f"the calibration of {self.model} needs the pair's cohort z value")
            value = curve(z)
        else:
            value = curve(cosine)
        return _bounded_score(value)

    def keyword_score(self, cosine: float) -> float:
        """Map the TF-IDF cosine (0-1) to 0-100 by the keyword curve, or x 100 without one; 2 decimals."""
        return _bounded_score(self.keyword_curve(cosine) if self.keyword_curve is not None else 100.0 * cosine)

    def describe(self) -> dict[str, object]:
        """What a result reports about the calibration in use."""
        return {
            "model": self.model,
            "method": "identity" if self.is_identity else "logistic",
            "normalisation": self.normalisation if self.curves else RAW_COSINE,
            "keyword_method": "identity" if self.keyword_curve is None else "logistic",
            "fitted_on": self.fitted_on,
        }

    def save(self, path: Path, *, extra: dict[str, object] | None = None) -> None:
        """Write the calibration as JSON (with optional fit diagnostics)."""
        payload = {
            "model": self.model,
            "method": "logistic",
            "normalisation": self.normalisation,
            "fitted_on": self.fitted_on,
            "target_score_by_grade": TARGET_SCORE_BY_GRADE,
            "sections": {name: asdict(curve) for name, curve in self.curves.items()},
            **({"keyword": asdict(self.keyword_curve)} if self.keyword_curve is not None else {}),
            **(extra or {}),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibration:
        """Read a calibration written by `save`."""
        payload = json.loads(path.read_text(encoding="utf-8"))
        curves = {name: LogisticCurve(**params) for name, params in payload["sections"].items()}
        keyword = LogisticCurve(**payload["keyword"]) if "keyword" in payload else None
        return cls(payload["model"], curves, payload.get("fitted_on", ""), payload.get("normalisation", RAW_COSINE), keyword)

    @classmethod
    def identity(cls, model: str) -> Calibration:
        """No calibration: section score = cosine x 100."""
        return cls(model, {})


def _bounded_score(value: float) -> float:
    """A score clipped to 0-100 and rounded to 2 decimals."""
    return round(min(max(value, 0.0), 100.0), 2)


def calibration_path(model_name: str, bundled_dir: Path) -> Path:
    """Where a model's calibration lives: inside a local model folder, else in `bundled_dir`."""
    folder = Path(model_name)
    if folder.is_dir():
        return folder / CALIBRATION_FILE_NAME
    return bundled_dir / f"{model_name.replace('/', '__')}.json"


def find_calibration(model_name: str, bundled_dir: Path) -> Calibration:
    """The model's fitted calibration, or the identity mapping when none was fitted."""
    path = calibration_path(model_name, bundled_dir)
    return Calibration.load(path) if path.is_file() else Calibration.identity(model_name)


def target_score(mean_grade: float) -> float:
    """Interpolate `TARGET_SCORE_BY_GRADE` at a mean annotator grade in [1, 5]."""
    grades = sorted(TARGET_SCORE_BY_GRADE)
    return float(np.interp(mean_grade, grades, [TARGET_SCORE_BY_GRADE[g] for g in grades]))


def fit_calibration(
    model: str,
    cosines: dict[str, Sequence[float]],
    targets: Sequence[float],
    *,
    fitted_on: str,
    normalisation: str = RAW_COSINE,
    keyword_cosines: Sequence[float] | None = None,
) -> tuple[Calibration, dict[str, float]]:
    """Fit one logistic curve per section from raw cosines (or cohort z values) to target scores (0-100).

    Args:
        model: the model name the cosines came from.
        cosines: per section, one value per annotated pair: the raw cosine, or its cohort z value.
        targets: one target score per pair (see `target_score`).
        fitted_on: a description of the data, stored with the calibration.
        normalisation: what `cosines` hold (`RAW_COSINE` or `BACKGROUND_COHORT`).
        keyword_cosines: the pairs' TF-IDF cosines (0-1); when given, the keyword curve is fitted too.

    Returns:
        The calibration and the root-mean-square error per section (and `keyword`), in score points.
    """
    y = np.asarray(targets, dtype=float) / 100.0
    weights = np.sqrt(_band_balancing_weights(targets))
    curves: dict[str, LogisticCurve] = {}
    errors: dict[str, float] = {}
    for section in SECTIONS:
        curves[section], errors[section] = _fit_curve(np.asarray(cosines[section], dtype=float), y, weights)
    keyword_curve = None
    if keyword_cosines is not None:
        keyword_curve, errors["keyword"] = _fit_curve(np.asarray(keyword_cosines, dtype=float), y, weights)
    return Calibration(model, curves, fitted_on, normalisation, keyword_curve), errors


def _fit_curve(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[LogisticCurve, float]:
    """The increasing logistic curve from `x` to `y` (0-1) by weighted least squares, and its RMSE in points."""
    slope0 = 4.0 / max(float(np.std(x)) * 4.0, 1e-3)

    def residuals(params: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(params[0] * x + params[1], -60, 60))) - y

    start = np.array([slope0, -slope0 * float(np.median(x))])
    fit = least_squares(lambda p: weights * residuals(p), start, bounds=([0.0, -np.inf], [np.inf, np.inf]))
    curve = LogisticCurve(a=round(float(fit.x[0]), 6), b=round(float(fit.x[1]), 6))
    return curve, round(float(np.sqrt(np.mean(residuals(fit.x) ** 2))) * 100.0, 2)


def _band_balancing_weights(targets: Sequence[float]) -> np.ndarray:
    """Per-pair weights that give each grade band of the targets the same total weight (mean 1)."""
    policy = ScoringPolicy()
    bands = np.array([policy.grade(t) for t in targets])
    weights = np.array([1.0 / np.mean(bands == band) for band in bands])
    return weights / weights.mean()
