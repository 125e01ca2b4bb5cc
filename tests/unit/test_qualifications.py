"""Requirement checks, skill alternatives and levels, implied skills and per-request weights (engine, fake encoder)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.batch_store import ResultFilter
from shared.engine.calibration import Calibration
from shared.engine.encoders import LoadedEncoder
from shared.engine.jobs import JobPosting
from shared.engine.matcher import EngineResources, Matcher
from shared.engine.qualifications import Qualifications
from shared.engine.reading import MUST_HAVE, NICE_TO_HAVE
from shared.engine.scoring import SECTIONS, ScoringPolicy
from shared.engine.skills import Skill, SkillCatalog
from tests.support.qualification_cvs import DATA_ENGINEER_CV, ENGINEERING_JOB, FRESH_GRADUATE_CV, UNDATED_HISTORY_CV
from tests.unit.fakes import BagOfWordsEncoder

@pytest.fixture
def engineering_job() -> JobPosting:
    return JobPosting.from_dict(ENGINEERING_JOB)


def test_the_catalog_states_over_150_implications_in_both_languages(resources: EngineResources) -> None:
    catalog = resources.extractor.catalog
    assert catalog.implication_count >= 150
    assert {"SQL"} <= catalog.broader("PostgreSQL") and {"SQL"} <= catalog.broader("MySQL")
    assert "Python" in catalog.broader("Django") and "Python" in catalog.broader("Flask")
    pivot_tables = resources.extractor.extract("pivot table")[0].name
    assert "Microsoft Excel" in catalog.broader(pivot_tables)
    assert "Nursing Care" in catalog.broader(resources.extractor.extract("keperawatan medikal bedah")[0].name)
    assert "Income Tax" in catalog.broader(resources.extractor.extract("bukti potong pph 21")[0].name)


def test_implications_are_followed_through_chains_and_checked() -> None:
    skill = lambda name, *implies: Skill(name, "it", (name.lower(),), (), implies)  # noqa: E731
    catalog = SkillCatalog([skill("Django", "Python"), skill("Python", "Programming"), skill("Programming")])
    assert catalog.broader("Django") == {"Python", "Programming"}
    assert catalog.broader("Programming") == frozenset()
    with pytest.raises(ValueError, match="not a skill of the catalog"):
        SkillCatalog([skill("Django", "Pyhton")])
    with pytest.raises(ValueError, match="cycle"):
        SkillCatalog([skill("A", "B"), skill("B", "C"), skill("C", "A")])


def test_a_cv_meeting_every_requirement(matcher: Matcher, engineering_job: JobPosting) -> None:
    result = matcher.score(engineering_job, DATA_ENGINEER_CV)
    matched = {m.requirement: m for m in result.matched_skills}

    assert (matched["SQL"].via, matched["SQL"].cv_form) == ("PostgreSQL", "PostgreSQL")
    assert matched["Python"].via == "Flask"
    assert (matched["Django | Flask"].name, matched["Django | Flask"].via) == ("Flask", None)
    assert matched["MySQL"].level == NICE_TO_HAVE
    missing = {m.name: m for m in result.missing_skills}
    assert missing["Redis"].level == MUST_HAVE and missing["Kubernetes"].level == NICE_TO_HAVE  # "is a plus" in its line
    assert result.qualifications.to_dict() == {
        "experience": {"required_years": 3.0, "found_years": 5.0, "met": True},
        "education": {"required": "S1", "found": "S1", "met": True},
        "required_skills": {"matched": 4, "total": 5, "met": True},
        "all_met": True,
    }


def test_a_cv_falling_short_says_where(matcher: Matcher, engineering_job: JobPosting) -> None:
    checks = matcher.score(engineering_job, FRESH_GRADUATE_CV).qualifications.to_dict()
    assert checks == {
        "experience": {"required_years": 3.0, "found_years": 0.0, "met": False},
        "education": {"required": "S1", "found": "SMA", "met": False},
        "required_skills": {"matched": 0, "total": 5, "met": False},
        "all_met": False,
    }


def test_unknown_is_neither_met_nor_failed(matcher: Matcher) -> None:
    job = JobPosting(title="Admin Gudang", description="Mencatat barang.", requirements=("Bersedia ditempatkan di Surabaya",), min_experience_years=1)
    checks = matcher.score(job, UNDATED_HISTORY_CV).qualifications.to_dict()
    # The history has no dates: its length is unknown. The job states no education and no catalog skill.
    assert checks["experience"] == {"required_years": 1.0, "found_years": None, "met": None}
    assert checks["education"]["met"] is None and checks["required_skills"] == {"matched": 0, "total": 0, "met": None}
    assert checks["all_met"] is True


@pytest.mark.parametrize(
    ("matched", "total", "met"), [(3, 5, True), (2, 5, False), (0, 0, None), (1, 1, True), (2, 3, True), (1, 2, False)]
)
def test_the_skill_check_needs_the_minimum_share_of_must_haves(matched: int, total: int, met: bool | None) -> None:
    checks = Qualifications(None, None, None, None, None, matched, total, 0.6)
    assert checks.skills_met is met and checks.all_met is (met is not False)


def test_zero_required_years_is_met_without_any_history() -> None:
    assert Qualifications(0.0, None, None, None, None, 0, 0, 0.6).experience_met is True


def test_qualifications_change_neither_score_nor_grade(resources: EngineResources, engineering_job: JobPosting) -> None:
    encoder = BagOfWordsEncoder()
    loaded = LoadedEncoder(encoder, configured=encoder.name, fallback=False)

    def scored(min_share: float):  # type: ignore[no-untyped-def]
        policy = ScoringPolicy(required_skills_min_share=min_share)
        return Matcher(loaded, resources, Calibration.identity(encoder.name), policy=policy, today=date(2026, 11, 1)).score(
            engineering_job, DATA_ENGINEER_CV
        )

    lenient, strict = scored(0.6), scored(1.0)
    assert lenient.qualifications.all_met and not strict.qualifications.all_met
    assert (lenient.semantic_score, lenient.grade, lenient.keyword_score) == (strict.semantic_score, strict.grade, strict.keyword_score)


@settings(max_examples=40, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1))
def test_semantic_score_is_the_sum_weighted_with_the_requests_weights(resources: EngineResources, a: float, b: float) -> None:
    skills, experience = min(a, b), abs(a - b)
    weights = {"skills": skills, "experience": experience, "education": 1 - skills - experience}
    encoder = BagOfWordsEncoder()
    matcher = Matcher(LoadedEncoder(encoder, configured=encoder.name, fallback=False), resources, Calibration.identity(encoder.name))
    job = JobPosting(title="Backend Developer", description="Python APIs", required_skills=("Python", "PostgreSQL"))

    result = matcher.score(job, DATA_ENGINEER_CV, weights=weights)

    assert result.weights == pytest.approx(weights)
    expected = sum(weights[name] * result.sections[name].score for name in SECTIONS)
    assert result.semantic_score == pytest.approx(expected, abs=0.006)


def test_default_weights_are_the_policys_and_bad_weights_are_refused(matcher: Matcher, engineering_job: JobPosting) -> None:
    assert matcher.score(engineering_job, DATA_ENGINEER_CV).weights == {"skills": 0.4, "experience": 0.4, "education": 0.2}
    with pytest.raises(ValueError, match="add up to 1"):
        matcher.score(engineering_job, DATA_ENGINEER_CV, weights={"skills": 0.5, "experience": 0.5, "education": 0.5})
    with pytest.raises(ValueError, match="negative"):
        matcher.score(engineering_job, DATA_ENGINEER_CV, weights={"skills": 1.5, "experience": -0.5, "education": 0.0})


def test_alternatives_are_embedded_as_text_and_listed_once(resources: EngineResources, engineering_job: JobPosting) -> None:
    assert engineering_job.stated_skills == ("Python", "Django / Flask", "SQL", "Docker", "Redis", "MySQL")
    encoder = BagOfWordsEncoder()
    matcher = Matcher(LoadedEncoder(encoder, configured=encoder.name, fallback=False), resources, Calibration.identity(encoder.name))
    required = matcher.reader.read_job(engineering_job).required_skills
    assert [(skill.name, skill.level) for skill in required] == [
        ("Python", MUST_HAVE), ("Django | Flask", MUST_HAVE), ("SQL", MUST_HAVE), ("Docker", MUST_HAVE), ("Redis", MUST_HAVE),
        ("MySQL", NICE_TO_HAVE), ("Kubernetes", NICE_TO_HAVE),
    ]


def result_with(grade: str, all_met: bool | None) -> dict[str, object]:
    qualifications = None if all_met is None else {"all_met": all_met}
    return {"grade": grade, "qualifications": qualifications}


@pytest.mark.parametrize(
    ("keep", "kept"),
    [
        (ResultFilter(), [0, 1, 2, 3]),
        (ResultFilter(qualified=True), [0, 2]),
        (ResultFilter(qualified=False), [1]),
        (ResultFilter(min_grade="medium"), [0, 1, 2]),
        (ResultFilter(min_grade="high"), [0]),
        (ResultFilter(min_grade="low"), [0, 1, 2, 3]),
        (ResultFilter(qualified=True, min_grade="medium"), [0, 2]),
    ],
)
def test_result_filters(keep: ResultFilter, kept: list[int]) -> None:
    results = [result_with("High Match", True), result_with("Medium Match", False), result_with("Medium Match", True),
               result_with("Low Match", None)]  # the last was stored before qualifications existed
    assert [index for index, result in enumerate(results) if keep.keeps(result)] == kept


def required(resources: EngineResources, **job: object) -> list[tuple[str, str]]:
    encoder = BagOfWordsEncoder()
    matcher = Matcher(LoadedEncoder(encoder, configured=encoder.name, fallback=False), resources, Calibration.identity(encoder.name))
    posting = JobPosting.from_dict({"title": "Developer", "description": "Build apps.", **job})
    return [(skill.name, skill.level) for skill in matcher.reader.read_job(posting).required_skills]


def test_a_stated_entry_offering_a_choice_is_one_requirement(resources: EngineResources) -> None:
    assert required(resources, required_skills=["MS SQL Server/MySQL", "Tableau or Power BI", "Python, Docker", "API development (plus)"]) == [
        ("Microsoft SQL Server | MySQL", MUST_HAVE), ("Tableau | Power BI", MUST_HAVE), ("Python", MUST_HAVE), ("Docker", MUST_HAVE),
        ("API Development", NICE_TO_HAVE),
    ]


def test_without_stated_skills_the_lines_are_the_must_haves_and_education_lines_name_no_skill(resources: EngineResources) -> None:
    lines = ["S1 Teknik Informatika", "Menguasai Python dan PostgreSQL", "Pengalaman Docker menjadi nilai tambah"]
    assert required(resources, requirements=lines) == [("Python", MUST_HAVE), ("PostgreSQL", MUST_HAVE), ("Docker", NICE_TO_HAVE)]
    stated = required(resources, requirements=lines, required_skills=["Git"])
    assert stated == [("Git", MUST_HAVE), ("Python", NICE_TO_HAVE), ("PostgreSQL", NICE_TO_HAVE), ("Docker", NICE_TO_HAVE)]


def test_free_text_requirements_count_only_when_the_cv_writes_them(matcher: Matcher) -> None:
    job = JobPosting(title="Waiter", description="Serve guests.", required_skills=("Order taking", "Table clearing", "Docker"))
    checks = matcher.score(job, DATA_ENGINEER_CV + "\nTable clearing for events").qualifications.to_dict()["required_skills"]
    assert checks == {"matched": 2, "total": 2, "met": True}  # "Order taking" is not judged: the CV may say it otherwise
