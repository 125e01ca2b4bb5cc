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


def test_german_and_chinese_are_not_forced_into_indonesian_or_english() -> None:
    german = "Ich bin Softwareentwickler mit acht Jahren Erfahrung in der Entwicklung von Webanwendungen."
    chinese = "我是一名软件工程师，拥有五年的后端开发经验，熟悉 Python、Java 和 Docker，曾在北京的一家互联网公司工作。"
    assert detect_language(german).language == "unknown"
    guess = detect_language(chinese)
    assert guess.language == "unknown"
    assert guess.shares == {"zh-cn": 1.0}  # the Latin tool names do not outvote the Chinese prose


def test_short_text_is_unknown() -> None:
    assert detect_language("Python developer").language == "unknown"
    assert detect_language("Saya perawat berpengalaman").language == "unknown"


def test_text_in_capitals_throughout_is_still_read() -> None:
    assert detect_language(INDONESIAN.upper()).language == "id"
    assert detect_language(ENGLISH.upper()).language == "en"


def test_acronyms_emails_and_links_do_not_change_the_language() -> None:
    text = ENGLISH + "\nSQL AWS GCP CI/CD REST\nbudi.santoso@kantorku.co.id https://github.com/budisantoso/proyek-daerah"
    guess = detect_language(text)
    assert guess.language == "en"
    assert guess.shares == {"en": 1.0}
