"""Normalise a CV-job similarity against how a background cohort of CVs scores against the same job.

Raw cosines are not comparable across jobs: a long corporate posting and a three-line
career-fair posting put the same good candidate at very different cosines, and real CVs
(PDF debris, form fields, two columns) sit lower than clean ones. How far a CV stands
above a fixed cohort of CVs scored against the same job section does transfer: the cohort
shares the job's length and wording, so what is left is how much better this CV fits
than the crowd. This is the "z-norm" of score normalisation in speaker verification.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# A job section the whole cohort scores alike (a one-word title) would divide by almost nothing
# and turn tiny differences into huge z values; the spread is never taken below this.
MIN_COHORT_SPREAD = 0.03


@dataclass(frozen=True)
class CohortStats:
    """Mean and spread of the cohort's cosines against one job section."""

    mean: float
    spread: float

    def z(self, cosine: float) -> float:
        """How many cohort spreads `cosine` lies above the cohort's mean."""
        return (cosine - self.mean) / self.spread


@dataclass(frozen=True)
class BackgroundCohort:
    """The cohort's section vectors, one matrix (CVs x dimensions) per section."""

    vectors: Mapping[str, np.ndarray]
    described_as: str

    def stats(self, section: str, job_vector: np.ndarray) -> CohortStats:
        """The cohort's cosines against one job section, summarised."""
        cosines = self.vectors[section] @ job_vector
        return CohortStats(mean=float(np.mean(cosines)), spread=max(float(np.std(cosines)), MIN_COHORT_SPREAD))
