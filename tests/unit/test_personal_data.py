"""Blind screening's reader stage: personal attributes found and taken out, job content kept."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.engine.personal_data import KINDS, screen_personal_data
from shared.engine.text_cleaning import clean_text

FIELD_LINES = [
    ("Agama : Islam", ("religion",)),
    ("Religion: Catholic", ("religion",)),
    ("Jenis Kelamin  Perempuan", ("gender",)),
    ("Jenis Kelamin\tLaki-laki", ("gender",)),
    ("Gender: Female", ("gender",)),
    ("Sex : M", ("gender",)),
    ("Status: Menikah", ("marital_status",)),
    ("Status Perkawinan : Belum Kawin", ("marital_status",)),
    ("Status Pernikahan: Lajang", ("marital_status",)),
    ("Marital status: Married", ("marital_status",)),
    ("Tempat/Tanggal Lahir : Pekanbaru, 21 Juni 1996", ("birth_date", "birth_place")),
    ("TTL: Malang, 02-11-1993", ("birth_date", "birth_place")),
    ("Date of birth: 9 October 1990", ("birth_date",)),
    ("Place of birth: Makassar", ("birth_place",)),
    ("Usia : 28 tahun", ("age",)),
    ("Umur 31 thn", ("age",)),
    ("Age: 35", ("age",)),
    ("Tinggi/Berat Badan : 158 cm / 50 kg", ("height_weight",)),
    ("Height: 172 cm", ("height_weight",)),
    ("Suku : Minang", ("ethnicity",)),
    ("Ethnicity: Javanese", ("ethnicity",)),
    ("Kewarganegaraan : WNI", ("nationality",)),
    ("Nationality: Indonesian", ("nationality",)),
    ("Nama Lengkap : Rina Kartika", ("name",)),
    ("[FOTO]", ("photo",)),
    ("Pas foto", ("photo",)),
    ("Photo", ("photo",)),
]


def kinds_and_text(text: str, name: str | None = None) -> tuple[tuple[str, ...], str]:
    screened = screen_personal_data(text, candidate_name=name)
    return screened.kinds, screened.text


@pytest.mark.parametrize(("line", "kinds"), FIELD_LINES)
def test_field_lines_are_found_and_removed_raw_and_cleaned(line: str, kinds: tuple[str, ...]) -> None:
    for text in (line, clean_text(line)):
        found, left = kinds_and_text(f"Akuntan pajak\n{text}\nMenyusun SPT Masa PPN")
        assert set(found) == set(kinds), text
        assert left == "Akuntan pajak\nMenyusun SPT Masa PPN"


@pytest.mark.parametrize(
    "line",
    [
        "Agama: Islam | Status: Menikah | Usia: 27 tahun",
        "Jenis Kelamin: Perempuan • Agama: Hindu • Suku: Bali",
        "Usia\t27 tahun\tTinggi Badan\t160 cm",
        "Marital Status : Belum Menikah Warga Negara / Nationality : WNI Agama / Religion : Kristen",
    ],
)
def test_several_fields_on_one_line_all_go(line: str) -> None:
    for text in (line, clean_text(line)):
        found, left = kinds_and_text(text)
        assert left == "" and found, text


def test_a_form_with_its_values_below_the_labels_goes_whole() -> None:
    form = "DATA PRIBADI\nTanggal lahir\nUsia\nJenis kelamin\nStatus\nKewarganegaraan\n: 4 April 1992\n: 32 tahun\n: Laki-laki\n: Menikah\n: Indonesia\nPENGALAMAN KERJA\nKasir"
    found, left = kinds_and_text(form)
    assert left == "DATA PRIBADI\nPENGALAMAN KERJA\nKasir"
    assert found == ("gender", "marital_status", "birth_date", "age", "nationality")


@pytest.mark.parametrize(
    ("sentence", "kinds", "kept"),
    [
        ("Saya lahir di Medan pada 3 Mei 1997, beragama Kristen dan belum menikah.",
         {"birth_place", "birth_date", "religion", "marital_status"}, ""),
        ("I am a 29-year-old married Muslim woman born in Surabaya, and I have 6 years of experience in retail banking.",
         {"age", "marital_status", "religion", "gender", "birth_place"}, "I have 6 years of experience in retail banking."),
        ("Saya seorang perempuan berusia 26 tahun, bersuku Sunda, berkewarganegaraan Indonesia.",
         {"gender", "age", "ethnicity", "nationality"}, ""),
        ("Born in 1991 in Bandung, I have led warehouse teams for eight years.", {"birth_date"}, "I have led warehouse teams for eight years."),
        ("Siap bekerja shift, tinggi badan 168 cm dan berat badan 60 kg.", {"height_weight"}, "Siap bekerja shift."),
    ],
)
def test_prose_attributes_are_found_and_their_clauses_removed(sentence: str, kinds: set[str], kept: str) -> None:
    found, left = kinds_and_text(f"RINGKASAN\n{sentence}")
    assert set(found) == kinds
    assert left == ("RINGKASAN\n" + kept if kept else "RINGKASAN")


@pytest.mark.parametrize(
    "line",
    [
        "Guru Pendidikan Agama Islam di SMA Negeri 2 Garut (2018 - sekarang)",
        "Marital arts club coordinator",
        "Status: Karyawan tetap",
        "Project Status: Completed on time",
        "S1 Manajemen, Sekolah Tinggi Ilmu Ekonomi Indonesia",
        "Perguruan Tinggi Negeri, IPK 3,5",
        "Menjaga mutu dengan standar yang tinggi",
        "Mar 2019 - Des 2021, Staf Gudang",
        "Usia pensiun karyawan tetap adalah 56 tahun.",
        "Mengelola suku cadang dan inventaris gudang",
        "Perawatan ibu nifas dan bayi baru lahir",
        "Gender equality and inclusion training, 2022",
        "Nama Perusahaan: PT Sinar Abadi",
        "Mengambil foto produk untuk katalog",
        "Religion teacher at a private primary school",
    ],
)
def test_job_content_that_looks_personal_is_kept(line: str) -> None:
    for text in (line, clean_text(line)):
        assert kinds_and_text(text) == ((), text)


def test_the_name_is_removed_in_any_case_as_whole_words_only() -> None:
    cv = "RINA KARTIKA\nrina.kartika@mail.example | 0812-1111-2222\nSaya Rina, staf administrasi.\nMengelola arsip Karinaku dan Kartikasari"
    found, left = kinds_and_text(cv, "Rina Kartika")
    assert found == ("name",)
    assert "rina" not in left.lower().replace("karinaku", "")
    assert "Karinaku" in left and "Kartikasari" in left and "staf administrasi" in left


def test_short_name_words_stay_and_no_name_finds_nothing() -> None:
    assert kinds_and_text("Staf Gudang di PT Al Amin, Jakarta", "Al Amin")[0] == ("name",)
    assert kinds_and_text("Staf Gudang di PT Al Amin, Jakarta", "Al")[0] == ()
    assert kinds_and_text("Staf Gudang di Jakarta", None) == ((), "Staf Gudang di Jakarta")


def test_detect_only_reports_the_kinds_and_keeps_the_text() -> None:
    text = "Agama: Islam\nStaf akuntansi"
    screened = screen_personal_data(text, candidate_name="Staf", remove=False)
    assert screened.text == text and screened.kinds == ("name", "religion")


_LINES = st.sampled_from(
    [line for line, _ in FIELD_LINES]
    + ["Saya lahir di Medan pada 3 Mei 1997, beragama Kristen dan belum menikah.", "PENGALAMAN KERJA", "- Menyusun laporan keuangan",
       "Status: Karyawan tetap", "Guru Pendidikan Agama Islam", "Jenis Kelamin", ": Perempuan", "Python, SQL, Excel", ""]
)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.one_of(_LINES, st.text(max_size=40)), max_size=12), name=st.one_of(st.none(), st.text(max_size=20)))
def test_screening_only_removes_and_is_idempotent(lines: list[str], name: str | None) -> None:
    text = clean_text("\n".join(lines))
    once = screen_personal_data(text, candidate_name=name)
    assert len(once.text) <= len(text)
    assert set(once.kinds) <= set(KINDS) and list(once.kinds) == sorted(once.kinds, key=KINDS.index)
    assert screen_personal_data(once.text, candidate_name=name).text == once.text


def test_a_names_words_alone_go_only_where_a_cv_names_its_owner() -> None:
    text = "DEWI INDAH LESTARI\ndewi.indah@surel.example\nStaf administrasi\n\nPENGALAMAN\nMenata taman Indah Permai bersama Dewi Sartika."
    screened = screen_personal_data(text, candidate_name="Dewi Indah Lestari, S.E.")
    assert screened.kinds == ("name",)
    assert "LESTARI" not in screened.text and "dewi.indah" not in screened.text
    assert "Menata taman Indah Permai bersama Dewi Sartika." in screened.text  # body words that happen to be name words stay


@pytest.mark.parametrize("not_a_name", ["saya lulusan tahun 2025, pengalaman kerja di toko", "CV-0042", "Kandidat 17"])
def test_a_candidate_name_that_is_not_a_name_removes_nothing(not_a_name: str) -> None:
    text = f"{not_a_name}\nPengalaman kerja di toko bangunan selama dua tahun"
    assert screen_personal_data(text, candidate_name=not_a_name).text == text
