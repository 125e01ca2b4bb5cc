"""Unit tests for shared.engine.profile: experience years and education levels."""

from __future__ import annotations

from datetime import date

import pytest

from shared.engine.profile import (
    DateRange,
    EducationFact,
    EducationLevel,
    ExperienceEstimate,
    detect_education,
    estimate_experience,
    parse_education_requirement,
)

# Every experience test pins "today" so open ends are reproducible: June 2024.
TODAY = date(2024, 6, 15)


def years_in(text: str, *, stated_years: bool = True) -> float:
    return estimate_experience(text, today=TODAY, stated_years=stated_years).years


# --------------------------------------------------------------------------- #
# Date range formats
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("text", "start", "end", "years"),
    [
        # Open ends run to the reference month, June 2024, inclusively.
        ("Mar 2021 – sekarang", date(2021, 3, 1), date(2024, 6, 1), 3.3),
        ("Maret 2021 - Sekarang", date(2021, 3, 1), date(2024, 6, 1), 3.3),
        ("Jun 2020 - present", date(2020, 6, 1), date(2024, 6, 1), 4.1),
        ("June 2020 – Present", date(2020, 6, 1), date(2024, 6, 1), 4.1),
        ("2020/06 – now", date(2020, 6, 1), date(2024, 6, 1), 4.1),
        ("Aug 2019 — current", date(2019, 8, 1), date(2024, 6, 1), 4.9),
        ("Agu 2019 - kini", date(2019, 8, 1), date(2024, 6, 1), 4.9),
        # Year-only ranges run from January of the start to December of the end.
        ("2018-2023", date(2018, 1, 1), date(2023, 12, 1), 6.0),
        ("2018 – 2023", date(2018, 1, 1), date(2023, 12, 1), 6.0),
        ("Januari 2019 s/d Desember 2022", date(2019, 1, 1), date(2022, 12, 1), 4.0),
        ("Jan 2019 s.d. Des 2022", date(2019, 1, 1), date(2022, 12, 1), 4.0),
        ("Jan 2019 sampai Des 2022", date(2019, 1, 1), date(2022, 12, 1), 4.0),
        ("06/2020 - 03/2023", date(2020, 6, 1), date(2023, 3, 1), 2.8),
        ("Mei 2017 – Okt 2019", date(2017, 5, 1), date(2019, 10, 1), 2.5),
    ],
)
def test_listed_range_formats(text: str, start: date, end: date, years: float) -> None:
    estimate = estimate_experience(text, today=TODAY)

    assert estimate == ExperienceEstimate(years=years, ranges=(DateRange(start=start, end=end, text=text),))


@pytest.mark.parametrize(
    "separator",
    ["-", "–", "—", "to", "until", "till", "hingga", "sampai", "sampai dengan", "s/d", "s.d.", "s.d"],
)
def test_separators_between_two_dates(separator: str) -> None:
    assert years_in(f"Jan 2019 {separator} Dec 2020") == 2.0


def test_separator_without_spaces() -> None:
    assert years_in("Jan 2019-Dec 2020") == 2.0


@pytest.mark.parametrize(
    "open_end",
    [
        "present",
        "Present",
        "PRESENT",
        "now",
        "current",
        "currently",
        "to date",
        "today",
        "sekarang",
        "saat ini",
        "kini",
        "hingga kini",
        "sampai sekarang",
        "until now",
        "s/d sekarang",
    ],
)
def test_open_end_after_dash_means_reference_month(open_end: str) -> None:
    estimate = estimate_experience(f"Jan 2019 - {open_end}", today=TODAY)

    assert estimate.years == 5.5
    assert estimate.ranges[0].end == date(2024, 6, 1)


@pytest.mark.parametrize("text", ["Jan 2019 to date", "Jan 2019 hingga kini", "Jan 2019 sampai sekarang"])
def test_open_end_phrase_can_be_its_own_separator(text: str) -> None:
    assert years_in(text) == 5.5


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("Jan", 1), ("Januari", 1), ("January", 1),
        ("Feb", 2), ("Peb", 2), ("Februari", 2), ("Pebruari", 2), ("February", 2),
        ("Mar", 3), ("Mrt", 3), ("Maret", 3), ("March", 3),
        ("Apr", 4), ("April", 4),
        ("May", 5), ("Mei", 5),
        ("Jun", 6), ("Juni", 6), ("June", 6),
        ("Jul", 7), ("Juli", 7), ("July", 7),
        ("Aug", 8), ("Agu", 8), ("Agt", 8), ("Agustus", 8), ("August", 8),
        ("Sep", 9), ("Sept", 9), ("September", 9),
        ("Oct", 10), ("Okt", 10), ("Oktober", 10), ("October", 10),
        ("Nov", 11), ("Nop", 11), ("Nopember", 11), ("November", 11),
        ("Dec", 12), ("Des", 12), ("Desember", 12), ("December", 12),
    ],
)
def test_month_names_in_both_languages(name: str, month: int) -> None:
    estimate = estimate_experience(f"{name} 2015 - {name} 2016", today=TODAY)

    assert estimate.ranges[0].start == date(2015, month, 1)
    assert estimate.ranges[0].end == date(2016, month, 1)


@pytest.mark.parametrize(
    ("text", "start_month"),
    [
        ("Sept. 2019 - Des. 2020", 9),
        ("OKT 2019 - DES 2020", 10),
        ("agustus 2019 - desember 2020", 8),
        ("Nop. 2019 - Des 2020", 11),
    ],
)
def test_month_names_ignore_case_and_trailing_dot(text: str, start_month: int) -> None:
    estimate = estimate_experience(text, today=TODAY)

    assert estimate.ranges[0].start == date(2019, start_month, 1)
    assert estimate.ranges[0].end == date(2020, 12, 1)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2019 - Mar 2021", date(2019, 1, 1), date(2021, 3, 1)),
        ("Mar 2019 - 2021", date(2019, 3, 1), date(2021, 12, 1)),
        ("01/03/2019 - 30/06/2021", date(2019, 3, 1), date(2021, 6, 1)),
        ("1 Maret 2019 - 30 Juni 2021", date(2019, 3, 1), date(2021, 6, 1)),
        ("2019-03 - 2021-06", date(2019, 3, 1), date(2021, 6, 1)),
        ("3/2019 – 6/2021", date(2019, 3, 1), date(2021, 6, 1)),
    ],
)
def test_mixed_precision_and_day_prefixed_dates(text: str, start: date, end: date) -> None:
    (date_range,) = estimate_experience(text, today=TODAY).ranges

    assert (date_range.start, date_range.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Ju1 2020 - Dec 2020", date(2020, 7, 1), date(2020, 12, 1)),
        ("Jan 2O19 - Des 2020", date(2019, 1, 1), date(2020, 12, 1)),
        ("2O19 - 2O20", date(2019, 1, 1), date(2020, 12, 1)),
        ("0kt 2018 - Apri1 2019", date(2018, 10, 1), date(2019, 4, 1)),
    ],
)
def test_light_ocr_noise_is_tolerated(text: str, start: date, end: date) -> None:
    (date_range,) = estimate_experience(text, today=TODAY).ranges

    assert (date_range.start, date_range.end) == (start, end)
    assert date_range.text == text


def test_ranges_inside_cv_text_are_found_in_text_order() -> None:
    cv = (
        "PENGALAMAN KERJA\n"
        "PT Maju Jaya, Jakarta | Software Engineer | Mar 2021 – sekarang\n"
        "- Membangun API\n"
        "CV Sejahtera (Jan 2018 - Feb 2021), Staff IT\n"
    )

    estimate = estimate_experience(cv, today=TODAY)

    assert [r.text for r in estimate.ranges] == ["Mar 2021 – sekarang", "Jan 2018 - Feb 2021"]
    assert estimate.years == 6.5  # Jan 2018 .. Jun 2024 without a gap = 78 months


# --------------------------------------------------------------------------- #
# Counting rules
# --------------------------------------------------------------------------- #


def test_single_month_range_counts_one_month() -> None:
    assert years_in("Jan 2020 - Jan 2020") == 0.1


def test_overlapping_ranges_are_merged() -> None:
    assert years_in("Jan 2018 - Dec 2020\nJun 2019 - Jun 2021") == 3.5


def test_contained_range_adds_nothing() -> None:
    assert years_in("2015 - 2020\nMar 2016 - Apr 2017") == 6.0


def test_adjacent_ranges_add_up_without_double_counting_the_boundary() -> None:
    assert years_in("Jan 2018 - Dec 2018\nDec 2018 - Dec 2019") == 2.0


def test_gap_between_ranges_is_not_counted() -> None:
    assert years_in("Jan 2018 - Dec 2018, Jan 2020 - Dec 2020") == 2.0


def test_total_is_rounded_half_up() -> None:
    # 39 months = 3.25 years; float round() would give 3.2.
    assert years_in("Jan 2020 - Mar 2023") == 3.3


def test_year_only_end_in_current_year_stops_at_reference_month() -> None:
    (date_range,) = estimate_experience("2022 - 2024", today=TODAY).ranges

    assert date_range.end == date(2024, 6, 1)
    assert years_in("2022 - 2024") == 2.5


@pytest.mark.parametrize(
    ("text", "start", "end", "years"),
    [
        ("2019 – Sekarang", date(2019, 1, 1), date(2024, 6, 1), 5.5),
        ("Juli 2020 s.d. Maret 2022", date(2020, 7, 1), date(2022, 3, 1), 1.8),
        ("08/2019 - 02/2021", date(2019, 8, 1), date(2021, 2, 1), 1.6),
        ("2018 sampai sekarang", date(2018, 1, 1), date(2024, 6, 1), 6.5),
        ("Jan 2021 – Present", date(2021, 1, 1), date(2024, 6, 1), 3.5),
        # "Since" is open-ended, like "- present".
        ("sejak 2019", date(2019, 1, 1), date(2024, 6, 1), 5.5),
        ("Sejak Maret 2021", date(2021, 3, 1), date(2024, 6, 1), 3.3),
        ("since 2020", date(2020, 1, 1), date(2024, 6, 1), 4.5),
        # The year is written once, after the end month.
        ("Maret - Mei 2022", date(2022, 3, 1), date(2022, 5, 1), 0.3),
        ("2 Februari - 15 Agustus 2020", date(2020, 2, 1), date(2020, 8, 1), 0.6),
        ("November - Februari 2021", date(2020, 11, 1), date(2021, 2, 1), 0.3),
        # Month/year pairs whose dash was lost in extraction.
        ("03/2018 11/2019", date(2018, 3, 1), date(2019, 11, 1), 1.8),
        # Full dates with the end year wrapped onto the next line.
        ("15-03-2019 - 30-06-\n2021", date(2019, 3, 1), date(2021, 6, 1), 2.3),
    ],
)
def test_real_cv_range_formats(text: str, start: date, end: date, years: float) -> None:
    estimate = estimate_experience(text, today=TODAY)

    assert estimate == ExperienceEstimate(years=years, ranges=(DateRange(start=start, end=end, text=text),))


def test_range_glued_to_the_next_column_is_read() -> None:
    assert years_in("2021 - 2023Operator Produksi PT Sinar Jaya") == 3.0


def test_since_followed_by_an_end_is_a_closed_range() -> None:
    estimate = estimate_experience("sejak 2019 - 2021", today=TODAY)

    assert [r.text for r in estimate.ranges] == ["2019 - 2021"]
    assert estimate.years == 3.0


def test_since_without_a_date_is_not_a_range() -> None:
    assert estimate_experience("Suka menggambar sejak kecil", today=TODAY, stated_years=False).ranges == ()


# --------------------------------------------------------------------------- #
# Ranges that end in the future
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Kontrak 2024 - 2027", 0.5),  # Jan - Jun 2024
        ("Jan 2023 - Dec 2025", 1.5),
        ("Jan 2023 - Jul 2024", 1.5),
        ("2023 - 2026", 1.5),
    ],
)
def test_future_end_counts_only_up_to_today(text: str, years: float) -> None:
    estimate = estimate_experience(text, today=TODAY)

    assert estimate.years == years
    assert estimate.ranges[0].end == date(2024, 6, 1)


# --------------------------------------------------------------------------- #
# Birth dates and schooling are not experience
# --------------------------------------------------------------------------- #

BIRTH_LINES = [
    "Tempat, Tanggal Lahir : Cirebon, 12 Mei 1999",
    "Lahir: 1999",
    "Date of Birth: 05/04/1998",
    "Tempat/Tgl Lahir: [BIRTHDATE]",
    "[BIRTHDATE]",
    "TTL : Bandung, 1 Januari 2000",
    "Born 1997 in Medan",
]


@pytest.mark.parametrize("birth_line", BIRTH_LINES)
def test_birth_date_is_never_experience(birth_line: str) -> None:
    assert estimate_experience(birth_line, today=TODAY) == ExperienceEstimate(years=0.0, ranges=())


@pytest.mark.parametrize("birth_line", BIRTH_LINES)
def test_birth_line_does_not_start_a_range_with_the_next_column(birth_line: str) -> None:
    # Two-column layouts put the other column's "- sekarang" or dates on the birth line.
    assert estimate_experience(f"{birth_line} - sekarang", today=TODAY, stated_years=False).ranges == ()
    assert estimate_experience(f"{birth_line}   2019 - 2021", today=TODAY, stated_years=False).ranges == ()


@pytest.mark.parametrize("birth_line", BIRTH_LINES)
def test_birth_line_does_not_hide_the_work_below_it(birth_line: str) -> None:
    estimate = estimate_experience(f"{birth_line}\nStaff Gudang, PT Maju Jaya (2018 - 2020)", today=TODAY)

    assert [r.text for r in estimate.ranges] == ["2018 - 2020"]
    assert estimate.years == 3.0


@pytest.mark.parametrize(
    "text",
    [
        "SMK Negeri 2 Cirebon 2014 - 2017",
        "S1 Teknik Informatika 2015 – 2019",
        "SMAN 3 Kuningan (2016 - 2019)",
        "Universitas Pasundan (2019 - 2023)",
        "Politeknik Negeri Bandung, 2017 - 2020",
        "Bachelor of Science in Biology, State University, 2010 - 2014",
        "Jurusan Akuntansi, IPK 3,40 (2016 - 2020)",
        "2010-2013 SMA NEGERI 3 INDRAMAYU JURUSAN IPA",
        "2016 - 2019SMK PGRI Indramayu",
        "Himpunan Mahasiswa Teknik Mesin 2020 - 2021",
        "Novosibirsk State University | 2009 - 2013",
        "SD Negeri 1 Sumber (2006-2012)",
        # A degree on the line outweighs a workplace on the next one.
        "S1 Keperawatan, Universitas Harapan Bangsa, 2016 - 2020\nPraktik Klinik di RS Sehat",
    ],
)
def test_schooling_lines_are_not_experience(text: str) -> None:
    assert estimate_experience(text, today=TODAY) == ExperienceEstimate(years=0.0, ranges=())


@pytest.mark.parametrize(
    "text",
    [
        # The school or degree is on the line above or below a date that stands alone.
        "SMK Negeri 4 Garut\n2013 - 2016",
        "Madrasah Tsanawiyah Al-Hikmah\nSMK Bina Karya Tegal\n2016-2019\n2019-2022\nKEAHLIAN",
        "2008-2014\n2014-2017\nLulusan SD Negeri 5 Tegal\nLulusan SMP Negeri 2 Tegal",
        "Garut, Jawa Barat\n2009 – 2012\nVocational High School, Accounting",
        "PENDIDIKAN\n2017 - 2020\nHOBI",
        "Institut Teknologi Sumatera\nTeknik Kimia\n2015 - 2019\nSMA Negeri 2 Bekasi",
    ],
)
def test_date_alone_on_its_line_is_judged_by_its_neighbours(text: str) -> None:
    assert estimate_experience(text, today=TODAY, stated_years=False).ranges == ()


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("Guru Matematika di SMP Negeri 1 Sumber 2018 - 2022", 5.0),
        ("Staff Keuangan, Universitas Mercu Buana (2019 - 2021)", 3.0),
        ("Lecturer, Bandung Institute of Technology 2015 - 2020", 6.0),
        ("Librarian - Central Library, Universitas Negeri Malang 2020 - present", 4.5),
        # No known role word, but the line opens with something other than the university,
        # so the university is the employer.
        ("Kepala Perpustakaan - Universitas Negeri 2020 - 2023", 4.0),
        ("Nusantara Coding Academy Jan 2024 - Mar 2024\nJunior Developer Trainee", 0.3),
        ("Perawat di Rumah Sakit Universitas Pasundan (2020 - 2022)", 3.0),
        ("Mandor Produksi\n2019 - 2023\nPT. Sepatu Prima Indonesia", 5.0),
    ],
)
def test_work_at_a_school_is_experience(text: str, years: float) -> None:
    assert years_in(text, stated_years=False) == years


def test_whole_cv_counts_only_the_work() -> None:
    cv = (
        "DATA PRIBADI\n"
        "Nama : Dedi Kurniawan\n"
        "Tempat, Tanggal Lahir : Cirebon, 12 Mei 1999\n"
        "PENDIDIKAN\n"
        "SD Negeri 1 Weru (2005 - 2011)\n"
        "SMP Negeri 2 Plered (2011 - 2014)\n"
        "SMK Negeri 1 Cirebon, Jurusan Teknik Mesin (2014 - 2017)\n"
        "PENGALAMAN KERJA\n"
        "Operator Produksi - PT Kahatex (Agustus 2017 - Desember 2019)\n"
        "Helper Gudang - Toko Sinar Abadi (2020 - sekarang)\n"
    )

    estimate = estimate_experience(cv, today=TODAY)

    assert [r.text for r in estimate.ranges] == ["Agustus 2017 - Desember 2019", "2020 - sekarang"]
    assert estimate.years == 6.9  # 29 + 54 months


def test_school_leaver_without_work_history_has_no_experience() -> None:
    cv = (
        "Lulusan Baru\n"
        "TTL : Bandung, 1 Januari 2006\n"
        "Pendidikan\n"
        "SDN 3 Sumber\n"
        "SMPN 1 Sumber\n"
        "SMAN 1 Sumber\n"
        "2012-2018\n"
        "2018-2021\n"
        "2021-2024\n"
        "Keahlian\n"
        "Microsoft Office, komunikasi"
    )

    assert estimate_experience(cv, today=TODAY) == ExperienceEstimate(years=0.0, ranges=())


def test_present_follows_the_today_argument() -> None:
    assert estimate_experience("Jan 2020 - present", today=date(2020, 12, 31)).years == 1.0
    assert estimate_experience("Jan 2020 - present", today=date(2021, 12, 1)).years == 2.0


def test_today_defaults_to_the_current_date() -> None:
    estimate = estimate_experience("Jan 2000 - present")

    assert estimate.ranges[0].end == date.today().replace(day=1)


# --------------------------------------------------------------------------- #
# Ignored ranges
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "text",
    [
        "Des 2022 - Jan 2019",  # ends before it starts
        "Jan 2025 - present",  # starts in the future
        "Jul 2024 - Dec 2024",  # starts next month
        "2020 - 2040",  # ends more than 10 years ahead: a typo or not a range
        "Jan 1974 - Jan 2024",  # 601 months, over 50 years
    ],
)
def test_invalid_ranges_are_ignored(text: str) -> None:
    assert estimate_experience(text, today=TODAY, stated_years=False) == ExperienceEstimate(years=0.0, ranges=())


def test_exactly_fifty_years_is_accepted() -> None:
    assert years_in("Jan 1974 - Dec 2023") == 50.0


def test_invalid_range_does_not_hide_valid_ones() -> None:
    estimate = estimate_experience("Des 2022 - Jan 2019\nJan 2019 - Dec 2020", today=TODAY)

    assert [r.text for r in estimate.ranges] == ["Jan 2019 - Dec 2020"]
    assert estimate.years == 2.0


@pytest.mark.parametrize(
    "text",
    [
        "Telp 0812-2019-2020",
        "NIK 3201-2018-2023",
        "Versi 12019-2020",
        "Skor 2018-20234",
        "presentation 2019 - presentation",
        "Lulus tahun 2019",
    ],
)
def test_numbers_that_are_not_ranges(text: str) -> None:
    assert estimate_experience(text, today=TODAY, stated_years=False).ranges == ()


@pytest.mark.parametrize("text", ["", "   \n", "Saya seorang pekerja keras dan teliti."])
def test_text_without_dates_gives_zero(text: str) -> None:
    assert estimate_experience(text, today=TODAY) == ExperienceEstimate(years=0.0, ranges=())


# --------------------------------------------------------------------------- #
# Stated years fallback
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("5+ years of experience", 5.0),
        ("over 3 years", 3.0),
        ("more than 10 years in retail", 10.0),
        ("pengalaman 4 tahun", 4.0),
        ("Pengalaman kerja selama 4 tahun di bidang akuntansi", 4.0),
        ("4 tahun pengalaman", 4.0),
        ("10 tahun berpengalaman sebagai perawat", 10.0),
        ("lebih dari 2 tahun", 2.0),
        ("2,5 tahun pengalaman", 2.5),
        ("3 years professional experience", 3.0),
        ("Experience: 7 yrs", 7.0),
        ("5+ years overall, 2 years of experience in Go", 5.0),
    ],
)
def test_stated_years_fallback(text: str, years: float) -> None:
    assert estimate_experience(text, today=TODAY) == ExperienceEstimate(years=years, ranges=())


@pytest.mark.parametrize("text", ["Lulus 3 tahun lalu", "I have 2 cats", "Kontrak 1 tahun"])
def test_years_without_experience_wording_are_not_stated_experience(text: str) -> None:
    assert years_in(text) == 0.0


def test_ranges_win_over_stated_years() -> None:
    assert years_in("10+ years of experience\nJan 2020 - Dec 2021") == 2.0


def test_stated_years_fallback_can_be_disabled() -> None:
    assert years_in("5+ years of experience", stated_years=False) == 0.0


def test_absurd_stated_years_are_ignored() -> None:
    assert years_in("pengalaman 99 tahun") == 0.0


# --------------------------------------------------------------------------- #
# Education levels
# --------------------------------------------------------------------------- #


def test_education_levels_are_ordered() -> None:
    assert EducationLevel.SMA < EducationLevel.D3 < EducationLevel.S1 < EducationLevel.S2 < EducationLevel.S3
    assert max([EducationLevel.D3, EducationLevel.S3, EducationLevel.SMA]) is EducationLevel.S3


@pytest.mark.parametrize(
    ("text", "level", "phrase"),
    [
        ("SMA Negeri 1 Jakarta", EducationLevel.SMA, "SMA"),
        ("SMK Negeri 2 Bandung", EducationLevel.SMA, "SMK"),
        ("SMAN 3 Bogor", EducationLevel.SMA, "SMAN"),
        ("STM Pembangunan", EducationLevel.SMA, "STM"),
        ("Senior High School 5 Surabaya", EducationLevel.SMA, "Senior High School"),
        ("Vocational High School", EducationLevel.SMA, "High School"),
        ("High School Diploma", EducationLevel.SMA, "High School"),
        ("Madrasah Aliyah Negeri 1 Medan", EducationLevel.SMA, "Madrasah Aliyah"),
        ("MAN 2 Yogyakarta", EducationLevel.SMA, "MAN 2"),
        ("Sekolah Menengah Kejuruan", EducationLevel.SMA, "Sekolah Menengah Kejuruan"),
        ("Paket C", EducationLevel.SMA, "Paket C"),
        ("D3 Keperawatan", EducationLevel.D3, "D3"),
        ("D1 Perhotelan", EducationLevel.D3, "D1"),
        ("Diploma III Akuntansi", EducationLevel.D3, "Diploma III"),
        ("Diploma 3 Teknik Sipil", EducationLevel.D3, "Diploma 3"),
        ("D-III Teknik Mesin", EducationLevel.D3, "D-III"),
        ("DIII Farmasi", EducationLevel.D3, "DIII"),
        ("Associate Degree in Nursing", EducationLevel.D3, "Associate Degree"),
        ("Ahli Madya Kebidanan", EducationLevel.D3, "Ahli Madya"),
        ("Siti Aminah, A.Md.Kep", EducationLevel.D3, "A.Md.Kep"),
        ("Sarjana Muda", EducationLevel.D3, "Sarjana Muda"),
        ("S1 Teknik Informatika", EducationLevel.S1, "S1"),
        ("S-1 Akuntansi", EducationLevel.S1, "S-1"),
        ("Strata 1 Manajemen", EducationLevel.S1, "Strata 1"),
        ("Sarjana Komputer", EducationLevel.S1, "Sarjana"),
        ("Sarjana Terapan Pariwisata", EducationLevel.S1, "Sarjana Terapan"),
        ("D4 Akuntansi", EducationLevel.S1, "D4"),
        ("D IV Kebidanan", EducationLevel.S1, "D IV"),
        ("Diploma IV Teknik", EducationLevel.S1, "Diploma IV"),
        ("Bachelor of Science in Biology", EducationLevel.S1, "Bachelor"),
        ("bachelor's degree in economics", EducationLevel.S1, "bachelor's"),
        ("B.Eng (Hons) Mechanical", EducationLevel.S1, "B.Eng"),
        ("B.Sc. Computer Science", EducationLevel.S1, "B.Sc."),
        ("B.S. in Biology", EducationLevel.S1, "B.S."),
        ("Budi Santoso, S.Kom.", EducationLevel.S1, "S.Kom."),
        ("Dewi Lestari, S.E.", EducationLevel.S1, "S.E."),
        ("Andi Wijaya, S.T.", EducationLevel.S1, "S.T."),
        ("Rina, S.Pd", EducationLevel.S1, "S.Pd"),
        ("Sari, S.Kep, Ners", EducationLevel.S1, "S.Kep"),
        ("Yoga, S.Tr.Kes", EducationLevel.S1, "S.Tr.Kes"),
        ("Pendidikan Dokter, Universitas Airlangga", EducationLevel.S1, "Pendidikan Dokter"),
        ("S2 Manajemen", EducationLevel.S2, "S2"),
        ("Strata-2 Hukum", EducationLevel.S2, "Strata-2"),
        ("Magister Manajemen", EducationLevel.S2, "Magister"),
        ("Program Pascasarjana", EducationLevel.S2, "Pascasarjana"),
        ("Master of Business Administration", EducationLevel.S2, "Master of"),
        ("Master's degree in Statistics", EducationLevel.S2, "Master's"),
        ("Masters in Computer Science", EducationLevel.S2, "Masters in"),
        ("MBA, INSEAD", EducationLevel.S2, "MBA"),
        ("M.Sc. Data Science", EducationLevel.S2, "M.Sc."),
        ("Budi, M.Kom", EducationLevel.S2, "M.Kom"),
        ("S3 Ilmu Komputer", EducationLevel.S3, "S3"),
        ("Strata III", EducationLevel.S3, "Strata III"),
        ("Doktor Ilmu Ekonomi", EducationLevel.S3, "Doktor"),
        ("PhD in Physics", EducationLevel.S3, "PhD"),
        ("Ph.D. Chemistry", EducationLevel.S3, "Ph.D."),
        ("Doctor of Philosophy", EducationLevel.S3, "Doctor of Philosophy"),
    ],
)
def test_detects_each_level(text: str, level: EducationLevel, phrase: str) -> None:
    assert detect_education(text) == EducationFact(level=level, text=phrase)


@pytest.mark.parametrize(
    ("text", "level", "phrase"),
    [
        ("SMK Negeri 1 Plumbon", EducationLevel.SMA, "SMK"),
        ("Madrasah Alyah Darul Ulum", EducationLevel.SMA, "Madrasah Alyah"),
        ("Lulusan MA Al-Ikhlas", EducationLevel.SMA, "Lulusan MA"),
        ("MA Negeri 2 Kuningan", EducationLevel.SMA, "MA Negeri"),
        ("Madrasah: MA IPS", EducationLevel.SMA, "MA IPS"),
        ("GED, 2015", EducationLevel.SMA, "GED"),
        ("High School Diploma, Lincoln High", EducationLevel.SMA, "High School"),
        ("S.1 Manajemen", EducationLevel.S1, "S.1"),
        ("Sarjana Teknik Sipil", EducationLevel.S1, "Sarjana"),
        ("Sarjana Ekonomi", EducationLevel.S1, "Sarjana"),
        ("D III Perhotelan", EducationLevel.D3, "D III"),
        ("Diploma III Keperawatan", EducationLevel.D3, "Diploma III"),
        ("Bachelor of Science: Accounting", EducationLevel.S1, "Bachelor"),
        ("BBA, Universitas Prasetiya Mulya", EducationLevel.S1, "BBA"),
        ("Master of Engineering", EducationLevel.S2, "Master of"),
        ("Magister Teknik", EducationLevel.S2, "Magister"),
        ("Ph.D in Economics", EducationLevel.S3, "Ph.D"),
        ("Doktor Ilmu Hukum", EducationLevel.S3, "Doktor"),
        # Titles after a name without the comma, at the end of the line.
        ("Bambang Susilo S.T.", EducationLevel.S1, "S.T."),
        ("Rina Wati S.E.\nJl. Merdeka 5", EducationLevel.S1, "S.E."),
        ("Hendra Gunawan M.M.", EducationLevel.S2, "M.M."),
        ("M.A. in Linguistics", EducationLevel.S2, "M.A."),
        ("M.S. in Statistics", EducationLevel.S2, "M.S."),
    ],
)
def test_real_cv_degree_spellings(text: str, level: EducationLevel, phrase: str) -> None:
    assert detect_education(text) == EducationFact(level=level, text=phrase)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("SEKOLAH MENENGAH ATAS", EducationLevel.SMA),
        ("s1 teknik sipil", EducationLevel.S1),
        ("MASTER OF SCIENCE", EducationLevel.S2),
        ("magister akuntansi", EducationLevel.S2),
        ("phd", EducationLevel.S3),
    ],
)
def test_words_are_matched_in_any_case(text: str, level: EducationLevel) -> None:
    fact = detect_education(text)

    assert fact is not None
    assert fact.level is level


def test_highest_level_wins_and_reports_its_phrase() -> None:
    cv = (
        "PENDIDIKAN\n"
        "SMA Negeri 1 Bogor (2010-2013)\n"
        "S1 Teknik Informatika, IPB (2013-2017)\n"
        "S2 Ilmu Komputer, UI (2018-2020)"
    )

    assert detect_education(cv) == EducationFact(level=EducationLevel.S2, text="S2")


def test_first_mention_of_the_highest_level_is_reported() -> None:
    assert detect_education("Sarjana Ekonomi (S1)") == EducationFact(level=EducationLevel.S1, text="Sarjana")


def test_lowercase_dr_is_the_medical_title_and_counts_as_s1() -> None:
    assert detect_education("dr. Andi Wijaya") == EducationFact(level=EducationLevel.S1, text="dr.")
    assert detect_education("drg. Sinta Dewi") == EducationFact(level=EducationLevel.S1, text="drg.")


def test_capitalised_dr_alone_is_not_a_degree() -> None:
    assert detect_education("References: Dr. Budi Santoso, Head of Engineering") is None


def test_doctorate_with_dr_title_is_read_from_the_degree_wording() -> None:
    fact = detect_education("Dr. Budi Santoso\nPhD in Economics, Universitas Gadjah Mada")

    assert fact == EducationFact(level=EducationLevel.S3, text="PhD")


@pytest.mark.parametrize(
    "text",
    [
        "ES1 module",
        "S12 series controller",
        "Samsung Galaxy S10",
        "Scrum Master",
        "Certified ScrumMaster",
        "master data management",
        "mastered Python and Go",
        "Master of Ceremony di acara kampus",
        "Headmaster",
        "SMART goals",
        "Mastercard",
        "AWS S3, EC2, Lambda",
        "Amazon S3 bucket",
        "D3.js charts",
        "D.I. Yogyakarta",
        "DI Yogyakarta",
        "STM32 microcontroller",
        "Junior High School",
        "M.A. Rahman",
        "M. Rizki",
        "Budi S. Pratama",
        "AMD Ryzen 7",
        "Diplomat",
        "Hubungan diplomasi",
        "Nikon D3100 camera",
        "Spare part XR-D3",
        "Kode barang D3-4455",
        "Module D3-A1 replaced",
        "Mbah Surip",
        "ZUMBA instructor",
        "SMAW welding certificate",
        "Asmara Catering",
        "Nightly backups to s3 from postgres",
        "Provisioned S3 and IAM with Terraform",
        "MA Rahman",
        "S.E. Wibowo, Manager",
    ],
)
def test_false_positives_are_not_education(text: str) -> None:
    assert detect_education(text) is None


def test_false_positive_does_not_hide_a_real_degree() -> None:
    fact = detect_education("Scrum Master, AWS S3\nS1 Teknik Informatika")

    assert fact == EducationFact(level=EducationLevel.S1, text="S1")


@pytest.mark.parametrize("text", ["", "Saya lulusan terbaik di angkatan saya."])
def test_no_education_gives_none(text: str) -> None:
    assert detect_education(text) is None


# --------------------------------------------------------------------------- #
# Job requirements
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("requirement", "level"),
    [
        ("Bachelor's degree (S1) in Computer Science", EducationLevel.S1),
        ("Pendidikan minimal D3 Keperawatan", EducationLevel.D3),
        ("SMA/SMK sederajat", EducationLevel.SMA),
        ("S1/S2", EducationLevel.S1),
        ("Minimal D3", EducationLevel.D3),
        ("min. S1", EducationLevel.S1),
        ("Pendidikan minimal SMA/SMK", EducationLevel.SMA),
        ("D3/S1 Akuntansi", EducationLevel.D3),
        ("Pendidikan min. D-III", EducationLevel.D3),
        ("Minimal lulusan Diploma/S1", EducationLevel.D3),
        ("Minimal S1, diutamakan S2", EducationLevel.S1),
        ("Master's degree in Data Science", EducationLevel.S2),
        ("PhD in Machine Learning or related field", EducationLevel.S3),
        ("High school diploma or equivalent", EducationLevel.SMA),
        ("Lulusan S-1 Teknik", EducationLevel.S1),
        ("Experience with AWS S3; S1 Informatika", EducationLevel.S1),
        ("Minimal D3-Akuntansi", EducationLevel.D3),
        ("Pendidikan S1-S2 Teknik", EducationLevel.S1),
    ],
)
def test_requirement_gives_minimum_level(requirement: str, level: EducationLevel) -> None:
    assert parse_education_requirement(requirement) is level


@pytest.mark.parametrize(
    "requirement",
    ["", "No formal degree required", "Experience with AWS S3", "Scrum Master certification", "Pendidikan minimal SMP"],
)
def test_requirement_without_level_gives_none(requirement: str) -> None:
    assert parse_education_requirement(requirement) is None
