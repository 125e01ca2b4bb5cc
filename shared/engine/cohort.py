"""Normalise a CV-job similarity against background cohorts of CVs and of jobs.

Raw cosines are not comparable across jobs or across CVs: a long corporate posting and a
three-line career-fair posting put the same good candidate at very different cosines, and a
CV extracted from a PDF (debris, form fields, two columns) sits lower against every job than a
clean one. How far a pair stands above fixed cohorts does transfer: cohort CVs scored against
the same job share the job's length and wording, cohort jobs scored against the same CV share
the CV's noise, so what is left is how much better this pair fits than the crowd on either
side. This is the symmetric "s-norm" of score normalisation in speaker verification.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from shared.engine.similarity import section_similarity

# A side the whole cohort scores alike (a one-word title) would divide by almost nothing
# and turn tiny differences into huge z values; the spread is never taken below this.
MIN_COHORT_SPREAD = 0.03


@dataclass(frozen=True)
class CohortStats:
    """Mean and spread of one side's similarities against its cohort."""

    mean: float
    spread: float

    def z(self, similarity: float) -> float:
        """How many cohort spreads `similarity` lies above the cohort's mean."""
        return (similarity - self.mean) / self.spread

    @classmethod
    def of(cls, similarities: np.ndarray) -> CohortStats:
        """Summarise a vector of similarities."""
        return cls(mean=float(np.mean(similarities)), spread=max(float(np.std(similarities)), MIN_COHORT_SPREAD))


@dataclass(frozen=True)
class BackgroundCohort:
    """The cohorts' section vectors: per section, the CVs' block and sentence vectors and the jobs' vectors.

    `cv_index` and `job_index` find a cohort member by its cleaned CV text or its job key, so
    that a member scored for real is never part of its own background (leave-one-out): the
    calibration is fitted on pairs of the cohort's own CVs and the seeded jobs.
    """

    cv_blocks: Mapping[str, np.ndarray]
    cv_sentences: Mapping[str, tuple[np.ndarray, ...]]
    job_vectors: Mapping[str, np.ndarray]
    cv_index: Mapping[str, int] = field(default_factory=dict)
    job_index: Mapping[str, int] = field(default_factory=dict)

    def cv_similarities(self, section: str, job_vector: np.ndarray) -> np.ndarray:
        """The cohort's CVs against one job section."""
        jobs = job_vector[np.newaxis, :]
        return np.array(
            [
                section_similarity(block, sentences, jobs)[0]
                for block, sentences in zip(self.cv_blocks[section], self.cv_sentences[section])
            ]
        )

    def cv_similarities_of(self, section: str, block_vector: np.ndarray, sentence_vectors: np.ndarray) -> np.ndarray:
        """One CV section against each of the cohort's jobs (summarised, without a member, into its CV side)."""
        return section_similarity(block_vector, sentence_vectors, self.job_vectors[section])

    def cv_side(
        self, section: str, block_vector: np.ndarray, sentence_vectors: np.ndarray, *, leave_out: int | None = None
    ) -> CohortStats:
        """How one CV section scores against the cohort's jobs, without job `leave_out`."""
        return summarise(self.cv_similarities_of(section, block_vector, sentence_vectors), leave_out=leave_out)


def summarise(similarities: np.ndarray, *, leave_out: int | None = None) -> CohortStats:
    """Mean and spread of a cohort's similarities, without member `leave_out` when given."""
    return CohortStats.of(np.delete(similarities, leave_out) if leave_out is not None else similarities)


def cohort_z(similarity: float, job_side: CohortStats, cv_side: CohortStats) -> float:
    """The mean of the pair's z values against the CV cohort (job side) and the job cohort (CV side)."""
    return (job_side.z(similarity) + cv_side.z(similarity)) / 2
