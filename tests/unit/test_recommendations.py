"""Jobs for one CV: the ranking, the explained top, and the same scores as single matches (fake encoder)."""
from __future__ import annotations

import pytest

from shared.engine.jobs import JobPosting
from shared.engine.matcher import Matcher
from shared.engine.text_checks import InvalidTextError
from tests.support.qualification_cvs import DATA_ENGINEER_CV
from tests.unit.fakes import BagOfWordsEncoder

JOBS = [
    JobPosting(title="Perawat Rawat Inap", description="Merawat pasien.", requirements=("Asuhan keperawatan",), job_id="N1"),
    JobPosting(title="Data Engineer", description="Pipelines.", requirements=("Airflow, PostgreSQL, MySQL",), job_id="D1"),
    JobPosting(title="Backend Developer", description="APIs.", required_skills=("Python", "Flask", "Docker"), job_id="B1"),
    JobPosting(title="Akuntan Pajak", description="Pajak bulanan.", requirements=("Brevet A dan B",), job_id="T1"),
    JobPosting(title="Guru SD", description="Mengajar kelas 3.", requirements=("S1 PGSD",), job_id="E1"),
]


def test_the_best_jobs_come_first_with_the_scores_of_single_matches(matcher: Matcher, fake_encoder: BagOfWordsEncoder) -> None:
    weights = {"skills": 0.5, "experience": 0.3, "education": 0.2}
    singles = sorted((matcher.score(job, DATA_ENGINEER_CV, weights=weights) for job in JOBS), key=lambda r: -r.semantic_score)
    fake_encoder.calls.clear()

    answer = matcher.recommend(JOBS, DATA_ENGINEER_CV, limit=3, weights=weights)

    assert len(fake_encoder.calls) == 1  # the CV embedded once, the jobs' vectors reused
    assert answer.jobs_considered == 5 and answer.language == singles[0].language
    assert answer.cv_sections_found == ("experience", "education", "skills")
    assert [r.job_id for r in answer.results] == [r.job_id for r in singles[:3]]
    assert [r.semantic_score for r in answer.results] == pytest.approx([r.semantic_score for r in singles[:3]], abs=0.011)
    assert all(r.weights == weights and r.sections["skills"].evidence for r in answer.results)


def test_a_limit_beyond_the_jobs_returns_them_all_and_no_jobs_return_none(matcher: Matcher) -> None:
    assert len(matcher.recommend(JOBS, DATA_ENGINEER_CV, limit=50).results) == 5
    assert matcher.recommend([], DATA_ENGINEER_CV, limit=10).results == ()


def test_an_unreadable_cv_is_refused(matcher: Matcher) -> None:
    with pytest.raises(InvalidTextError):
        matcher.recommend(JOBS, "   ", limit=3)
