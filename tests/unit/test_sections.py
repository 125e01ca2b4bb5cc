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
