"""Section scores normalised against a background cohort of CVs."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from shared.engine.calibration import BACKGROUND_COHORT, Calibration, LogisticCurve
from shared.engine.cohort import MIN_COHORT_SPREAD, BackgroundCohort, CohortStats
from shared.engine.encoders import LoadedEncoder
from shared.engine.jobs import JobPosting
from shared.engine.matcher import EngineResources, Matcher
from shared.engine.scoring import SECTIONS
from tests.unit.fakes import BagOfWordsEncoder

COHORT = (
    "Perawat\nPENGALAMAN KERJA\nPerawat rawat inap di RSUD, asuhan keperawatan\nPENDIDIKAN\nD3 Keperawatan",
    "Akuntan\nWork Experience\nTax accountant, monthly closing and audits\nEducation\nS1 Akuntansi",
    "Guru\nPENGALAMAN KERJA\nMengajar matematika kelas 7\nPENDIDIKAN\nS1 Pendidikan Matematika",
    "Chef\nExperience\nLine cook in a hotel kitchen, food safety\nEducation\nSMK Tata Boga",
)
CURVE = LogisticCurve(a=1.5, b=-2.0)


def _cohort_matcher(resources: EngineResources, *, cohort: tuple[str, ...] = COHORT) -> Matcher:
    encoder = BagOfWordsEncoder()
    calibration = Calibration(encoder.name, dict.fromkeys(SECTIONS, CURVE), "test", BACKGROUND_COHORT)
    return Matcher(
        LoadedEncoder(encoder, encoder.name, False),
        replace(resources, cohort_cvs=cohort, cohort_name="test cohort"),
        calibration,
        today=date(2026, 11, 1),
    )


def test_z_counts_cohort_spreads_above_the_cohort_mean() -> None:
    cohort = BackgroundCohort({"skills": np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])}, "three")
    stats = cohort.stats("skills", np.array([1.0, 0.0]))
    cosines = np.array([1.0, 0.0, 0.6])
    assert stats.mean == pytest.approx(cosines.mean())
    assert stats.spread == pytest.approx(cosines.std())
    assert stats.z(stats.mean + 2 * stats.spread) == pytest.approx(2.0)


def test_a_cohort_that_scores_alike_does_not_blow_up_z() -> None:
    cohort = BackgroundCohort({"skills": np.array([[1.0, 0.0], [1.0, 0.0]])}, "twins")
    stats = cohort.stats("skills", np.array([1.0, 0.0]))
    assert stats.spread == MIN_COHORT_SPREAD
    assert stats.z(1.0 + MIN_COHORT_SPREAD) == pytest.approx(1.0)


def test_section_scores_read_the_cohort_z(resources: EngineResources, python_job: JobPosting) -> None:
    matcher = _cohort_matcher(resources)
    cv = "Budi\nSkills\nPython, Django, PostgreSQL, Docker\nExperience\nBackend developer, REST APIs in Django\nEducation\nS1"
    result = matcher.score(python_job, cv)
    prepared = matcher.prepare_job(python_job)
    for name in SECTIONS:
        section = result.sections[name]
        stats = prepared.cohort[name]
        assert section.cohort_z == pytest.approx(stats.z(section.raw_similarity), abs=1e-3)
        assert section.score == pytest.approx(CURVE(section.cohort_z), abs=0.05)
    assert result.calibration["normalisation"] == BACKGROUND_COHORT


def test_a_fitting_cv_stands_above_the_cohort_and_an_unrelated_one_does_not(
    resources: EngineResources, python_job: JobPosting
) -> None:
    matcher = _cohort_matcher(resources)
    fitting = matcher.score(python_job, "Budi\nExperience\nPython and Django developer building REST APIs with PostgreSQL")
    unrelated = matcher.score(python_job, "Sari\nPengalaman Kerja\nKasir minimarket, melayani pembeli dan menata rak")
    assert fitting.sections["experience"].cohort_z > 1.0 > unrelated.sections["experience"].cohort_z
    assert fitting.semantic_score > unrelated.semantic_score


def test_a_cohort_calibration_without_a_cohort_is_refused(resources: EngineResources) -> None:
    with pytest.raises(ValueError, match="background cohort"):
        _cohort_matcher(resources, cohort=())
    calibration = Calibration("m", {"skills": CURVE}, "test", BACKGROUND_COHORT)
    with pytest.raises(ValueError, match="cohort"):
        calibration.to_score("skills", 0.5)
    assert calibration.to_score("skills", 0.5, CohortStats(mean=0.5, spread=0.1)) == pytest.approx(CURVE(0.0), abs=0.01)


def test_the_cohort_is_embedded_once_per_matcher(resources: EngineResources, python_job: JobPosting) -> None:
    matcher = _cohort_matcher(resources)
    encoder = matcher.encoder.encoder
    matcher.prepare_job(python_job)
    assert encoder.calls == [len(SECTIONS), len(COHORT) * len(SECTIONS)]  # the job, then the cohort's sections once
    matcher.prepare_job(JobPosting(title="Perawat", description="Merawat pasien rawat inap"))
    assert encoder.calls[2:] == [len(SECTIONS)]  # a second job: only its own sections; the cohort's vectors are kept
