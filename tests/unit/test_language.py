"""Deterministic language detection: id, en, mixed, unknown."""
from __future__ import annotations

from shared.engine.language import detect_language

INDONESIAN = (
    "Saya adalah perawat dengan pengalaman lima tahun di ruang rawat inap rumah sakit swasta.\n"
    "Bertanggung jawab melakukan asuhan keperawatan, memberikan obat sesuai resep dokter,\n"
    "dan mendokumentasikan kondisi pasien setiap pergantian jadwal jaga."
)
ENGLISH = (
    "I am a backend developer with five years of experience building payment services.\n"
    "I designed REST APIs in Python and Django, wrote integration tests and mentored two\n"
    "junior engineers while keeping the services running around the clock."
)


def test_indonesian_text() -> None:
    assert detect_language(INDONESIAN).language == "id"


def test_english_text() -> None:
    assert detect_language(ENGLISH).language == "en"


def test_both_languages_in_substantial_share_is_mixed() -> None:
    guess = detect_language(INDONESIAN + "\n" + ENGLISH)
    assert guess.language == "mixed"
    assert guess.shares["id"] > 0.3 and guess.shares["en"] > 0.3


def test_english_cv_with_indonesian_names_stays_english() -> None:
    text = ENGLISH + "\nUniversitas Gadjah Mada, Fakultas Teknik\nPerpustakaan Daerah Kota Tomohon\n" + ENGLISH
    assert detect_language(text).language == "en"


def test_detection_is_deterministic() -> None:
    text = INDONESIAN + "\nSkills: Python, SQL, Docker"
    guesses = [detect_language(text) for _ in range(5)]
    assert all(guess == guesses[0] for guess in guesses)


def test_too_little_text_or_no_letters_is_unknown() -> None:
    assert detect_language("").language == "unknown"
    assert detect_language("0812 3344 5566 ### 2019-2023").language == "unknown"


def test_other_languages_are_unknown() -> None:
    text = "Je suis ingénieur logiciel depuis dix ans et je travaille avec des équipes internationales à Paris."
    assert detect_language(text).language == "unknown"
