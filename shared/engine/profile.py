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
        rf"|(?:\d{{1,2}}[/.-])?(?P<{prefix}_month_number>{_MONTH_NUMBER})[/.-](?P<{prefix}_month_number_year>{_YEAR})"
        # "2020/06"
        rf"|(?P<{prefix}_year_first>{_YEAR})[/-](?P<{prefix}_year_first_month>{_MONTH_NUMBER})"
        rf"|(?P<{prefix}_year>{_YEAR})"
        ")"
    )


_OPEN_END_WORD = r"(?:present|now|current(?:ly)?|today|ongoing|sekarang|saat\s+ini|kini)"
_CONNECTOR = r"(?:to|until|till|up\s+to|hingga|sampai(?:\s+dengan)?|s\s?/\s?d|s\.\s?d\.?)"
_SEPARATOR = rf"\s*(?:[-\u2010-\u2015\u2212~]+|(?<![a-z]){_CONNECTOR}(?![a-z]))\s*"
_OPEN_END = rf"(?:{_CONNECTOR}\s+)?{_OPEN_END_WORD}|to\s+date"

_DATE_RANGE_PATTERN = re.compile(
    # The guards keep phone numbers ("0812-2019-2020") and longer numbers out.
    rf"(?<![\w/.-]){_date_token('start')}"
    rf"(?:{_SEPARATOR}(?:(?P<open_end>{_OPEN_END})|{_date_token('end')})|\s+(?P<to_date>to\s+date))"
    r"(?!\w|[/.-]\d)",
    re.IGNORECASE,
)

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
        "2018 - 2023" is Jan 2018 - Dec 2023 = 72 months = 6.0 years. A year-only
        end in the current year stops at the current month instead.
      * Open ends (present, now, sekarang, saat ini, ...) mean the month of ``today``.
      * Overlapping ranges are merged before counting. Ranges that end before they
        start, end after the current month, or span more than 50 years are ignored.
      * The total is months / 12 rounded half up to one decimal.

    Every range in the text counts, education ones included: pass only the
    experience section when the CV has one.

    Args:
        text: CV text, or the experience section of it.
        today: Reference date for open ends and the future check; defaults to today.
        stated_years: When no range is found, fall back to an explicit statement
            such as "5+ years of experience" or "pengalaman 4 tahun".

    Returns:
        The estimate; 0.0 years and no ranges when nothing usable is found.
    """
    reference_month = (today or date.today()).replace(day=1)
    ranges = tuple(
        date_range
        for match in _DATE_RANGE_PATTERN.finditer(text)
        if (date_range := _parse_range(match, reference_month)) is not None
    )
    if ranges:
        return ExperienceEstimate(years=_round_months_to_years(_union_months(ranges)), ranges=ranges)
    if stated_years and (years := _stated_years(text)) is not None:
        return ExperienceEstimate(years=years, ranges=())
    return ExperienceEstimate(years=0.0, ranges=())


def _parse_range(match: re.Match[str], reference_month: date) -> DateRange | None:
    start_year, start_month = _date_parts(match, "start")
    start = date(start_year, start_month or 1, 1)
    if match["open_end"] or match["to_date"]:
        end = reference_month
    else:
        end_year, end_month = _date_parts(match, "end")
        if end_month is None:
            # A year-only end in the current year means "until some point this
            # year", which cannot be later than now.
            end = reference_month if end_year == reference_month.year else date(end_year, 12, 1)
        else:
            end = date(end_year, end_month, 1)
    if not start <= end <= reference_month or _month_index(end) - _month_index(start) + 1 > _MAX_RANGE_MONTHS:
        return None
    return DateRange(start=start, end=end, text=match.group(0))


def _date_parts(match: re.Match[str], prefix: str) -> tuple[int, int | None]:
    """Returns (year, month) of one side of a range; month is None for a bare year."""
    if name := match[f"{prefix}_month_name"]:
        month_key = name.lower().rstrip(".").translate(_OCR_MONTH_CHARS)
        return _year(match[f"{prefix}_month_name_year"]), _MONTH_NUMBERS[month_key]
    if number := match[f"{prefix}_month_number"]:
        return _year(match[f"{prefix}_month_number_year"]), int(number)
    if year := match[f"{prefix}_year_first"]:
        return _year(year), int(match[f"{prefix}_year_first_month"])
    return _year(match[f"{prefix}_year"]), None


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
            r"madrasah\s+aliyah",
            # Bare "MA" is too common a token; "MAN 2 Yogyakarta" is safe.
            r"(?-i:\bMAN)\s+\d+\b",
            r"(?<![a-z])paket\s+c(?![a-z])",
        ),
    ),
    (
        EducationLevel.D3,
        _level_pattern(
            # Roman "D I" is left out: "D.I. Yogyakarta"/"DI Yogyakarta" is an address.
            rf"{_TOKEN_START}d[-.\s]?[123]{_TOKEN_END}",
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
            rf"(?-i:{_AFTER_COMMA}S\.[ETHPS]\.?(?![A-Za-z]))",
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
            rf"(?-i:{_AFTER_COMMA}M\.[AEHMPST]\.?(?![A-Za-z]))",
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
    r"\b(?:aws|amazon|ec2|bucket|lambda|cloud|minio|storage|glacier|azure|gcp|gcs)\b", re.IGNORECASE
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
