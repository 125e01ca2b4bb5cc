"""Cleaning OCR'd text and cutting it into units."""
from __future__ import annotations

import pytest

from shared.engine.reading import EngineResources
from shared.engine.text_cleaning import clean_text, letter_count, split_units


def test_nfkc_turns_ligatures_and_fullwidth_into_plain_letters() -> None:
    assert clean_text("ﬁnance ＰＹＴＨＯＮ") == "finance PYTHON"


def test_zero_width_and_control_characters_are_removed() -> None:
    assert clean_text("Py\u200bthon\u200d de\x00velo\x0cper\ufeff") == "Python de velo per"


def test_bullets_of_every_kind_become_dashes() -> None:
    raw = "• Built APIs\n» Led team\n▪ Wrote tests\n* Deployed\n– Reviewed code"
    assert clean_text(raw).split("\n") == ["- Built APIs", "- Led team", "- Wrote tests", "- Deployed", "- Reviewed code"]


def test_inline_bullets_become_separators() -> None:
    assert clean_text("Docker · Kubernetes · Helm ·\nTerraform") == "Docker - Kubernetes - Helm -\nTerraform"


def test_word_hyphenated_across_lines_is_joined() -> None:
    assert clean_text("membangun pipe-\nline data dan kom-\n  ponen") == "membangun pipeline data dan komponen"


def test_decoration_lines_and_stray_pipes_are_dropped() -> None:
    assert clean_text("Sertifikasi\n~~~~~~~\nAWS | Terraform\n_____") == "Sertifikasi\n\nAWS Terraform"


def test_repeated_spaces_and_blank_lines_collapse() -> None:
    # Words, not single letters: three single letters in a row read as a spaced-out word.
    assert clean_text("Python  SQL\t\tExcel\n\n\n\n\nGit  ") == "Python SQL Excel\n\nGit"


@pytest.mark.parametrize("raw", ["", "   \n\t ", "\u200b\u200b"])
def test_empty_input_stays_empty(raw: str) -> None:
    assert clean_text(raw) == ""


def test_right_to_left_and_emoji_text_survive_cleaning() -> None:
    cleaned = clean_text("مهندس برمجيات 🚀 Python")
    assert "Python" in cleaned and "مهندس" in cleaned
    assert letter_count(cleaned) > 10


def test_units_join_wrapped_bullets_and_split_sentences() -> None:
    text = clean_text(
        "- Rebuilt the dashboard in React, replacing a jQuery app\n  used by 15,000 sellers.\n"
        "Led the team. Wrote the tests.\nJan 2020 - 2021"
    )
    assert split_units(text) == [
        "Rebuilt the dashboard in React, replacing a jQuery app used by 15,000 sellers.",
        "Led the team.",
        "Wrote the tests.",
    ]


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert split_units("Jl. Kaliurang Km 9, Sleman, D.I. Yogyakarta") == ["Jl. Kaliurang Km 9, Sleman, D.I. Yogyakarta"]


# Mojibake: UTF-8 that was read as Windows-1252 or Latin-1 on its way out of a PDF or DOCX.


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Jan 2019 â€“ Dec 2021", "Jan 2019 – Dec 2021"),
        ("Chef de partie, cafÃ© & pÃ¢tisserie", "Chef de partie, café & pâtisserie"),
        ("Managed payrollÂ and benefits", "Managed payroll and benefits"),
        ("Fluent inÂ \nEnglish", "Fluent in\nEnglish"),
        ("Company Name ï¼š City", "Company Name : City"),
        # The fullwidth colon's last byte was lost and a zero-width space took its place.
        ("Company Name\nï¼\u200b\nCity", "Company Name\n\nCity"),
        ("Keahlian: Excel â€¢ Word", "Keahlian: Excel - Word"),
    ],
)
def test_mojibake_is_repaired(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


def test_mojibake_repair_keeps_lines_and_bullets() -> None:
    raw = "PENGALAMAN KERJA\nâ€¢ Operator produksi â€“ PT Maju\nâ€¢ Admin gudang\n\nPENDIDIKAN"
    assert clean_text(raw) == "PENGALAMAN KERJA\n- Operator produksi – PT Maju\n- Admin gudang\n\nPENDIDIKAN"


@pytest.mark.parametrize(
    "raw",
    [
        "Chef at Café Rosé – São Paulo, 2019–2021",
        "Wrote “clean code” and ‘tests’ for 50€ a day",
        "Łódź, Dvořák, Ærøskøbing, Straße",
        "Nama Lengkap: Siti Nurhaliza\nAlamat: Jl. Melati No. 4, Sumber",
    ],
)
def test_text_that_is_not_mojibake_is_left_alone(raw: str) -> None:
    assert clean_text(raw) == raw


# Icons: pictographs and icon-font glyphs (private use) used as bullets and labels.


@pytest.mark.parametrize("icon", ["☎", "✉", "🎁", "⌂", "📞", "📧", "🏠", "✆", "\ue0b0", "\uf0b7", "\U000f0001", "📍\ufe0f"])
def test_an_icon_that_starts_a_line_becomes_a_bullet(icon: str) -> None:
    assert clean_text(f"{icon} [PHONE]\n{icon}Jakarta Selatan") == "- [PHONE]\n- Jakarta Selatan"


def test_icons_inside_a_line_become_spaces_and_never_glue_words() -> None:
    assert clean_text("Jakarta🏠Bandung ☎[PHONE] Python\uf0b7Django") == "Jakarta Bandung [PHONE] Python Django"


def test_an_icon_used_as_a_label_loses_its_colon_and_a_bare_icon_line_goes() -> None:
    assert clean_text("Kontak\n☎\n✉: [EMAIL]\n⌂ : Cirebon") == "Kontak\n\n- [EMAIL]\n- Cirebon"


def test_emoji_sequences_leave_nothing_behind() -> None:
    # A family (joined by ZWJ), a skin tone, a flag (regional indicators) and a keycap.
    assert clean_text("Tim 👨\u200d👩\u200d👧 👍🏽 🇮🇩 Indonesia 1\ufe0f\u20e3 juara") == "Tim Indonesia 1 juara"


def test_symbols_that_are_text_stay() -> None:
    assert clean_text("Suhu ruang 20°C, IPK 3,5/4") == "Suhu ruang 20°C, IPK 3,5/4"


# Letters spaced out by PDF extraction.


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("D A F T A R  R I W A Y A T  H I D U P", "DAFTAR RIWAYAT HIDUP"),
        ("P E N G A L A M A N   K E R J A", "PENGALAMAN KERJA"),
        ("P E N D I D I K A N", "PENDIDIKAN"),
        ("W O R K\tE X P E R I E N C E", "WORK EXPERIENCE"),
        ("L u l u s a n  B a r u", "Lulusan Baru"),
        ("T O O L S  &  T E C H", "TOOLS & TECH"),
        ("P R O J E C T S (selected)", "PROJECTS (selected)"),
        # Word gaps lost and some letters printed as pairs: one token, which the splitter reads anyway.
        ("D A F T A R R IW A Y A T H ID U P", "DAFTARRIWAYATHIDUP"),
        ("II. R IW A Y A T P E N D ID IK A N", "II. RIWAYATPENDIDIKAN"),
        ("- K E A H L I A N", "- KEAHLIAN"),
    ],
)
def test_spaced_out_letters_are_joined(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    "raw",
    [
        "a b testing on the checkout page",
        "Pendidikan terakhir S 1 Teknik Informatika",
        "I am a fast learner",
        "D3 / S1 Akuntansi",
        "A. B. Santoso, S.Kom.",
        "Plan A or B or C",
        "Nilai A, B, C",
        "a) Python b) Java c) Go",
        "Bahasa: ID EN JP",
        "Jl. A Yani No 5 RT 02 RW 03",
        "Tahun 2 0 1 9",
        "C C++ C# Go",
    ],
)
def test_short_words_are_not_taken_for_spaced_out_letters(raw: str) -> None:
    assert clean_text(raw) == raw


def test_heading_spaced_out_and_glued_is_found_by_the_splitter(resources: EngineResources) -> None:
    text = clean_text("Budi\nP E N G A L A M A N K E R J A\nOperator produksi\nK E A H L I A N\nExcel")
    sections = resources.splitter.split(text)
    assert sections.get("experience") == "Operator produksi" and sections.get("skills") == "Excel"


# Form layouts, page furniture and blanked names.


def test_a_column_of_colons_is_dropped_but_labels_keep_theirs() -> None:
    raw = "Nama\nAlamat\nAgama\n:\n:\n: :\nSiti\nStatus :\nNo. HP : [PHONE]"
    assert clean_text(raw) == "Nama\nAlamat\nAgama\n\nSiti\nStatus :\nNo. HP : [PHONE]"


@pytest.mark.parametrize("footer", ["Page 2 of 3", "page 2/3", "Halaman 2", "Halaman 2 dari 3", "Hal. 2", "2 of 3"])
def test_page_numbers_are_dropped(footer: str) -> None:
    assert clean_text(f"Operator produksi\n{footer}\nAdmin gudang") == "Operator produksi\n\nAdmin gudang"


def _pages(header: list[str], *pages: list[str]) -> str:
    """A CV whose pages each start with the same header lines."""
    return "\n".join(line for page in pages for line in [*header, *page])


def test_a_running_page_header_is_kept_once() -> None:
    page = [f"Tugas harian nomor {n}" for n in range(25)]
    raw = _pages(["Curriculum Vitae", "Budi Santoso"], page, page, page[:3])
    assert clean_text(raw).split("\n") == ["Curriculum Vitae", "Budi Santoso", *page, "", *page, "", *page[:3]]


def test_a_header_repeated_closer_than_a_page_apart_stays() -> None:
    raw = _pages(["Budi Santoso", "Operator Produksi"], ["PT Maju", "2019 - 2020"], ["PT Jaya", "2020 - 2022"], ["PT Abadi"])
    assert clean_text(raw) == raw


def test_short_lines_repeated_as_content_stay() -> None:
    # Dates, "to", a city and a job title repeat once per job, and the title is also under the name.
    jobs = "".join(f"Cook\nCompany Name\nCity\n0{n}/2020\nto\n0{n + 1}/2021\nPrepared meals\n" for n in range(1, 5))
    raw = f"Jane Doe\nCook\nSummary\n{jobs}"
    assert clean_text(raw) == raw.strip()


def test_a_date_is_not_a_page_number() -> None:
    assert clean_text("Operator\n04/2020\n2019 - 2021") == "Operator\n04/2020\n2019 - 2021"


def test_blanked_names_and_placeholders_stay_and_make_no_bullets() -> None:
    raw = "**** ****\n** ****\n[EMAIL] | [PHONE]\n**Nama:** Budi\n* Operator mesin"
    assert clean_text(raw) == "**** ****\n** ****\n[EMAIL] [PHONE]\n**Nama:** Budi\n- Operator mesin"
    assert split_units(clean_text(raw), min_letters=1) == ["[EMAIL] [PHONE]", "**Nama:** Budi", "Operator mesin"]


def test_lines_of_spaced_decoration_are_dropped() -> None:
    assert clean_text("Keahlian\n* * *\n- - -\n= = =\nExcel") == "Keahlian\n\nExcel"


def test_lone_surrogates_and_line_separators_do_not_survive() -> None:
    assert clean_text("Python\ud800 SQL\u2028Excel\u2029Git\r\nDocker") == "Python SQL\nExcel\nGit\nDocker"


def test_cleaning_is_idempotent_on_noisy_text() -> None:
    raw = "D A T A  P R I B A D I\n☎ [PHONE]\n:\nPage 1 of 2\nâ€¢ Kasir Â minimarket\n| • Python\nab-\n  cd"
    once = clean_text(raw)
    assert clean_text(once) == once
