"""The score formula, grade boundaries, calibration and the keyword baseline."""
from __future__ import annotations

from pathlib import Path

import pytest

from shared.engine.calibration import Calibration, LogisticCurve, calibration_path, find_calibration, fit_calibration, target_score
from shared.engine.keywords import KeywordScorer
from shared.engine.scoring import ScoringPolicy


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "High Match"), (80, "High Match"), (79.99, "Medium Match"), (60, "Medium Match"), (59.99, "Low Match"), (0, "Low Match")],
)
def test_grade_boundaries(score: float, grade: str) -> None:
    assert ScoringPolicy().grade(score) == grade


@pytest.mark.parametrize(
    ("score", "meets_education", "grade"),
    [
        (90, False, "Medium Match"),
        (90, None, "High Match"),
        (90, True, "High Match"),
        (70, False, "Medium Match"),
        (40, False, "Low Match"),
    ],
)
def test_education_below_the_minimum_caps_the_grade_at_medium(score: float, meets_education: bool | None, grade: str) -> None:
    assert ScoringPolicy().grade(score, meets_education=meets_education) == grade


def test_the_education_cap_can_be_turned_off() -> None:
    policy = ScoringPolicy(education_caps_grade=False)
    assert policy.grade(90, meets_education=False) == "High Match"
    assert not policy.caps_for_education(False)


def test_semantic_score_is_the_weighted_sum() -> None:
    assert ScoringPolicy().semantic_score({"skills": 90, "experience": 70, "education": 50}) == pytest.approx(74.0)


def test_weights_and_thresholds_are_settings() -> None:
    policy = ScoringPolicy(skills_weight=0.5, experience_weight=0.5, education_weight=0.0, high_threshold=90, medium_threshold=50)
    assert policy.semantic_score({"skills": 80, "experience": 100, "education": 0}) == 90
    assert policy.grade(89.9) == "Medium Match"


@pytest.mark.parametrize("weights", [(0.5, 0.5, 0.5), (0.1, 0.1, 0.1)])
def test_weights_must_add_up_to_one(weights: tuple[float, float, float]) -> None:
    with pytest.raises(ValueError, match="add up to 1"):
        ScoringPolicy(*weights)


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        ScoringPolicy(high_threshold=50, medium_threshold=60)


def test_target_scores_fall_in_the_matching_grade_bands() -> None:
    policy = ScoringPolicy()
    assert policy.grade(target_score(5)) == policy.grade(target_score(4)) == "High Match"
    assert policy.grade(target_score(3)) == "Medium Match"
    assert policy.grade(target_score(2)) == policy.grade(target_score(1)) == "Low Match"
    assert target_score(4.5) == pytest.approx(90.0)


def test_calibration_fit_recovers_a_monotone_curve_and_round_trips(tmp_path: Path) -> None:
    cosines = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    targets = [10, 12, 20, 35, 60, 80, 90, 95]
    calibration, errors = fit_calibration("m", {s: cosines for s in ("skills", "experience", "education")}, targets, fitted_on="t")
    scores = [calibration.to_score("skills", c) for c in cosines]
    assert scores == sorted(scores)
    assert errors["skills"] < 5
    path = tmp_path / "cal.json"
    calibration.save(path)
    assert Calibration.load(path) == calibration


def test_the_keyword_curve_is_fitted_on_the_same_pairs_and_round_trips(tmp_path: Path) -> None:
    targets = [10, 10, 12, 35, 68, 85, 95, 95]
    sections = {s: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] for s in ("skills", "experience", "education")}
    keyword = [0.0, 0.01, 0.02, 0.04, 0.08, 0.12, 0.2, 0.3]
    calibration, errors = fit_calibration("m", sections, targets, fitted_on="t", keyword_cosines=keyword)
    scores = [calibration.keyword_score(c) for c in keyword]
    assert scores == sorted(scores) and scores[0] < 35 and scores[-1] >= 80
    assert errors["keyword"] < 10
    assert calibration.describe()["keyword_method"] == "logistic"
    path = tmp_path / "cal.json"
    calibration.save(path)
    assert Calibration.load(path) == calibration
    without = fit_calibration("m", sections, targets, fitted_on="t")[0]
    assert without.keyword_curve is None and without.keyword_score(0.123) == 12.3  # an old file: cosine x 100


def test_identity_calibration_is_cosine_times_100_and_clipped() -> None:
    identity = Calibration.identity("m")
    assert identity.is_identity
    assert identity.to_score("skills", 0.734) == 73.4
    assert identity.to_score("skills", -0.2) == 0.0


def test_logistic_curve_midpoint() -> None:
    assert LogisticCurve(a=10, b=-5)(0.5) == pytest.approx(50.0)


def test_calibration_lives_in_a_model_folder_or_the_bundled_dir(tmp_path: Path) -> None:
    model_dir = tmp_path / "finetuned"
    model_dir.mkdir()
    assert calibration_path(str(model_dir), tmp_path / "bundled") == model_dir / "cv_match_calibration.json"
    assert calibration_path("org/model", tmp_path) == tmp_path / "org__model.json"
    assert find_calibration("org/model", tmp_path).is_identity


def test_keyword_score_rewards_shared_terms_only() -> None:
    scorer = KeywordScorer(["Perawat rawat inap", "Akuntan pajak"])
    job = "Python backend developer with Django and PostgreSQL"
    assert scorer.score(job, "Django and PostgreSQL backend developer in Python") > 50
    assert scorer.score(job, "Pengembang aplikasi web") == 0.0
    assert scorer.score(job, "") == 0.0


def test_keyword_score_does_not_depend_on_other_cvs() -> None:
    scorer = KeywordScorer(["Perawat rawat inap"])
    first = scorer.score("Python developer", "Python developer, 3 years")
    scorer.score("Python developer", "something else entirely")
    assert scorer.score("Python developer", "Python developer, 3 years") == first


def test_keyword_score_equals_a_fresh_sklearn_fit_on_corpus_job_and_cv() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from shared.engine.keywords import VECTORIZER_OPTIONS

    corpus = ["Perawat rawat inap dengan STR aktif", "Staf akuntansi pajak PPh 21", "Backend developer Python Django Python"]
    job = "Backend Developer (Python) — REST API, Django, PostgreSQL; pengalaman 2 tahun"
    cvs = ["Pengembang backend Python/Django, REST API, PostgreSQL, Docker. Python Python.", "Perawat ICU, asuhan keperawatan", "Café résumé naïve"]
    scorer = KeywordScorer(corpus)
    for cv in cvs:
        matrix = TfidfVectorizer(**VECTORIZER_OPTIONS).fit_transform([*corpus, job, cv])
        expected = round(float(cosine_similarity(matrix[-2], matrix[-1])[0, 0]) * 100, 2)
        assert scorer.score(job, cv) == pytest.approx(expected, abs=0.01)
