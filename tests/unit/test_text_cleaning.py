"""Cleaning OCR'd text and cutting it into units."""
from __future__ import annotations

import pytest

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
    assert clean_text("a  b\t\tc\n\n\n\n\nd  ") == "a b c\n\nd"


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
