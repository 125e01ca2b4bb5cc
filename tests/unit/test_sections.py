"""Splitting CVs by bilingual headings."""
from __future__ import annotations

from pathlib import Path

import pytest

from shared.config import PROJECT_ROOT
from shared.engine.sections import SectionSplitter
from shared.engine.text_cleaning import clean_text


@pytest.fixture(scope="module")
def splitter() -> SectionSplitter:
    return SectionSplitter.from_file(PROJECT_ROOT / "seed" / "section_headings.yaml")


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("PENGALAMAN KERJA", "experience"),
        ("Riwayat Pekerjaan", "experience"),
        ("Work Experience:", "experience"),
        ("PROFESSIONAL EXPERIENCE", "experience"),
        ("PENDIDIKAN", "education"),
        ("Riwayat Pendidikan :", "education"),
        ("Education", "education"),
        ("KEAHLIAN", "skills"),
        ("Kemampuan", "skills"),
        ("Technical Skills", "skills"),
        ("PROFIL", "summary"),
        ("Ringkasan", "summary"),
        ("About Me", "summary"),
        ("SERTIFIKASI", "certifications"),
        ("Certifications", "certifications"),
        ("== SKILLS ==", "skills"),
        ("WORK  EXPERIENCE", "experience"),
    ],
)
def test_heading_variants(splitter: SectionSplitter, heading: str, section: str) -> None:
    result = splitter.split(f"Budi Santoso\n{heading}\nsome content line")
    assert result.sections[section] == "some content line"
    assert result.sections["header"] == "Budi Santoso"


def test_full_cv_is_cut_into_sections(splitter: SectionSplitter) -> None:
    cv = clean_text(
        "SITI RAHMA\nPerawat\n\nPROFIL\nPerawat berpengalaman.\n\nPENGALAMAN KERJA\n"
        "• RS Sehat 2019 - sekarang\n\nPENDIDIKAN\nD3 Keperawatan 2016-2019\n\nKEAHLIAN\nAsuhan keperawatan, BLS"
    )
    result = splitter.split(cv)
    assert result.headings == ("PROFIL", "PENGALAMAN KERJA", "PENDIDIKAN", "KEAHLIAN")
    assert result.get("experience") == "- RS Sehat 2019 - sekarang"
    assert result.get("education") == "D3 Keperawatan 2016-2019"
    assert result.get("skills") == "Asuhan keperawatan, BLS"


def test_heading_with_inline_content(splitter: SectionSplitter) -> None:
    result = splitter.split("Nama\nKeahlian: Python, SQL\nBahasa: Indonesia, Inggris\nLANGUAGES  English (fluent)")
    assert result.get("skills") == "Python, SQL"
    assert result.get("languages") == "Indonesia, Inggris\nEnglish (fluent)"


def test_prose_starting_with_a_heading_word_is_not_a_heading(splitter: SectionSplitter) -> None:
    result = splitter.split("Pengalaman 4 tahun di bidang akuntansi.\nEducation is my passion and I teach.")
    assert not result.has_headings
    assert result.get("experience") == ""


def test_cv_without_headings_falls_back(splitter: SectionSplitter) -> None:
    result = splitter.split("Saya lulusan S1 Akuntansi dan bekerja tiga tahun sebagai staf pajak.")
    assert not result.has_headings
    assert list(result.sections) == ["header"]


def test_repeated_section_is_concatenated(splitter: SectionSplitter) -> None:
    result = splitter.split("Skills\nPython\nEducation\nS1\nTechnical Skills\nDocker")
    assert result.get("skills") == "Python\nDocker"


def test_aliases_file_is_loaded_from_data(tmp_path: Path) -> None:
    path = tmp_path / "headings.yaml"
    path.write_text("skills:\n  - kebolehan\n", encoding="utf-8")
    assert SectionSplitter.from_file(path).split("x\nKEBOLEHAN\nPython").get("skills") == "Python"


def test_heading_glued_together_by_ocr_is_found_inline(splitter: SectionSplitter) -> None:
    result = splitter.split("Nama\nSoftSkills: teamwork, komunikasi\nHARDSKILLS: las listrik")
    assert result.get("skills") == "teamwork, komunikasi\nlas listrik"


BACKEND_CV = """Rizky Pratama
Backend Engineer
PENGALAMAN KERJA
Backend Engineer, PT Kode Nusantara (2019 - sekarang)
- Membangun layanan REST dengan Python dan Django untuk 2 juta pengguna
{tech_stack}
{training}
Software Engineer, CV Awan Data (2017 - 2019)
- Merawat API pembayaran dan antrean tugas Celery
PENDIDIKAN
S1 Informatika, Universitas Gadjah Mada (2013 - 2017)
{languages_line}
"""


def _backend_cv(*, labelled: bool) -> str:
    if labelled:
        lines = {"tech_stack": "- Tech stack: Python, Django, PostgreSQL", "training": "Training: Kubernetes (2022)",
                 "languages_line": "BAHASA PEMROGRAMAN: Python, Go"}
    else:
        lines = {"tech_stack": "- Memakai Python, Django, PostgreSQL", "training": "Mengikuti kursus Kubernetes (2022)",
                 "languages_line": "KEAHLIAN\nPython, Go"}
    return clean_text(BACKEND_CV.format(**lines))


def test_labelled_lines_inside_an_entry_stay_in_the_experience(splitter: SectionSplitter) -> None:
    result = splitter.split(_backend_cv(labelled=True))
    experience = result.get("experience")
    assert "Tech stack: Python, Django, PostgreSQL" in experience
    assert "Training: Kubernetes (2022)" in experience
    assert "Merawat API pembayaran" in experience  # the entry after the labelled lines is still experience
    assert result.get("certifications") == ""
    assert result.get("skills") == "Python, Go"
    assert result.get("languages") == ""


def test_labelled_lines_cut_the_cv_as_the_reworded_lines_do(splitter: SectionSplitter) -> None:
    labelled, reworded = splitter.split(_backend_cv(labelled=True)), splitter.split(_backend_cv(labelled=False))
    assert set(labelled.sections) == set(reworded.sections) == {"header", "experience", "education", "skills"}
    assert labelled.get("education") == reworded.get("education")


def test_a_heading_in_capitals_still_ends_an_entry_section(splitter: SectionSplitter) -> None:
    result = splitter.split("PENGALAMAN KERJA\nKasir, Toko Maju (2020 - 2022)\nSKILLS: kasir, stok barang\nPendidikan\nSMK")
    assert result.get("experience") == "Kasir, Toko Maju (2020 - 2022)"
    assert result.get("skills") == "kasir, stok barang"
    assert result.get("education") == "SMK"


def test_a_bulleted_line_is_never_a_heading(splitter: SectionSplitter) -> None:
    result = splitter.split("Skills\n- Education: mengajar anak usia dini\n- Tools: Excel")
    assert result.headings == ("Skills",)
    assert result.get("skills") == "- Education: mengajar anak usia dini\n- Tools: Excel"


def test_programming_languages_are_skills_not_spoken_languages(splitter: SectionSplitter) -> None:
    result = splitter.split("Nama\nBAHASA PEMROGRAMAN: Python, Go\nBAHASA: Indonesia, Inggris\nProgramming Languages\nJava")
    assert result.get("skills") == "Python, Go\nJava"
    assert result.get("languages") == "Indonesia, Inggris"


def test_personal_data_form_is_its_own_section(splitter: SectionSplitter) -> None:
    result = splitter.split("Dewi Lestari\nDATA PRIBADI\nAgama : Islam\nStatus : Belum menikah\nPENGALAMAN KERJA\nAdmin gudang")
    assert result.get("personal") == "Agama : Islam\nStatus : Belum menikah"
    assert result.get("header") == "Dewi Lestari"


@pytest.mark.parametrize(
    "cv",
    [
        # two columns read across the page: the headings of both columns on one line
        "Andi\nSUMMARY EDUCATION\nAnalis bisnis enam tahun. Universitas Indonesia\nEXPERIENCE\nAnalis, PT Data",
        # the headings of one column first, their contents after
        "Andi\nPENDIDIKAN\nPENGALAMAN KERJA\nKEAHLIAN\nSMK Negeri 1\nOperator mesin\nLas listrik",
    ],
)
def test_headings_away_from_their_contents_fall_back_to_the_whole_text(splitter: SectionSplitter, cv: str) -> None:
    result = splitter.split(cv)
    assert result.scrambled
    assert result.has_headings
    assert set(result.sections) == {"header"}


@pytest.mark.parametrize("line", ["PROFILE SUMMARY", "Skills Education", "EDUCATION AND TRAINING", "WORK EXPERIENCE"])
def test_ordinary_headings_are_not_taken_for_glued_columns(splitter: SectionSplitter, line: str) -> None:
    assert not splitter.split(f"Andi\n{line}\nisi bagian ini\nPENDIDIKAN\nS1").scrambled


def test_headings_with_their_letters_spaced_out_and_collapsed(splitter: SectionSplitter) -> None:
    result = splitter.split("Andi\nPENGALAMANKERJA\nOperator produksi\nPENDIDIKAN\nSMK")
    assert result.get("experience") == "Operator produksi"
