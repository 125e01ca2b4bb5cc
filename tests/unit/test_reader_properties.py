"""Property-based tests: whatever text comes in, the CV reader returns a `ReadCV` or refuses it.

Random Unicode and CVs mangled the way PDF extraction and OCR mangle them (shuffled lines, letters
spaced out, icons, headings glued to their content, ...). Derandomized, so CI sees the same examples.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shared.engine.reading import EngineResources, ReadCV, TextReader
from shared.engine.scoring import SECTIONS
from shared.engine.text_checks import InvalidTextError
from shared.engine.text_cleaning import clean_text

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_CV_CHARS = 20_000
LANGUAGES = {"id", "en", "mixed", "unknown"}
REFUSALS = {"cv_text_empty", "cv_text_too_long", "cv_text_unreadable"}

CV_INDONESIAN = """Rina Kurniasih
[PHONE] | [EMAIL]
PROFIL
Lulusan SMK yang teliti dan siap bekerja dalam shift.
PENGALAMAN KERJA
Operator Produksi - PT Sinar Plastik, Cikarang (2021 - 2023)
• Menjalankan mesin injeksi dan mencatat hasil produksi harian
• Memeriksa kualitas produk sebelum dikemas
PENDIDIKAN
SMK Negeri 2 Cirebon, Teknik Mesin, lulus 2020
Keahlian
Microsoft Excel, pengoperasian forklift, 5S
Soft Skills: kerja sama tim, disiplin"""

CV_ENGLISH = """Daniel Moreno
Backend Developer
Work Experience
Software Engineer, Northwind Payments (2019 - present)
- Built REST APIs in Python and Django for 40,000 merchants
- Moved batch jobs to Celery and cut report time by half
Education
B.Sc. Computer Science, State University, 2018
Skills
Python, Django, PostgreSQL, Docker, Kubernetes
Languages: English, Spanish"""

CV_MIXED = """CURRICULUM VITAE
Andi Pratama
Nama : Andi Pratama
Alamat : [ADDRESS]
Summary
Accounting graduate with two years of tax reporting.
PENGALAMAN KERJA
Staf Akuntansi, CV Maju Jaya (2022 - 2024)
Prepared monthly VAT returns and reconciled bank statements.
PENDIDIKAN
S1 Akuntansi, Universitas Swadaya Gunung Jati, 2021
Keahlian: Excel, SAP, perpajakan"""

CVS = (CV_INDONESIAN, CV_ENGLISH, CV_MIXED)
GLYPHS = ["\ue000", "\uf0b7", "\U000f0001", "📞", "📧", "🏠", "☎", "✉", "🎁", "⌂", "👍🏽", "1\ufe0f\u20e3",
          "\u200b", "\u200d", "\ufeff", "\u00ad", "•", "▪", "●", "➤", "*", "|", "\u0301", "Â", "â€“", "\t", "  "]


@pytest.fixture(scope="module")
def reader(resources: EngineResources) -> TextReader:
    return TextReader(resources, max_cv_chars=MAX_CV_CHARS)


def assert_read_or_refused(reader: TextReader, raw: str) -> None:
    """The reader's contract: a well-formed `ReadCV`, or an `InvalidTextError` with a known code."""
    try:
        cv = reader.read_cv(raw)
    except InvalidTextError as refusal:
        assert refusal.code in REFUSALS
        return
    assert isinstance(cv, ReadCV)
    assert cv.language in LANGUAGES
    assert set(cv.blocks) == set(cv.units) == set(cv.sources) == set(SECTIONS)
    for name in SECTIONS:
        assert isinstance(cv.blocks[name], str) and cv.blocks[name].strip(), name
        assert cv.units[name] and all(isinstance(unit, str) and unit for unit in cv.units[name]), name
        assert cv.sources[name] in {"sections", "whole_text"}
    assert all(isinstance(text, str) for text in cv.sections.sections.values())


# Random text: every Unicode category but surrogates, control characters and combining marks
# included, and lines far longer than any CV's.
long_lines = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=30), st.integers(1, 800))
any_text = st.one_of(st.text(max_size=3000), long_lines, st.lists(st.text(max_size=80), max_size=60).map("\n".join))


def _spaced_out(line: str, gap: str, pair_every: int) -> str:
    """A line's letters spaced out as PDF extraction does; every `pair_every`-th piece keeps two letters."""
    words = []
    for word in line.split():
        pieces: list[str] = []
        at = 0
        while at < len(word):
            size = 2 if pair_every and len(pieces) % pair_every == pair_every - 1 else 1
            pieces.append(word[at:at + size])
            at += size
        words.append(" ".join(pieces))
    return gap.join(words)


@st.composite
def mangled_cvs(draw: st.DrawFn) -> str:
    """One of the CVs above, with a random mix of the damage PDF extraction and OCR do."""
    lines = draw(st.sampled_from(CVS)).split("\n")
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    for _ in range(draw(st.integers(0, 6))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        damage = draw(st.sampled_from(
            ["spaced", "glyph", "glue", "case", "duplicate", "colons", "blank_name", "page"]
        ))
        if damage == "spaced":
            lines[index] = _spaced_out(line, draw(st.sampled_from(["  ", "   ", " ", "\t"])), draw(st.sampled_from([0, 3, 4])))
        elif damage == "glyph":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(GLYPHS)) + line[at:]
        elif damage == "glue" and index + 1 < len(lines):
            # "PENDIDIKANS1 Teknik", "SoftSkills:": a heading and its content, or a heading's words, run together.
            lines[index: index + 2] = [line.replace(" ", "") + draw(st.sampled_from(["", ":", " "])) + lines[index + 1]]
        elif damage == "case":
            lines[index] = draw(st.sampled_from([str.upper, str.lower, str.title, str.swapcase]))(line)
        elif damage == "duplicate":
            lines[index:index] = [line] * draw(st.integers(1, 4))
        elif damage == "colons":
            lines[index:index] = [draw(st.sampled_from([":", ": :", " : "]))] * draw(st.integers(1, 5))
        elif damage == "blank_name":
            lines[index] = "**** ****"
        elif damage == "page":
            lines[index:index] = [draw(st.sampled_from(["Page 2 of 3", "Halaman 2", "Curriculum Vitae"]))]
    return "\n".join(lines)


@PROPERTY_SETTINGS
@given(raw=any_text)
def test_the_reader_reads_or_refuses_any_text(reader: TextReader, raw: str) -> None:
    assert_read_or_refused(reader, raw)


@PROPERTY_SETTINGS
@given(raw=mangled_cvs())
@example(raw=CV_INDONESIAN.replace("PENDIDIKAN\n", "PENDIDIKAN").replace("Soft Skills", "SoftSkills"))
def test_the_reader_reads_or_refuses_mangled_cvs(reader: TextReader, raw: str) -> None:
    assert_read_or_refused(reader, raw)


@PROPERTY_SETTINGS
@given(raw=st.one_of(any_text, mangled_cvs()))
def test_cleaning_never_raises_and_is_idempotent(raw: str) -> None:
    once = clean_text(raw)
    assert clean_text(once) == once


@PROPERTY_SETTINGS
@given(cv=st.sampled_from(CVS), gap=st.sampled_from(["  ", "   ", "\t"]), pair_every=st.sampled_from([0, 3]))
def test_spaced_out_headings_are_still_found(reader: TextReader, cv: str, gap: str, pair_every: int) -> None:
    plain = reader.read_cv(cv).sections
    lines = cv.split("\n")
    spaced = "\n".join(_spaced_out(line, gap, pair_every) if line in plain.headings else line for line in lines)
    assert set(reader.read_cv(spaced).sections.sections) == set(plain.sections)


@pytest.mark.parametrize("heading", ["KEAHLİAN", "Keahlıan"])
def test_an_inline_heading_with_a_turkish_i_is_read(reader: TextReader, heading: str) -> None:
    assert_read_or_refused(reader, f"Budi Santoso\n{heading}: Python, SQL dan Excel untuk laporan bulanan")
    read = reader.read_cv(f"Budi Santoso\n{heading}: Python, SQL dan Excel untuk laporan bulanan")
    assert read.sections.get("skills") == "Python, SQL dan Excel untuk laporan bulanan"
