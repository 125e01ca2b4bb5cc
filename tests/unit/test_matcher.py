"""The engine end to end on the fake encoder: result shape, evidence, bad input, batching."""
from __future__ import annotations

from datetime import date

import pytest

from shared.engine.calibration import Calibration
from shared.engine.encoders import LoadedEncoder
from shared.engine.jobs import JobPosting
from shared.engine.reading import EngineResources
from shared.engine.scoring import ScoringPolicy
from shared.engine.matcher import Matcher
from shared.engine.text_checks import InvalidTextError
from shared.engine.results import MatchResult
from tests.unit.fakes import BagOfWordsEncoder

INDONESIAN_BACKEND_CV = """BUDI SANTOSO
Pengembang Backend | Jakarta

PROFIL
Pengembang backend Python dengan pengalaman 4 tahun membangun API pembayaran.

PENGALAMAN KERJA
PT Bayar Cepat - Backend Developer       Mar 2021 - sekarang
• Membangun REST API dengan Python dan Django untuk 2 juta transaksi per bulan.
• Mengelola basis data PostgreSQL dan kontainer Docker.
• Memimpin manajemen proyek migrasi layanan.

PENDIDIKAN
S1 Teknik Informatika, Universitas Indonesia, 2016 - 2020

KEAHLIAN
Python, Django, PostgreSQL, Docker, Git
"""


def test_result_has_every_contract_field(matcher: Matcher, python_job: JobPosting) -> None:
    body = matcher.score(python_job, INDONESIAN_BACKEND_CV).to_dict()
    assert {"job_id", "grade", "score_comparison", "breakdown", "language", "model", "matched_skills", "missing_skills"} <= set(body)
    assert set(body["score_comparison"]) == {"semantic_score", "keyword_score", "improvement", "semantic_cosine", "keyword_cosine"}
    assert set(body["breakdown"]) == {"skills", "experience", "education"}
    for section in body["breakdown"].values():
        assert 0 <= section["score"] <= 100
        assert 1 <= len(section["evidence"]) <= 3
    assert body["job_id"] == "JX"
    assert body["model"]["name"] == "fake-bag-of-words"


def test_scores_follow_the_formula(matcher: Matcher, python_job: JobPosting) -> None:
    result = matcher.score(python_job, INDONESIAN_BACKEND_CV)
    s = {name: section.score for name, section in result.sections.items()}
    assert result.semantic_score == pytest.approx(0.4 * s["skills"] + 0.4 * s["experience"] + 0.2 * s["education"], abs=0.01)
    assert result.improvement == pytest.approx(result.semantic_score - result.keyword_score, abs=0.01)
    meets_education = result.sections["education"].facts["meets_requirement"]
    assert result.grade == matcher.policy.grade(result.semantic_score, meets_education=meets_education)
    # Identity calibration: the section score is the raw cosine x 100, the keyword score the TF-IDF cosine x 100.
    assert s["skills"] == pytest.approx(result.sections["skills"].raw_similarity * 100, abs=0.01)
    raw = {name: section.raw_similarity for name, section in result.sections.items()}
    assert result.semantic_cosine == pytest.approx(40 * raw["skills"] + 40 * raw["experience"] + 20 * raw["education"], abs=0.01)
    assert result.keyword_score == result.keyword_cosine > 0


def test_indonesian_cv_meets_english_job_on_canonical_skills(matcher: Matcher, python_job: JobPosting) -> None:
    result = matcher.score(python_job, INDONESIAN_BACKEND_CV)
    matched = {m.name: m for m in result.matched_skills}
    assert {"Python", "Django", "PostgreSQL", "Docker", "Project Management"} <= set(matched)
    assert matched["Project Management"].cv_form.lower() == "manajemen proyek"
    assert [m.name for m in result.missing_skills] == ["Kubernetes"]


def test_profile_facts_and_language_are_reported(matcher: Matcher, python_job: JobPosting) -> None:
    result = matcher.score(python_job, INDONESIAN_BACKEND_CV)
    assert result.language == "id"
    assert result.sections["experience"].facts == {"years_found": pytest.approx(5.7, abs=0.2), "years_required": 2.0}
    assert result.sections["education"].facts == {"level_found": "S1", "level_required": "S1", "meets_requirement": True}
    assert result.cv_sections_found == ("summary", "experience", "education", "skills")
    assert all(section.cv_source == "sections" for section in result.sections.values())


def test_a_cv_below_the_jobs_education_minimum_is_graded_at_most_medium(
    resources: EngineResources, fake_encoder: BagOfWordsEncoder, python_job: JobPosting
) -> None:
    # Thresholds low enough that the fake encoder's cosines reach High Match.
    loaded = LoadedEncoder(fake_encoder, configured=fake_encoder.name, fallback=False)
    lenient = ScoringPolicy(high_threshold=5, medium_threshold=1)
    matcher = Matcher(loaded, resources, Calibration.identity(fake_encoder.name), policy=lenient, today=date(2026, 11, 1))
    school_leaver = INDONESIAN_BACKEND_CV.replace("S1 Teknik Informatika, Universitas Indonesia", "SMK Negeri 2 Bandung, jurusan RPL")

    graduate = matcher.score(python_job, INDONESIAN_BACKEND_CV)
    capped = matcher.score(python_job, school_leaver)

    assert graduate.grade == "High Match"
    assert not any(w.startswith("education_below_requirement") for w in graduate.warnings)
    assert capped.semantic_score >= lenient.high_threshold
    assert capped.sections["education"].facts["meets_requirement"] is False
    assert capped.grade == "Medium Match"
    assert "education_below_requirement: the CV's education (SMA) is below the job's minimum (S1); graded at most Medium Match" in capped.warnings


def test_evidence_is_cv_text_ranked_by_similarity(matcher: Matcher, python_job: JobPosting) -> None:
    evidence = matcher.score(python_job, INDONESIAN_BACKEND_CV).sections["experience"].evidence
    assert all(e.text in " ".join(INDONESIAN_BACKEND_CV.split()) or e.text.split()[0] in INDONESIAN_BACKEND_CV for e in evidence)
    assert [e.similarity for e in evidence] == sorted((e.similarity for e in evidence), reverse=True)


def test_cv_without_headings_is_scored_on_the_whole_text(matcher: Matcher, python_job: JobPosting) -> None:
    plain = "Saya pengembang Python dan Django selama tiga tahun, lulusan S1 Informatika, terbiasa dengan Docker."
    result = matcher.score(python_job, plain)
    assert {section.cv_source for section in result.sections.values()} == {"whole_text"}
    assert any(w.startswith("no_section_headings") for w in result.warnings)
    assert result.cv_sections_found == ()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "cv_text_empty"),
        ("   \n\t  ", "cv_text_empty"),
        ("12345 678 ### --- 2019-2020 !!!", "cv_text_unreadable"),
        ("\x00\x01\x02\x03" * 50, "cv_text_unreadable"),
        ("a" * 100_001, "cv_text_too_long"),
    ],
)
def test_unscorable_text_is_a_clear_error(matcher: Matcher, python_job: JobPosting, text: str, code: str) -> None:
    with pytest.raises(InvalidTextError) as raised:
        matcher.score(python_job, text)
    assert raised.value.code == code
    assert raised.value.message


@pytest.mark.parametrize(
    "text",
    [
        "Python developer 🚀🔥 with Django 💻 and Docker 🐳, 3 years.",
        "Py\u200bthon\u200c devel\u200doper, Dj\ufeffango, S1 Informatika, 2019 - 2023",
        "مهندس برمجيات خبرة خمس سنوات في تطوير الويب Python Django",
        bytes(range(256)).decode("latin-1") * 20 + " Python Django developer with experience",
        "x" * 99_000 + " Python",
    ],
)
def test_odd_text_gets_a_well_defined_result(matcher: Matcher, python_job: JobPosting, text: str) -> None:
    result = matcher.score(python_job, text)
    assert isinstance(result, MatchResult)
    assert 0 <= result.semantic_score <= 100
    assert result.grade in {"High Match", "Medium Match", "Low Match"}


def test_a_bad_cv_does_not_sink_the_batch(matcher: Matcher, python_job: JobPosting) -> None:
    outcomes = matcher.score_many(python_job, [INDONESIAN_BACKEND_CV, "", "Perawat rawat inap, asuhan keperawatan."])
    assert isinstance(outcomes[0], MatchResult) and isinstance(outcomes[2], MatchResult)
    assert isinstance(outcomes[1], InvalidTextError) and outcomes[1].code == "cv_text_empty"
    assert outcomes[0].semantic_score > outcomes[2].semantic_score


def test_job_is_embedded_once_and_cvs_in_one_call(matcher: Matcher, python_job: JobPosting, fake_encoder: BagOfWordsEncoder) -> None:
    matcher.score_many(python_job, [INDONESIAN_BACKEND_CV] * 3)
    job_calls = len(fake_encoder.calls) - 1
    matcher.score_many(python_job, [INDONESIAN_BACKEND_CV, "Perawat rawat inap dengan pengalaman dua tahun."] * 20)
    matcher.score(python_job, INDONESIAN_BACKEND_CV)
    assert job_calls == 1  # the job's three section blocks in one encode, the first time only
    assert len(fake_encoder.calls) == job_calls + 3  # one call per score_many / score after that
    assert matcher.prepare_job(python_job) is matcher.prepare_job(JobPosting.from_dict({**python_job.__dict__}))


def test_job_with_no_text_is_rejected(matcher: Matcher) -> None:
    with pytest.raises(InvalidTextError) as raised:
        matcher.score(JobPosting(title="", description="  "), INDONESIAN_BACKEND_CV)
    assert raised.value.code == "job_text_empty"


def test_free_text_required_skill_is_matched_by_phrase(matcher: Matcher) -> None:
    job = JobPosting(title="Analyst", description="Analyst role", required_skills=("Widget Forecasting",))
    hit = matcher.score(job, "I do widget forecasting every week for the sales team and more.")
    miss = matcher.score(job, "I do gadget planning every week for the sales team and more.")
    assert [m.name for m in hit.matched_skills] == ["Widget Forecasting"]
    assert [(m.name, m.in_catalog) for m in miss.missing_skills] == [("Widget Forecasting", False)]


class DictJobVectors:
    """A JobVectorStore in a dict, standing in for the database."""

    def __init__(self) -> None:
        self.stored: dict[str, dict] = {}  # type: ignore[type-arg]

    def load(self, key: str):  # type: ignore[no-untyped-def]
        return self.stored.get(key)

    def save(self, key: str, model_name: str, vectors) -> None:  # type: ignore[no-untyped-def]
        self.stored[key] = vectors


def test_a_job_is_embedded_once_across_matchers_sharing_a_store(resources, python_job: JobPosting) -> None:  # type: ignore[no-untyped-def]
    from shared.engine.calibration import Calibration
    from shared.engine.encoders import LoadedEncoder

    store = DictJobVectors()
    first, second = BagOfWordsEncoder(), BagOfWordsEncoder()
    one = Matcher(LoadedEncoder(first, first.name, False), resources, Calibration.identity(first.name), job_vectors=store)
    two = Matcher(LoadedEncoder(second, second.name, False), resources, Calibration.identity(second.name), job_vectors=store)
    a = one.score(python_job, INDONESIAN_BACKEND_CV)
    b = two.score(python_job, INDONESIAN_BACKEND_CV)
    assert len(store.stored) == 1
    assert len(first.calls) == 2  # the job's section parts, then the CV texts
    assert len(second.calls) == 1  # only its CV texts: the second never embeds the job
    assert a.semantic_score == b.semantic_score


def test_a_model_replaced_under_the_same_name_embeds_the_job_again(resources, python_job: JobPosting) -> None:  # type: ignore[no-untyped-def]
    def matcher_on(encoder: BagOfWordsEncoder, store: DictJobVectors) -> Matcher:
        return Matcher(LoadedEncoder(encoder, encoder.name, False), resources, Calibration.identity(encoder.name), job_vectors=store)

    store = DictJobVectors()
    old, retrained = BagOfWordsEncoder(name="models/finetuned", salt="v1"), BagOfWordsEncoder(name="models/finetuned", salt="v2")
    matcher_on(old, store).score(python_job, INDONESIAN_BACKEND_CV)
    replaced = matcher_on(retrained, store).score(python_job, INDONESIAN_BACKEND_CV)
    fresh = matcher_on(BagOfWordsEncoder(name="models/finetuned", salt="v2"), DictJobVectors()).score(python_job, INDONESIAN_BACKEND_CV)
    assert len(retrained.calls) == 2  # the job's section parts, then the CV texts: the old model's job vectors are not read
    assert len(store.stored) == 2
    assert replaced == fresh


def test_warm_up_runs_a_chunk_and_a_single_score_through_the_encoder(
    matcher: Matcher, python_job: JobPosting, fake_encoder: BagOfWordsEncoder
) -> None:
    other_job = JobPosting(title="Perawat", description="Merawat pasien rawat inap.", requirements=("STR aktif",))
    before = len(fake_encoder.calls)
    matcher.warm_up([python_job, other_job], chunk_size=32)
    job_side, chunk, other_job_side, single = fake_encoder.calls[before:]
    assert job_side == other_job_side == 4  # each job's section parts (experience has two), embedded once
    assert chunk > single > 0  # both job texts read as CVs in one call, then one CV alone
    calls = len(fake_encoder.calls)
    matcher.prepare_job(python_job), matcher.prepare_job(other_job)
    assert len(fake_encoder.calls) == calls  # both jobs are ready for the first real CV
    matcher.warm_up([], chunk_size=32)  # nothing to warm up on is not an error
