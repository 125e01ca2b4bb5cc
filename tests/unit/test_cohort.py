"""Section scores normalised against a background cohort of CVs."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from shared.engine.calibration import BACKGROUND_COHORT, Calibration, LogisticCurve
from shared.engine.cohort import MIN_COHORT_SPREAD, BackgroundCohort, CohortStats, cohort_z, summarise
from shared.engine.encoders import LoadedEncoder
from shared.engine.jobs import JobPosting
from shared.engine.matcher import EngineResources, Matcher
from shared.engine.scoring import SECTIONS
from shared.engine.similarity import section_similarity
from tests.unit.fakes import BagOfWordsEncoder

COHORT = (
    "Perawat\nPENGALAMAN KERJA\nPerawat rawat inap di RSUD, asuhan keperawatan\nPENDIDIKAN\nD3 Keperawatan",
    "Akuntan\nWork Experience\nTax accountant, monthly closing and audits\nEducation\nS1 Akuntansi",
    "Guru\nPENGALAMAN KERJA\nMengajar matematika kelas 7\nPENDIDIKAN\nS1 Pendidikan Matematika",
    "Chef\nExperience\nLine cook in a hotel kitchen, food safety\nEducation\nSMK Tata Boga",
)
COHORT_JOBS = (
    JobPosting(title="Perawat Rawat Inap", description="Merawat pasien", required_skills=("Asuhan keperawatan",)),
    JobPosting(title="Tax Accountant", description="Monthly closing", required_skills=("Taxation", "Accounting")),
    JobPosting(title="Guru Matematika", description="Mengajar SMP", requirements=("S1 Pendidikan Matematika",)),
)
CURVE = LogisticCurve(a=1.5, b=-2.0)


def _cohort_matcher(resources: EngineResources, *, cohort: tuple[str, ...] = COHORT) -> Matcher:
    encoder = BagOfWordsEncoder()
    calibration = Calibration(encoder.name, dict.fromkeys(SECTIONS, CURVE), "test", BACKGROUND_COHORT)
    return Matcher(
        LoadedEncoder(encoder, encoder.name, False),
        replace(resources, cohort_cvs=cohort, cohort_jobs=COHORT_JOBS, cohort_name="test cohort"),
        calibration,
        today=date(2026, 11, 1),
    )


def test_each_side_counts_cohort_spreads_above_its_cohort_mean() -> None:
    # one-sentence CVs: block and best sentence are the same vector, so each similarity is a cosine
    blocks = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    cohort = BackgroundCohort(
        cv_blocks={"skills": blocks},
        cv_sentences={"skills": tuple(row[np.newaxis, :] for row in blocks)},
        job_vectors={"skills": np.array([[0.0, 1.0], [0.8, 0.6]])},
    )
    job_side = summarise(cohort.cv_similarities("skills", np.array([1.0, 0.0])))
    assert job_side.mean == pytest.approx(np.mean([1.0, 0.0, 0.6]))
    assert job_side.spread == pytest.approx(np.std([1.0, 0.0, 0.6]))
    assert job_side.z(job_side.mean + 2 * job_side.spread) == pytest.approx(2.0)
    cv = np.array([0.0, 1.0])
    cv_side = cohort.cv_side("skills", cv, cv[np.newaxis, :])
    assert cv_side.mean == pytest.approx(np.mean([1.0, 0.6]))
    assert cohort_z(0.9, job_side, cv_side) == pytest.approx((job_side.z(0.9) + cv_side.z(0.9)) / 2)
    without_first = summarise(cohort.cv_similarities("skills", np.array([1.0, 0.0])), leave_out=0)
    assert without_first.mean == pytest.approx(np.mean([0.0, 0.6]))


def test_section_similarity_is_the_block_and_its_best_sentences_averaged() -> None:
    block = np.array([0.6, 0.8])
    sentences = np.array([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6], [-1.0, 0.0]])
    jobs = np.array([[1.0, 0.0], [0.0, 1.0]])
    similarity = section_similarity(block, sentences, jobs)
    # job 1: block 0.6, best three sentences 1.0, 0.8, 0.0; job 2: block 0.8, best three 1.0, 0.6, 0.0
    assert similarity == pytest.approx([(0.6 + 1.8 / 3) / 2, (0.8 + 1.6 / 3) / 2])
    one_sentence = section_similarity(block, block[np.newaxis, :], jobs)
    assert one_sentence == pytest.approx(jobs @ block)  # a one-sentence section is its block


def test_a_cohort_that_scores_alike_does_not_blow_up_z() -> None:
    stats = CohortStats.of(np.array([0.7, 0.7, 0.7]))
    assert stats.spread == MIN_COHORT_SPREAD
    assert stats.z(0.7 + MIN_COHORT_SPREAD) == pytest.approx(1.0)


def test_section_scores_read_the_cohort_z(resources: EngineResources, python_job: JobPosting) -> None:
    matcher = _cohort_matcher(resources)
    cv = "Budi\nSkills\nPython, Django, PostgreSQL, Docker\nExperience\nBackend developer, REST APIs in Django\nEducation\nS1"
    result = matcher.score(python_job, cv)
    prepared = matcher.prepare_job(python_job)
    read = matcher.reader.read_cv(cv)
    vectors = matcher._encode_cv_texts([read])
    cohort = matcher._background_cohort()
    for name in SECTIONS:
        section = result.sections[name]
        sentences = np.stack([vectors[unit] for unit in read.units[name]])
        cv_side = cohort.cv_side(name, vectors[read.blocks[name]], sentences)
        job_side = summarise(prepared.cohort_similarities[name])
        assert section.cohort_z == pytest.approx(cohort_z(section.raw_similarity, job_side, cv_side), abs=1e-3)
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
    assert calibration.to_score("skills", 0.5, 0.0) == pytest.approx(CURVE(0.0), abs=0.01)


def test_the_cohorts_are_embedded_once_per_matcher(resources: EngineResources, python_job: JobPosting) -> None:
    matcher = _cohort_matcher(resources)
    encoder = matcher.encoder.encoder
    matcher.prepare_job(python_job)
    # the job, the cohort's CVs in one call, then each cohort job
    assert len(encoder.calls) == 2 + len(COHORT_JOBS)
    matcher.prepare_job(JobPosting(title="Perawat", description="Merawat pasien rawat inap"))
    assert len(encoder.calls) == 3 + len(COHORT_JOBS)  # a second job: only its own parts; the cohorts' vectors are kept


def test_a_recalibrated_matcher_shares_the_embeddings_and_scores_by_its_own_curves(
    resources: EngineResources, python_job: JobPosting
) -> None:
    matcher = _cohort_matcher(resources)
    cv = "Budi\nExperience\nPython and Django developer building REST APIs with PostgreSQL"
    before = matcher.score(python_job, cv)
    calls = len(matcher.encoder.encoder.calls)
    steeper = LogisticCurve(a=3.0, b=-1.0)
    recalibrated = matcher.with_calibration(Calibration("fake", dict.fromkeys(SECTIONS, steeper), "refit", BACKGROUND_COHORT))
    after = recalibrated.score(python_job, cv)
    assert len(matcher.encoder.encoder.calls) == calls + 1  # the CV only: job, cohort and job cache are shared
    for name in SECTIONS:
        assert after.sections[name].cohort_z == before.sections[name].cohort_z
        assert after.sections[name].score == pytest.approx(steeper(after.sections[name].cohort_z), abs=0.01)
    assert matcher.score(python_job, cv) == before and after.calibration["fitted_on"] == "refit"
    without_cohort = Matcher(matcher.encoder, resources, Calibration.identity("fake"))
    with pytest.raises(ValueError, match="background cohort"):
        without_cohort.with_calibration(matcher.calibration)


def test_the_job_side_leaves_out_the_company_description(resources: EngineResources) -> None:
    matcher = _cohort_matcher(resources)
    job = JobPosting(
        title="Staff Quality Control",
        description="Perusahaan kami berdiri sejak 1990 dan memiliki 12 cabang di Jawa Timur.",
        requirements=("Pendidikan minimal S1 Teknik Industri", "Memahami standar ISO 9001"),
        required_skills=("Quality control", "ISO 9001"),
    )
    read = matcher.reader.read_job(job)
    assert "berdiri sejak" not in read.blocks["skills"] + read.blocks["experience"]
    assert read.parts["experience"] == ("Staff Quality Control", "Quality control\nISO 9001")
    assert "Memahami standar ISO 9001" in read.blocks["skills"]
    assert "S1 Teknik Industri" in read.blocks["education"]


def test_a_cohort_member_is_never_its_own_background(resources: EngineResources) -> None:
    matcher = _cohort_matcher(resources)
    member_cv, member_job = COHORT[0], COHORT_JOBS[0]
    member = matcher.score(member_job, member_cv)
    prepared = matcher.prepare_job(member_job)
    cohort = matcher._background_cohort()
    read = matcher.reader.read_cv(member_cv)
    vectors = matcher._encode_cv_texts([read])
    sentences = {name: np.stack([vectors[unit] for unit in read.units[name]]) for name in SECTIONS}
    for name in SECTIONS:
        raw = member.sections[name].raw_similarity
        job_side = summarise(prepared.cohort_similarities[name], leave_out=0)
        cv_side = cohort.cv_side(name, vectors[read.blocks[name]], sentences[name], leave_out=0)
        assert member.sections[name].cohort_z == pytest.approx(cohort_z(raw, job_side, cv_side), rel=1e-3)  # raw is rounded
    # with itself in the background the nurse would stand less far above it
    with_itself = cohort_z(
        member.sections["experience"].raw_similarity,
        summarise(prepared.cohort_similarities["experience"]),
        cohort.cv_side("experience", vectors[read.blocks["experience"]], sentences["experience"]),
    )
    assert member.sections["experience"].cohort_z > with_itself


def test_recommendations_read_the_same_cohort_z_as_single_matches(resources: EngineResources) -> None:
    matcher = _cohort_matcher(resources)
    jobs = [*COHORT_JOBS, JobPosting(title="Staf Gudang", description="Mencatat stok barang", requirements=("Minimal SMA",))]
    cv = COHORT[1]  # a cohort member against cohort jobs: both sides leave themselves out
    singles = {job.title: matcher.score(job, cv) for job in jobs}

    answer = matcher.recommend(jobs, cv, limit=len(jobs))

    assert matcher.recommend(jobs, cv, limit=1).results[0].semantic_score == max(r.semantic_score for r in singles.values())
    assert sorted(r.semantic_score for r in answer.results) == sorted(r.semantic_score for r in singles.values())
    assert [r.semantic_score for r in answer.results] == sorted((r.semantic_score for r in answer.results), reverse=True)
