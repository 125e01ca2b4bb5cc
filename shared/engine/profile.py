"""Candidate profile facts extracted from CV text: years of experience and education level.

The input is OCR'd text in Indonesian, English or a mix of both, so every pattern
accepts both languages and tolerates a little OCR noise. The module is pure: it
only looks at the string it is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import Any

__all__ = [
    "DateRange",
    "EducationFact",
    "EducationLevel",
    "ExperienceEstimate",
    "detect_education",
    "estimate_experience",
    "parse_education_requirement",
]


# --------------------------------------------------------------------------- #
# Experience
# --------------------------------------------------------------------------- #

_MONTHS_PER_YEAR = 12
_MAX_RANGE_MONTHS = 50 * _MONTHS_PER_YEAR
_MAX_STATED_YEARS = 50.0

_MONTH_NUMBERS: dict[str, int] = {
    "jan": 1, "january": 1, "januari": 1,
    "feb": 2, "february": 2, "februari": 2, "peb": 2, "pebruari": 2,
    "mar": 3, "march": 3, "maret": 3, "mrt": 3,
    "apr": 4, "april": 4,
    "may": 5, "mei": 5,
    "jun": 6, "june": 6, "juni": 6,
    "jul": 7, "july": 7, "juli": 7,
    "aug": 8, "august": 8, "agu": 8, "agt": 8, "agus": 8, "agustus": 8,
    "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "okt": 10, "oktober": 10,
    "nov": 11, "november": 11, "nop": 11, "nopember": 11,
    "dec": 12, "december": 12, "des": 12, "desember": 12,
}

# OCR often reads "l" as "1" and "o" as "0". Inside a month name or a year that
# is unambiguous to undo, so only those two tokens get the tolerance.
_OCR_MONTH_CHARS = str.maketrans("10", "lo")
_OCR_YEAR_CHARS = str.maketrans("Oo", "00")


def _ocr_tolerant(name: str) -> str:
    substitutes = {"l": "[l1]", "o": "[o0]"}
    return "".join(substitutes.get(char, re.escape(char)) for char in name)


# Longest first so "Maret" is not cut short at "Mar".
_MONTH_NAME = "|".join(_ocr_tolerant(name) for name in sorted(_MONTH_NUMBERS, key=len, reverse=True))
_YEAR = r"(?:19|2[0o])[\do]{2}(?!\d)"
_MONTH_NUMBER = r"(?:0?[1-9]|1[0-2])(?!\d)"


def _date_token(prefix: str) -> str:
    """One calendar point; group names carry ``prefix`` so start and end can coexist."""
    return (
        "(?:"
        # "Maret 2021", "Sept. 2019", "1 Juni 2021"
        rf"(?:\d{{1,2}}\s+)?(?P<{prefix}_month_name>{_MONTH_NAME})(?![a-z])\.?,?\s*"
        rf"(?P<{prefix}_month_name_year>{_YEAR})"
        # "06/2020", "6-2020", "01/06/2020" (day first, as Indonesian CVs write it)
        # "30-06-\n2021": the year can wrap onto the next line.
        rf"|(?:\d{{1,2}}[/.-])?(?P<{prefix}_month_number>{_MONTH_NUMBER})[/.-]\n?"
        rf"(?P<{prefix}_month_number_year>{_YEAR})"
        # "2020/06"
        rf"|(?P<{prefix}_year_first>{_YEAR})[/-](?P<{prefix}_year_first_month>{_MONTH_NUMBER})"
        rf"|(?P<{prefix}_year>{_YEAR})"
        ")"
    )


_OPEN_END_WORD = r"(?:present|now|current(?:ly)?|today|ongoing|sekarang|saat\s+ini|kini)"
_CONNECTOR = r"(?:to|until|till|up\s+to|hingga|sampai(?:\s+dengan)?|s\s?/\s?d|s\.\s?d\.?)"
_SEPARATOR = rf"\s*(?:[-\u2010-\u2015\u2212~]+|(?<![a-z]){_CONNECTOR}(?![a-z]))\s*"
_OPEN_END = rf"(?:{_CONNECTOR}\s+)?{_OPEN_END_WORD}|to\s+date"

# The guards keep phone numbers ("0812-2019-2020") and longer numbers ("20234") out. A
# letter may follow a year because PDF extraction glues columns ("2019 - 2021Staff ...").
_START_GUARD = r"(?<![\w/.-])"
_END_GUARD = r"(?:(?<=\d)(?!\d|[/.-]\d)|(?<!\d)(?!\w|[/.-]\d))"

_DATE_RANGE_PATTERN = re.compile(
    rf"{_START_GUARD}{_date_token('start')}"
    rf"(?:{_SEPARATOR}(?:(?P<open_end>{_OPEN_END})|{_date_token('end')})|\s+(?P<to_date>to\s+date))"
    rf"{_END_GUARD}",
    re.IGNORECASE,
)

# Two numeric months side by side ("03/2018 11/2019") are a range whose dash was lost.
_SPACED_MONTHS_PATTERN = re.compile(
    rf"{_START_GUARD}(?P<start_month_number>{_MONTH_NUMBER})/(?P<start_month_number_year>{_YEAR})[ \t]+"
    rf"(?P<end_month_number>{_MONTH_NUMBER})/(?P<end_month_number_year>{_YEAR}){_END_GUARD}"
)

# "Maret - Mei 2022", "2 Februari - 15 Agustus 2020": the year is written once, at the end.
_SHARED_YEAR_PATTERN = re.compile(
    rf"{_START_GUARD}(?:\d{{1,2}}\s+)?(?P<shared_start_month>{_MONTH_NAME})(?![a-z])\.?"
    rf"{_SEPARATOR}(?:\d{{1,2}}\s+)?(?P<end_month_name>{_MONTH_NAME})(?![a-z])\.?,?\s*"
    rf"(?P<end_month_name_year>{_YEAR}){_END_GUARD}",
    re.IGNORECASE,
)

# "sejak 2019", "since March 2021": open-ended, like "2019 - present".
_SINCE_PATTERN = re.compile(
    rf"(?<![a-z])(?:sejak|semenjak|since)\s+(?:(?:tahun|thn|bulan)\s+)?{_date_token('start')}{_END_GUARD}",
    re.IGNORECASE,
)

# Patterns in priority order: a full range wins over a shorter reading of the same text.
_RANGE_PATTERNS = (_DATE_RANGE_PATTERN, _SHARED_YEAR_PATTERN, _SPACED_MONTHS_PATTERN, _SINCE_PATTERN)
_MAX_FUTURE_MONTHS = 10 * _MONTHS_PER_YEAR

# A line that gives a birth date: its dates are never experience, whatever the layout makes of them.
_BIRTH_LINE = re.compile(
    r"lahir|kelahiran|birth|(?<![a-z])(?:ttl|born|d\.?o\.?b)(?![a-z])",
    re.IGNORECASE,
)

# Words only schooling lines carry: school levels, majors, GPA, graduation, student bodies.
# Degree words ("S1", "Bachelor", ...) are read with the education patterns below.
_SCHOOLING_WORDS = re.compile(
    r"(?-i:(?<![A-Za-z])(?:SD|SDN|SDIT|MI|MIN|SMP|SMPN|SLTP|SLTA|MTs|MTS|MTsN|MTSN|MA)(?![A-Za-z]))"
    r"|(?<![a-z])(?:jurusan|program\s+studi|prodi|ipk|gpa|lulus|lulusan|graduated?|mahasiswa|students?|osis"
    r"|profesi)(?![a-z])",
    re.IGNORECASE,
)
# Institutions are also employers ("Kepala Laboratorium - Universitas ..."), so they only
# mark schooling when they open the line, where CVs put the school they went to.
_INSTITUTION_WORDS = re.compile(
    r"(?-i:(?<![A-Za-z])(?:UIN|IAIN|STAIN|STAI|STIE|STMIK|STIKES|STIKOM)(?![A-Za-z]))"
    r"|(?<![a-z])(?:universitas|university|univ\.|politeknik|polytechnic|institut|institute|sekolah|school|college"
    r"|akademi|academy|fakultas|faculty|madrasah|pesantren|perguruan\s+tinggi)(?![a-z])",
    re.IGNORECASE,
)
# A date alone under the "PENDIDIKAN" heading is a school's.
_EDUCATION_HEADING = re.compile(
    r"^[\W\d_]*(?:riwayat\s+|latar\s+belakang\s+|data\s+)?(?:pendidikan|education)(?:\s+formal|\s+terakhir)?[\W\d_]*$",
    re.IGNORECASE | re.MULTILINE,
)
# The text a line opens with, up to the first " - ", comma, bracket, "at" or "di".
_FIRST_SEGMENT = re.compile(r"^[\W\d_]*(.*?)(?:\s[-\u2013\u2014|@]\s|[,|:(]|\s(?:at|di)\s|$)", re.IGNORECASE)
# Words that make a line a job even when it names a school: "Guru di SMP ...", "Lecturer, University of ...".
_WORKPLACE_WORDS = re.compile(
    r"(?-i:(?<![A-Za-z])(?:PT|Pt|Tbk|RS)(?![A-Za-z]))"
    r"|(?<![a-z])(?:guru|dosen|pengajar|mengajar|staf|staff|karyawan|pegawai|admin\w*|operator|perawat|bidan|asisten"
    r"|tata\s+usaha|bekerja|magang|pkl|prakerin|intern|internship|teacher|teaching|lecturer|instructor|tutor"
    r"|assistant|engineer|developer|officer|manager|nurse|employee|worked|researcher|librarian|pustakawan|klinik"
    r"|clinic|hospital|puskesmas|rumah\s+sakit)(?![a-z])",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{2,}")

_STATED_NUMBER = r"(?<![\d.,])(\d{1,2}(?:[.,]\d)?)"
_STATED_UNIT = r"(?:years?|yrs?|tahun|thn)(?![a-z])"
_STATED_YEARS_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # "over 3 years", "lebih dari 2 tahun"
        rf"(?<![a-z])(?:over|more\s+than|lebih\s+dari)\s+{_STATED_NUMBER}\s*\+?\s*{_STATED_UNIT}",
        # "5+ years"
        rf"{_STATED_NUMBER}\s*\+\s*{_STATED_UNIT}",
        # "5 years of professional experience", "4 tahun pengalaman"
        rf"{_STATED_NUMBER}\s*{_STATED_UNIT}\s+(?:of\s+)?(?:[a-z]+\s+){{0,2}}?(?:experience|(?:ber)?pengalaman)",
        # "pengalaman 4 tahun", "Experience: 5 years", "pengalaman kerja selama 4 tahun"
        rf"(?<![a-z])(?:experience|pengalaman)\W+(?:[a-z]+\W+){{0,2}}?{_STATED_NUMBER}\s*\+?\s*{_STATED_UNIT}",
    )
)


@dataclass(frozen=True)
class DateRange:
    """A period found in CV text, at month precision."""

    start: date  # first day of the start month
    end: date  # first day of the end month (the reference month for "present")
    text: str  # the matched text, as found


@dataclass(frozen=True)
class ExperienceEstimate:
    """Years of experience and the periods it was computed from."""

    years: float  # union of all ranges, in years, rounded to 1 decimal
    ranges: tuple[DateRange, ...]  # accepted ranges, in text order


def estimate_experience(text: str, *, today: date | None = None, stated_years: bool = True) -> ExperienceEstimate:
    """Estimates years of experience from the date ranges in ``text``.

    Counting rules:
      * Months are counted inclusively: "Jan 2020 - Jan 2020" is one month and
        "Jan 2018 - Dec 2020" is 36 months.
      * A year-only start means January, a year-only end means December, so
        "2018 - 2023" is Jan 2018 - Dec 2023 = 72 months = 6.0 years.
      * Open ends (present, now, sekarang, saat ini, ...) and "sejak/since 2019"
        mean the month of ``today``. "Maret - Mei 2022" takes the start year
        from the end.
      * An end after the current month (a contract "2024 - 2027", or a year-only
        end in the current year) is cut at the current month. Ranges that start
        in the future, end before they start, end more than 10 years ahead or span
        more than 50 years are ignored.
      * Overlapping ranges are merged before counting.
      * The total is months / 12 rounded half up to one decimal.

    Ranges that are not work are skipped, so the whole CV text can be passed when
    it has no experience section (and misplaced lines in one do no harm):
      * any range on a line that gives a birth date (Lahir, TTL, Date of Birth,
        [BIRTHDATE], ...);
      * schooling: a range whose line names a school, a degree or a study detail
        (SMK, Universitas, S1, Jurusan, IPK, ...) and no job (Guru, Staff, PT,
        Lecturer, ...). A range alone on its line is judged by the nearest text
        lines above and below it, where layouts put the school or employer name.

    Args:
        text: CV text, or the experience section of it.
        today: Reference date for open ends and the future check; defaults to today.
        stated_years: When no range is found, fall back to an explicit statement
            such as "5+ years of experience" or "pengalaman 4 tahun".

    Returns:
        The estimate; 0.0 years and no ranges when nothing usable is found.
    """
    reference_month = (today or date.today()).replace(day=1)
    matches = _range_matches(text)
    masked = _masked(text, matches)
    ranges = tuple(
        date_range
        for match in matches
        if _is_work_range(masked, match) and (date_range := _parse_range(match, reference_month)) is not None
    )
    if ranges:
        return ExperienceEstimate(years=_round_months_to_years(_union_months(ranges)), ranges=ranges)
    if stated_years and (years := _stated_years(text)) is not None:
        return ExperienceEstimate(years=years, ranges=())
    return ExperienceEstimate(years=0.0, ranges=())


def _range_matches(text: str) -> list[re.Match[str]]:
    """Every range in text order; a match overlapping one of a higher-priority pattern is dropped."""
    kept: list[re.Match[str]] = []
    taken = bytearray(len(text))
    for pattern in _RANGE_PATTERNS:
        for match in pattern.finditer(text):
            if not any(taken[match.start() : match.end()]):
                kept.append(match)
                taken[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    return sorted(kept, key=lambda match: match.start())


def _masked(text: str, matches: list[re.Match[str]]) -> str:
    # Blanking every range (same length, newlines kept) lets a line be judged by its
    # other words, and shows which lines hold nothing but dates.
    chars = list(text)
    for match in matches:
        for index in range(match.start(), match.end()):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)


def _is_work_range(masked: str, match: re.Match[str]) -> bool:
    own = _lines_around(masked, match.start(), match.end())
    if _BIRTH_LINE.search(own):
        return False
    above, below = _nearest_text_line(masked, match.start(), -1), _nearest_text_line(masked, match.end(), 1)
    context = own if _WORD.search(own) else f"{above}\n{own}\n{below}"
    if _WORKPLACE_WORDS.search(context):
        return True
    if _SCHOOLING_WORDS.search(context) or _EDUCATION_HEADING.search(context) or _education_mentions(context):
        return False
    if _opens_with_institution(context):
        # An institution alone may be the employer, with the role on the line below
        # ("Coding Academy" over "Junior Developer").
        return _WORKPLACE_WORDS.search(below) is not None
    return True


def _opens_with_institution(context: str) -> bool:
    return any(
        _INSTITUTION_WORDS.search(first.group(1))
        for line in context.split("\n")
        if (first := _FIRST_SEGMENT.match(line.strip()))
    )


def _lines_around(text: str, start: int, end: int) -> str:
    """The full lines that text[start:end] touches."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return text[line_start : line_end if line_end != -1 else len(text)]


def _nearest_text_line(masked: str, offset: int, step: int) -> str:
    """The closest line above (step -1) or below (step 1) that has words, skipping date-only lines."""
    if step < 0:
        end = masked.rfind("\n", 0, offset)
        while end != -1:
            start = masked.rfind("\n", 0, end) + 1
            if _WORD.search(masked, start, end):
                return masked[start:end]
            end = start - 1
    else:
        start = masked.find("\n", offset)
        while start != -1:
            end = masked.find("\n", start + 1)
            line = masked[start + 1 : end if end != -1 else len(masked)]
            if _WORD.search(line):
                return line
            start = end
    return ""


def _parse_range(match: re.Match[str], reference_month: date) -> DateRange | None:
    groups = match.groupdict()
    if shared_month := groups.get("shared_start_month"):
        end = date(_year(groups["end_month_name_year"]), _month_number(groups["end_month_name"]), 1)
        start_month = _month_number(shared_month)
        # "November - Februari 2021" crosses New Year.
        start = date(end.year - (start_month > end.month), start_month, 1)
    else:
        start_year, start_month_or_none = _date_parts(groups, "start")
        start = date(start_year, start_month_or_none or 1, 1)
        if groups.get("open_end") or groups.get("to_date") or match.re is _SINCE_PATTERN:
            end = reference_month
        else:
            end_year, end_month = _date_parts(groups, "end")
            end = date(end_year, end_month or 12, 1)
    if _month_index(end) - _month_index(reference_month) > _MAX_FUTURE_MONTHS:
        return None
    end = min(end, reference_month)
    if not start <= end or _month_index(end) - _month_index(start) + 1 > _MAX_RANGE_MONTHS:
        return None
    return DateRange(start=start, end=end, text=match.group(0))


def _date_parts(groups: dict[str, Any], prefix: str) -> tuple[int, int | None]:
    """Returns (year, month) of one side of a range; month is None for a bare year."""
    if name := groups.get(f"{prefix}_month_name"):
        return _year(groups[f"{prefix}_month_name_year"]), _month_number(name)
    if number := groups.get(f"{prefix}_month_number"):
        return _year(groups[f"{prefix}_month_number_year"]), int(number)
    if year := groups.get(f"{prefix}_year_first"):
        return _year(year), int(groups[f"{prefix}_year_first_month"])
    return _year(groups[f"{prefix}_year"]), None


def _month_number(name: str) -> int:
    return _MONTH_NUMBERS[name.lower().rstrip(".").translate(_OCR_MONTH_CHARS)]


def _year(raw: str) -> int:
    return int(raw.translate(_OCR_YEAR_CHARS))


def _month_index(day: date) -> int:
    return day.year * _MONTHS_PER_YEAR + day.month - 1


def _union_months(ranges: tuple[DateRange, ...]) -> int:
    # Inclusive months become half-open [first, last + 1) so lengths are plain
    # differences and back-to-back jobs merge instead of leaving a gap.
    intervals = sorted((_month_index(r.start), _month_index(r.end) + 1) for r in ranges)
    total = 0
    current_start, current_end = intervals[0]
    for start, end in intervals[1:]:
        if start > current_end:
            total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    return total + current_end - current_start


def _round_months_to_years(months: int) -> float:
    # Integer half-up rounding: round() on floats would turn 3.25 into 3.2.
    tenths = (months * 10 + _MONTHS_PER_YEAR // 2) // _MONTHS_PER_YEAR
    return tenths / 10


def _stated_years(text: str) -> float | None:
    # Several statements ("5+ years overall, 2 years in Go") mean the largest is the total.
    stated = [
        value
        for pattern in _STATED_YEARS_PATTERNS
        for match in pattern.finditer(text)
        if 0 < (value := float(match.group(1).replace(",", "."))) <= _MAX_STATED_YEARS
    ]
    return max(stated) if stated else None


# --------------------------------------------------------------------------- #
# Education
# --------------------------------------------------------------------------- #


class EducationLevel(IntEnum):
    """Indonesian education levels, ordered so that max()/min() compare them."""

    SMA = 1  # SMA/SMK/MA/STM, high school
    D3 = 2  # D1-D3, Diploma I-III, associate degree, Ahli Madya (A.Md.)
    S1 = 3  # S1, D4, Sarjana (Terapan), bachelor, S.Kom./S.E./..., dr. (medical)
    S2 = 4  # S2, Magister, master, MBA, M.Sc./M.Kom./...
    S3 = 5  # S3, Doktor, PhD, Doctor of Philosophy


@dataclass(frozen=True)
class EducationFact:
    """An education level and the phrase it was read from."""

    level: EducationLevel
    text: str  # the matched phrase


def _level_pattern(*alternatives: str) -> re.Pattern[str]:
    # Case-insensitive by default; title abbreviations opt out with (?-i:...)
    # because their capitalisation is what tells "S.E." from ordinary words.
    return re.compile("|".join(alternatives), re.IGNORECASE)


# "S.E.", "M.M." and friends are also how initials are written ("M.A. Rahman"),
# so single-letter titles only count after a comma, the way they follow a name.
_AFTER_COMMA = r"(?:(?<=,)|(?<=,\s))"
# ... or at the end of a name line without the comma: "Andi Wijaya S.T.".
_AFTER_NAME = r"(?<=[A-Za-z]\s)"
_END_OF_NAME = r"(?=[ \t]*(?:\n|$|[,;)]))"
_TOKEN_START = r"(?<![a-z0-9])"
_TOKEN_END = r"(?![a-z0-9]|\.[a-z0-9])"
_TITLE_START = r"(?<![A-Za-z.])"
_TITLE_END = r"\.?(?![A-Za-z])"

_EDUCATION_PATTERNS: tuple[tuple[EducationLevel, re.Pattern[str]], ...] = (
    (
        EducationLevel.SMA,
        _level_pattern(
            # "SMAN"/"SMKN" abbreviate "SMA/SMK Negeri"; "STM32" stays out via the digit guard.
            rf"{_TOKEN_START}(?:sma|smu|smk|stm|smea|smak)n?{_TOKEN_END}",
            r"(?<!junior\s)(?<![a-z])(?:senior\s+)?high\s+school",
            r"sekolah\s+menengah\s+(?:atas|kejuruan)",
            # "Alyah" and "Aliah" are common misspellings.
            r"madrasah\s+al(?:iy|y|i)ah",
            # Bare "MA" is too common a token (and also Master of Arts); "MAN 2 Yogyakarta",
            # "MA Negeri", "MA MIPA" (a high-school stream) and "lulusan MA" are safe.
            r"(?-i:\bMAN)\s+\d+\b",
            r"(?-i:\bMA)\s+(?:Negeri|NEGERI|Swasta|SWASTA|MIPA|IPA|IPS)\b",
            r"(?<![a-z])lulusan\s+(?-i:MA)\b",
            # General Educational Development, the US high-school equivalency.
            r"(?-i:(?<![A-Za-z])GED(?![A-Za-z]))",
            r"(?<![a-z])paket\s+c(?![a-z])",
        ),
    ),
    (
        EducationLevel.D3,
        _level_pattern(
            # Roman "D I" is left out: "D.I. Yogyakarta"/"DI Yogyakarta" is an address.
            # Not inside a product code such as "XR-D3" or "D3-4455".
            rf"(?<![a-z0-9]-){_TOKEN_START}d[-.\s]?[123]{_TOKEN_END}(?!-[a-z]?\d)",
            r"(?-i:(?<![A-Za-z])D[-.\s]?(?:III|II)(?![A-Za-z0-9]))",
            r"(?<![a-z])diploma[-\s]?(?:iii|ii|i|[123]|satu|dua|tiga)(?![a-z0-9])",
            r"(?<!school\s)(?<![a-z])diploma(?![a-z])(?![-\s]*(?:iv|4|empat)(?![a-z0-9]))",
            r"(?<![a-z])associate(?:'s|\u2019s)?\s+(?:degree|of\s+(?:arts|science|applied))",
            r"(?<![a-z])ahli\s+madya",
            r"(?<![a-z])sarjana\s+muda",
            r"(?-i:(?<![A-Za-z.])A\.\s?Md(?:\.[A-Z][A-Za-z]{0,5})*\.?(?![A-Za-z]))",
        ),
    ),
    (
        EducationLevel.S1,
        _level_pattern(
            rf"{_TOKEN_START}s[-.\s]?1{_TOKEN_END}",
            r"(?<![a-z])strata[-\s]?(?:1|satu|i)(?![a-z0-9])",
            rf"{_TOKEN_START}d[-.\s]?(?:iv|4){_TOKEN_END}",
            r"(?<![a-z])diploma[-\s]?(?:iv|4|empat)(?![a-z0-9])",
            r"(?<![a-z])(?<!pasca\s)(?<!pasca-)sarjana(?!\s+muda)(?:\s+terapan)?",
            r"(?<![a-z])bachelor(?:'s|\u2019s|s)?(?![a-z])",
            r"(?<![a-z])undergraduate\s+degree",
            r"(?<![a-z])(?:(?:pendidikan|profesi)\s+dokter|doctor\s+of\s+medicine|medical\s+doctor)",
            rf"(?-i:{_TITLE_START}(?:B\.?\s?(?:Sc|Eng|Tech|Com|Ed|Arch|Econ)|BBA|B\.B\.A){_TITLE_END})",
            rf"(?-i:{_AFTER_COMMA}B\.[AES]\.?(?![A-Za-z])|(?<![A-Za-z.])B\.[AS]\.(?=\s+in\s))",
            # Indonesian bachelor titles written after a name: "Budi, S.Kom."
            rf"(?-i:{_TITLE_START}S\.(?:Tr\.\s?[A-Z][A-Za-z]*|I\.\s?Kom|I\.P|Kom|Ked|Kep|Keb|Pd|Si|Sos|Psi|Farm|Ak"
            rf"|IP|Hum|Gz|KM|K\.M|Pt|Ag|Ds|Sn|Stat|Mat|Ars|Pi|Hut|TP|Th|Kel){_TITLE_END})",
            rf"(?-i:{_AFTER_COMMA}S\.[ETHPS]\.?(?![A-Za-z])|{_AFTER_NAME}S\.[ETHPS]\.{_END_OF_NAME})",
            # Lowercase "dr." is the Indonesian medical title, earned with an S1 degree.
            r"(?-i:(?<![A-Za-z])drg?\.(?=\s*[A-Z]))",
        ),
    ),
    (
        EducationLevel.S2,
        _level_pattern(
            rf"{_TOKEN_START}s[-.\s]?2{_TOKEN_END}",
            r"(?<![a-z])strata[-\s]?(?:2|dua|ii)(?![a-z0-9])",
            r"(?<![a-z])magister(?![a-z])",
            r"(?<![a-z])pasca[-\s]?sarjana",
            r"(?<![a-z])post[-\s]?graduate",
            # "Master" alone is a job title or a verb ("Scrum Master", "master data",
            # "mastered"), so it needs degree wording around it.
            r"(?<![a-z])master(?:'s|\u2019s)(?![a-z])",
            r"(?<![a-z])masters?\s+(?:degree|program(?:me)?|(?:in|of(?!\s+ceremon))(?=\s+[a-z]))",
            rf"(?-i:{_TITLE_START}(?:MBA|M\.B\.A|MSc|MEng|MPhil|MPH|M\.\s?(?:Sc|Eng|Tech|Com|Ed|Phil|PH)){_TITLE_END})",
            rf"(?-i:{_TITLE_START}M\.(?:Tr\.\s?[A-Z][A-Za-z]*|I\.\s?Kom|Kom|Kes|Kep|Keb|Pd|Si|Sos|Psi|Farm|Ak|Hum|Gz"
            rf"|KM|Ag|Ds|Sn|Stat|Ars|Biomed|Kn|Pt){_TITLE_END})",
            rf"(?-i:{_AFTER_COMMA}M\.[AEHMPST]\.?(?![A-Za-z])|{_AFTER_NAME}M\.[AEHMPST]\.{_END_OF_NAME})",
            rf"(?-i:(?<![A-Za-z.])M\.[AS]\.(?=\s+in\s))",
        ),
    ),
    (
        EducationLevel.S3,
        _level_pattern(
            rf"{_TOKEN_START}s[-.\s]?3{_TOKEN_END}",
            r"(?<![a-z])strata[-\s]?(?:3|tiga|iii)(?![a-z0-9])",
            r"(?<![a-z])doktor(?:al)?(?![a-z])",
            r"(?<![a-z])doctor(?:al)?\s+(?:degree|program(?:me)?)|(?<![a-z])doctorate",
            r"(?<![a-z])doctor\s+of\s+(?!medicine)[a-z]+",
            r"(?<![a-z])ph\.?\s?d(?![a-z])\.?",
        ),
    ),
)

# "S3" is also Amazon's storage service, which IT CVs list far more often than doctorates.
_CLOUD_CONTEXT = re.compile(
    r"\b(?:aws|amazon|ec2|bucket|lambda|cloud|minio|storage|glacier|azure|gcp|gcs|postgres(?:ql)?|mysql|kafka|redis"
    r"|docker|kubernetes|terraform)\b",
    re.IGNORECASE,
)
_BARE_S3 = re.compile(r"s[-.\s]?3", re.IGNORECASE)


def detect_education(text: str) -> EducationFact | None:
    """Finds the highest education level mentioned in CV text.

    "dr." (lowercase, the Indonesian medical title) counts as S1. "Dr." is not
    read as a degree by itself: CVs name referees and supervisors that way, and
    it is ambiguous between a physician and a doctorate. A doctorate needs
    explicit wording (S3, Doktor, PhD, Doctor of Philosophy, ...).

    Args:
        text: CV text.

    Returns:
        The highest level and the phrase it came from (the first such phrase when
        the level appears more than once), or None when no level is found.
    """
    facts = _education_mentions(text)
    if not facts:
        return None
    _, best = max(facts, key=lambda offset_fact: (offset_fact[1].level, -offset_fact[0]))
    return best


def parse_education_requirement(text: str) -> EducationLevel | None:
    """Reads the minimum education level from a job requirement.

    A requirement that names several levels ("S1/S2", "D3/S1", "Minimal S1,
    diutamakan S2") accepts the lowest of them, so that is the one returned.

    Args:
        text: Requirement text such as "Pendidikan minimal D3 Keperawatan".

    Returns:
        The lowest level named, or None when no level is named.
    """
    levels = [fact.level for _, fact in _education_mentions(text)]
    return min(levels) if levels else None


def _education_mentions(text: str) -> list[tuple[int, EducationFact]]:
    """Every level mention as (offset, fact)."""
    return [
        (match.start(), EducationFact(level=level, text=match.group(0).strip()))
        for level, pattern in _EDUCATION_PATTERNS
        for match in pattern.finditer(text)
        if not (level is EducationLevel.S3 and _is_cloud_storage_mention(text, match))
    ]


def _is_cloud_storage_mention(text: str, match: re.Match[str]) -> bool:
    if not _BARE_S3.fullmatch(match.group(0).strip()):
        return False
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    line = text[line_start : line_end if line_end != -1 else len(text)]
    return _CLOUD_CONTEXT.search(line) is not None
