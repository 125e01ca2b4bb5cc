"""Counterfactual check of blind screening with the real offline model.

Each CV below is written with placeholders for the candidate's name and personal attributes;
its variants swap name, gender, religion, marital status, age and place and date of birth.
With blind screening every variant of a CV must score the same against each job; with it
off (research) the same variants must spread, or this check could never fail.
"""
from __future__ import annotations

import statistics

import pytest

from shared.bootstrap import build_matcher, seed_jobs
from shared.config import Settings
from shared.engine.jobs import JobPosting
from shared.engine.matcher import Matcher
from shared.engine.results import MatchResult

JOB_IDS = ("J03", "J06", "J09", "J17")
VARIANTS = (
    {"name": "Siti Rahmawati", "gender": ("Perempuan", "Female", "perempuan", "woman"), "religion": ("Islam", "Muslim"),
     "marital": ("Belum Menikah", "Single", "belum menikah", "single"), "age": "27", "place": "Bukittinggi",
     "date": ("14 Februari 1998", "14 February 1998")},
    {"name": "Yohanes Simanjuntak", "gender": ("Laki-laki", "Male", "laki-laki", "man"), "religion": ("Kristen", "Christian"),
     "marital": ("Menikah", "Married", "sudah menikah", "married"), "age": "34", "place": "Pematangsiantar",
     "date": ("3 Juli 1991", "3 July 1991")},
    {"name": "Ni Luh Ayu Pradnyani", "gender": ("Perempuan", "Female", "perempuan", "woman"), "religion": ("Hindu", "Hindu"),
     "marital": ("Menikah", "Married", "sudah menikah", "married"), "age": "41", "place": "Singaraja",
     "date": ("22 Oktober 1984", "22 October 1984")},
    {"name": "Kevin Tanoto", "gender": ("Laki-laki", "Male", "laki-laki", "man"), "religion": ("Buddha", "Buddhist"),
     "marital": ("Belum Kawin", "Single", "belum menikah", "single"), "age": "23", "place": "Pontianak",
     "date": ("9 Januari 2002", "9 January 2002")},
    {"name": "Maria Goreti Bere", "gender": ("Perempuan", "Female", "perempuan", "woman"), "religion": ("Katolik", "Catholic"),
     "marital": ("Cerai", "Divorced", "sudah menikah", "divorced"), "age": "38", "place": "Atambua",
     "date": ("30 Mei 1987", "30 May 1987")},
)

# Indonesian, headings, personal data as a form.
FORM_ID = """{name}
{email} | 0813-5550-1212

DATA PRIBADI
Jenis Kelamin : {gender_id}
Agama : {religion_id}
Status Pernikahan : {marital_id}
Tempat/Tanggal Lahir : {place}, {date_id}
Usia : {age} tahun

PENGALAMAN KERJA
Staf Akuntansi, PT Cahaya Niaga Sentosa, Surabaya (2019 - sekarang)
- Mencatat jurnal harian, rekonsiliasi bank dan menyusun laporan keuangan bulanan.
- Menghitung dan melaporkan PPh 21, PPh 23 dan PPN lewat e-Faktur.

PENDIDIKAN
S1 Akuntansi, Universitas Airlangga, 2019

KEAHLIAN
Microsoft Excel, pivot table, akuntansi perpajakan, Accurate, e-SPT
"""
# Indonesian, no headings, personal data in prose.
PROSE_ID = """{name}
Saya lahir di {place} pada {date_id}, beragama {religion_id} dan {marital_prose_id}. Saya seorang {gender_prose_id} berusia {age} tahun.
Perawat pelaksana di ruang rawat inap penyakit dalam RSUD Kota selama empat tahun.
Melakukan pengkajian pasien, memantau tanda vital, memberikan obat sesuai instruksi dokter dan mendokumentasikan asuhan keperawatan.
Lulusan D3 Keperawatan, memiliki STR aktif dan sertifikat BTCLS.
"""
# English, headings, personal data as fields on one line and in a table.
FIELDS_EN = """{name}
Warehouse Supervisor | {email}

PERSONAL DETAILS
Date of birth: {date_en} | Place of birth: {place}
Gender: {gender_en} | Religion: {religion_en} | Marital status: {marital_en}
Age: {age}

WORK EXPERIENCE
Warehouse Supervisor, PT Logistik Andalan, Cikarang (2018 - present)
- Led a team of 14 pickers and checkers; inbound, putaway, picking and outbound.
- Ran weekly cycle counts and kept stock accuracy above 99 % in the WMS.

EDUCATION
Bachelor of Industrial Engineering, Universitas Diponegoro, 2017

SKILLS
Inventory control, FIFO, WMS, forklift safety, Microsoft Excel
"""
# English, headings, personal data in the summary's prose.
PROSE_EN = """{name}
{email}

SUMMARY
I am a {age}-year-old {marital_prose_en} {religion_en} {gender_prose_en} born in {place}, and I have five years of experience in B2B sales of industrial lubricants.

EXPERIENCE
Sales Executive, PT Pelumas Jaya, Jakarta (2020 - present)
- Grew a portfolio of 60 workshop and fleet accounts; exceeded the yearly target by 18 %.
- Prepared quotations, negotiated contracts and followed up receivables.

EDUCATION
S1 Management, Universitas Trisakti

SKILLS
Negotiation, CRM, prospecting, presentation, Microsoft Excel
"""
# Indonesian, headings, a one-line form whose separators the cleaning drops.
ONE_LINE_ID = """{name}
Agama: {religion_id} | Status: {marital_id} | Jenis Kelamin: {gender_id} | Usia: {age} tahun | TTL: {place}, {date_id}

RINGKASAN
Supervisor gudang dengan pengalaman enam tahun mengelola penerimaan, penyimpanan dan pengiriman barang.

PENGALAMAN
Kepala Regu Gudang, CV Sumber Rejeki Abadi, Semarang (2018 - 2024)
- Mengatur jadwal 10 staf gudang dan memastikan stock opname bulanan sesuai.

KEAHLIAN
Manajemen persediaan, FIFO, stock opname, Microsoft Excel
"""
# English, no headings, fields and prose together.
MIXED_EN = """{name} - {email}
Gender {gender_en}. Religion: {religion_en}. Marital status: {marital_en}.
Born in {place} on {date_en}; I am {age} years old.
Registered nurse with three years on a surgical ward: patient assessment, wound care, medication and discharge education.
Diploma in Nursing (D3 Keperawatan), active STR, BLS certified.
"""
CVS = {"form_id": FORM_ID, "prose_id": PROSE_ID, "fields_en": FIELDS_EN, "prose_en": PROSE_EN, "one_line_id": ONE_LINE_ID, "mixed_en": MIXED_EN}


def variant_text(template: str, variant: dict) -> str:  # type: ignore[type-arg]
    """The CV with one variant's name and attributes."""
    gender_id, gender_en, gender_prose_id, gender_prose_en = variant["gender"]
    marital_id, marital_en, marital_prose_id, marital_prose_en = variant["marital"]
    return template.format(
        name=variant["name"],
        email=variant["name"].lower().replace(" ", ".") + "@mail.example",
        gender_id=gender_id, gender_en=gender_en, gender_prose_id=gender_prose_id, gender_prose_en=gender_prose_en,
        religion_id=variant["religion"][0], religion_en=variant["religion"][1],
        marital_id=marital_id, marital_en=marital_en, marital_prose_id=marital_prose_id, marital_prose_en=marital_prose_en,
        age=variant["age"], place=variant["place"], date_id=variant["date"][0], date_en=variant["date"][1],
    )


@pytest.fixture(scope="module")
def matchers() -> dict[bool, Matcher]:
    blind = build_matcher(Settings(_env_file=None, model_name="use-multilingual-v3"))
    research = Matcher(blind.encoder, blind.resources, blind.calibration, policy=blind.policy, blind_screening=False)
    return {True: blind, False: research}


@pytest.fixture(scope="module")
def jobs() -> list[JobPosting]:
    by_id = {job["job_id"]: job for job in seed_jobs(Settings(_env_file=None))}
    return [JobPosting.from_dict(by_id[job_id]) for job_id in JOB_IDS]


def spreads(matcher: Matcher, jobs: list[JobPosting]) -> dict[tuple[str, str], tuple[float, set[str]]]:
    """Per (CV, job): the spread of semantic_score over the CV's variants, and the grades they got."""
    found: dict[tuple[str, str], tuple[float, set[str]]] = {}
    for key, template in CVS.items():
        texts = [variant_text(template, variant) for variant in VARIANTS]
        names = [variant["name"] for variant in VARIANTS]
        for job in jobs:
            results = matcher.score_many(job, texts, candidate_names=names, evidence=False)
            assert all(isinstance(result, MatchResult) for result in results), results
            scores = [result.semantic_score for result in results]  # type: ignore[union-attr]
            found[(key, job.job_id or "")] = (max(scores) - min(scores), {result.grade for result in results})  # type: ignore[union-attr]
    return found


def test_every_variant_of_a_cv_scores_the_same_with_blind_screening_and_not_without(
    matchers: dict[bool, Matcher], jobs: list[JobPosting]
) -> None:
    blind, research = spreads(matchers[True], jobs), spreads(matchers[False], jobs)
    for label, found in (("on", blind), ("off", research)):
        values = [spread for spread, _ in found.values()]
        print(f"blind screening {label}: spread of semantic_score over variants, max {max(values):.3f}, "
              f"mean {statistics.mean(values):.3f} ({len(CVS)} CVs x {len(jobs)} jobs, {len(VARIANTS)} variants)")
    for pair, (spread, grades) in blind.items():
        assert spread <= 0.01 and len(grades) == 1, (pair, spread, grades)
    assert max(spread for spread, _ in research.values()) > 0


def test_results_name_the_kinds_found_and_whether_they_were_removed(matchers: dict[bool, Matcher], jobs: list[JobPosting]) -> None:
    text, name = variant_text(FORM_ID, VARIANTS[0]), VARIANTS[0]["name"]
    blind = matchers[True].score(jobs[0], text, candidate_name=name)
    research = matchers[False].score(jobs[0], text, candidate_name=name)
    expected = ["name", "gender", "religion", "marital_status", "birth_date", "birth_place", "age"]
    assert blind.to_dict()["personal_data"] == {"blind_screening": True, "attributes": expected}
    assert research.to_dict()["personal_data"] == {"blind_screening": False, "attributes": expected}
    evidence = " ".join(e.text for section in blind.sections.values() for e in section.evidence)
    assert "Rahmawati" not in evidence and "Islam" not in evidence
