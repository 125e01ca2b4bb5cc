"""Blind screening: find the personal attributes a CV states and take them out before scoring.

Indonesian CVs routinely state gender, religion, marital status, birth date and place, age,
height and weight, ethnicity and nationality, with a photo; none of that may change a score.
This stage recognises them as form fields (`Agama : Islam`, `Jenis Kelamin Perempuan`, several
on one line) and in prose ("Saya lahir di Medan pada 3 Mei 1997, beragama Kristen"), and the
candidate's name wherever it is written. It reports the kinds found, never their values.

Standard library only: the API imports the vocabulary.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The fixed vocabulary of kinds, in the order results list them.
KINDS = (
    "name",
    "photo",
    "gender",
    "religion",
    "marital_status",
    "birth_date",
    "birth_place",
    "age",
    "height_weight",
    "ethnicity",
    "nationality",
)

_MONTHS = (
    r"jan(?:uari|uary)?|feb(?:ruari|ruary)?|mar(?:et|ch)?|apr(?:il)?|mei|may|jun[ei]?|jul[iy]?|agu(?:stus)?|aug(?:ust)?|"
    r"sep(?:tember)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|des(?:ember)?|dec(?:ember)?"
)
_GENDER_WORDS = r"laki[- ]?laki|perempuan|pria|wanita|male|female|man|woman"
_GENDER_VALUES = _GENDER_WORDS + r"|l|p"  # "Jenis Kelamin : L"
_ETHNIC_VALUES = (
    r"jawa|sunda|batak|minang(?:kabau)?|bugis|betawi|melayu|madura|bali|dayak|aceh|ambon|toraja|tionghoa|banjar|sasak|"
    r"minahasa|manado|makassar|nias|lampung|palembang|gorontalo|javanese|sundanese|balinese|buginese|acehnese|madurese|"
    r"malay|chinese(?:-indonesian)?"
)
_RELIGION_VALUES = (
    r"islam|muslim(?:ah)?|kristen(?: protestan| katolik)?|protestan(?:t)?|katolik|katholik|catholic|christian|"
    r"hindu|buddha|budha|buddhist|konghucu|khonghucu|confucian"
)
_MARITAL_VALUES = (
    r"(?:belum|sudah|telah|tidak)\s+(?:menikah|kawin)|menikah|kawin|lajang|single|married|unmarried|divorced|widowed|"
    r"cerai(?:\s+(?:hidup|mati))?|janda|duda|bujang"
)
# A line that is nothing but such a value, as form layouts leave them below their labels (": Perempuan").
_VALUE_LINE = re.compile(
    rf"^\s*:?\s*(?:(?P<gender>(?:{_GENDER_WORDS}))|(?P<religion>{_RELIGION_VALUES})|"
    rf"(?P<marital_status>{_MARITAL_VALUES})|(?P<nationality>wni|wna|warga negara indonesia))\s*\.?\s*$",
    re.IGNORECASE,
)

@dataclass(frozen=True)
class _Label:
    """A form label and the kinds it names.

    A label with a `value` is an ordinary word too ("Gender equality", "Status: Karyawan tetap",
    "Tinggi" in "Perguruan Tinggi"): it counts only with a value of its kind.
    """

    pattern: str
    kinds: tuple[str, ...]
    value: str | None = None  # the value it needs without a colon (a regex); None accepts any value
    always: bool = False  # the value is needed even after a colon ("Status: Karyawan tetap" is not marital)


_NUMBER_CM = r"\d{2,3}(?:[.,]\d)?\s*(?:cm|kg|lbs?)\b.*"
_AGE_VALUE = r"\d{1,2}\s*(?:tahun|thn|th|years?(?:\s+old)?|yrs?|y\.?o\.?)?\b.*"
# Longer labels come first so that "Tinggi Badan" wins over "Tinggi".
_LABELS = (
    _Label(r"tempat\s*(?:[/,&]|dan|\s)\s*(?:tanggal|tgl\.?)\s*lahir", ("birth_place", "birth_date")),
    _Label(r"(?:tanggal|tgl\.?)\s*(?:[/,&]|dan|\s)\s*tempat\s*lahir", ("birth_date", "birth_place")),
    _Label(r"(?:date|place)\s+(?:and|&)\s+(?:date|place)\s+of\s+birth", ("birth_place", "birth_date")),
    _Label(r"ttl", ("birth_place", "birth_date")),
    _Label(r"(?:tanggal|tgl\.?)\s*lahir|date\s+of\s+birth|birth\s*date|d\.?o\.?b\.?|tanggal\s+kelahiran", ("birth_date",)),
    _Label(r"tempat\s*lahir|place\s+of\s+birth|birth\s*place|tempat\s+kelahiran", ("birth_place",)),
    _Label(r"jenis\s*kelamin", ("gender",)),
    _Label(r"gender|sex|kelamin", ("gender",), _GENDER_VALUES),
    _Label(r"status\s+(?:pernikahan|perkawinan|pribadi|sipil|marital)|marital\s+status|civil\s+status", ("marital_status",)),
    _Label(r"status|marital|perkawinan|pernikahan", ("marital_status",), _MARITAL_VALUES, always=True),
    _Label(r"agama|religion|kepercayaan", ("religion",), _RELIGION_VALUES),
    _Label(r"usia|umur|age", ("age",), _AGE_VALUE),
    _Label(
        r"tinggi\s*(?:/|dan|&)\s*berat(?:\s*badan)?|tinggi\s+badan|berat\s+badan|tb\s*/\s*bb|height\s*(?:/|and|&)\s*weight|"
        r"body\s+(?:height|weight)",
        ("height_weight",),
    ),
    _Label(r"tinggi|berat|height|weight|tb|bb", ("height_weight",), _NUMBER_CM, always=True),
    _Label(r"ethnicity|ethnic\s+group|etnis", ("ethnicity",)),
    # "Suku cadang" (spare parts) is a warehouse's daily work: "Suku" needs an ethnic group after it.
    _Label(r"suku(?:\s+bangsa)?", ("ethnicity",), _ETHNIC_VALUES, always=True),
    _Label(r"kewarganegaraan|warga\s*negara|nationality|citizenship", ("nationality",)),
    _Label(r"nama(?:\s+(?:lengkap|panggilan))?|full\s+name|name", ("name",)),
)
# Bilingual labels are written "Jenis Kelamin / Gender" or "Agama / Religion": alternatives of one field.
_ANY_LABEL = "|".join(f"(?:{label.pattern})" for label in _LABELS)
_LABEL_RUN = rf"(?:{_ANY_LABEL})(?:\s*/\s*(?:{_ANY_LABEL}))*"
_FIELD_START = re.compile(rf"(?<![\w/])(?P<label>{_LABEL_RUN})(?![\w])(?P<sep>\s*[:=]\s*|\t+\s*|\s{{2,}}|\s+|\s*$)", re.IGNORECASE)
_LABEL_ONLY = re.compile(rf"^\s*(?:[-*]\s*)?(?P<label>{_LABEL_RUN})\s*:?\s*$", re.IGNORECASE)
# Where a field's value ends: at the next personal label with a colon (or after a tab, in a raw
# table row), or at the next one-word label with one ("Email:", "Telepon :"; a longer one would
# take capitalised values with it: "Belum Menikah Email:").
_NEXT_PERSONAL_FIELD = re.compile(rf"\s(?=(?:{_LABEL_RUN})\s*:)|\t(?=(?:{_LABEL_RUN})\b)", re.IGNORECASE)
_NEXT_OTHER_FIELD = re.compile(r"\s(?=[A-Z][\w.]*\s*:)")
_SEGMENT_SEPARATOR = re.compile(r"\s*[|•·●▪]\s*|\s+-\s+")
_PHOTO_LINE = re.compile(r"^[\W_]*(?:pas\s*)?(?:foto|photo|photograph|pas\s+photo)(?:\s+(?:terbaru|diri|profil|profile))?[\W_]*$", re.IGNORECASE)
_PHOTO_TOKEN = re.compile(r"\[\s*(?:pas\s*)?(?:foto|photo)[^\]]{0,20}\]", re.IGNORECASE)

# Prose: cues that by themselves say a clause states a personal attribute ...
_STRONG_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        # "bayi baru lahir" (newborn) and "melahirkan" (give birth) are a midwife's work, not a birth.
        ("birth_place", r"(?<!baru )\blahir\s+(?:dan\s+besar\s+)?di\b|\bborn\s+(?:and\s+raised\s+)?in\s+(?-i:[A-Z])|\bkelahiran\s+(?-i:[A-Z])"),
        ("birth_date", rf"(?<!baru )\blahir\s+(?:di\s+\w+(?:\s+\w+)?\s+)?(?:pada\s+)?(?:tanggal\s+|tahun\s+)?\d|"
                       rf"\bborn\s+(?:on|in)\s+(?:\d|(?:{_MONTHS})\b)|\bborn\b.{{0,40}}\b(?:19|20)\d\d\b|"
                       r"(?<!baru )\blahir\b.{0,40}\b(?:19|20)\d\d\b"),
        ("religion", r"\bberagama\s+\w+|\bagama\s+saya\b|\bmy\s+religion\b|"
                     rf"\b(?:a|an|seorang)\s+(?:devout\s+|practising\s+|practicing\s+)?(?:{_RELIGION_VALUES})\b(?!\s+(?:school|university|universitas|sekolah|bank))"),
        ("marital_status", r"\b(?:belum|sudah|telah|tidak)\s+(?:menikah|kawin|berkeluarga)\b|\bberstatus\s+(?:menikah|lajang|single|kawin|janda|duda)\b|"
                           r"\b(?:married|unmarried|divorced|widowed)\b|\bi\s+am\s+single\b|\bberkeluarga\b"),
        ("age", r"\b\d{2}[-\s]years?[-\s]old\b|\baged\s+\d{2}\b|\b(?:berusia|berumur)\s+\d{2}\b|"
                r"\b(?:usia|umur)\s+saya\s+(?:adalah\s+|saat\s+ini\s+)?\d{2}\b|\bi\s+am\s+\d{2}\b(?!\s*(?:cm|kg|%))"),
        ("gender", rf"\b(?:saya|aku)\s+(?:adalah\s+)?(?:seorang\s+)?(?:{_GENDER_WORDS})\b|"
                   r"\bi\s+am\s+an?\s+(?:\S+\s+){0,3}?(?:woman|man|female|male)\b"),
        ("ethnicity", rf"\b(?:bersuku|suku(?:\s+bangsa)?|keturunan|ethnically|ethnic)\s+(?:{_ETHNIC_VALUES})\b|\bof\s+(?-i:[A-Z])\w+\s+(?:descent|ethnicity)\b"),
        ("nationality", r"\bberkewarganegaraan\b|\bwarga\s+negara\s+(?-i:[A-Z])|\b(?:indonesian|malaysian)\s+(?:national|citizen)\b|\bWNI\b"),
        ("height_weight", r"\b(?:tinggi|berat)\s+badan\b|\b(?:height|weight)\s+(?:of\s+)?\d{2,3}\s*(?:cm|kg)\b|\b\d{3}\s*cm\b.{0,20}\b\d{2,3}\s*kg\b"),
    )
)
# ... and words that state one only inside a sentence that already states another ("a married Muslim woman").
_WEAK_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("gender", r"\b(?:laki[- ]laki|perempuan|pria|wanita|woman|man|female|male|girl|boy)\b"),
        ("religion", rf"\b(?:{_RELIGION_VALUES})\b"),
        ("marital_status", r"\b(?:single|lajang|menikah|kawin)\b"),
        ("height_weight", r"\b\d{2,3}\s*(?:cm|kg)\b"),
        ("ethnicity", r"\b(?:javanese|sundanese|balinese|batak|minang(?:kabau)?|bugis|betawi|tionghoa|madurese|acehnese)\b"),
    )
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_SEPARATOR = re.compile(r"(\s*[,;]\s*|\s+(?:dan|serta|and)\s+)", re.IGNORECASE)
# A clause that only continues the value of the one before it: "born in Surabaya, East Java, 1997".
_CONTINUATION = re.compile(rf"^(?:(?:[A-Z][\w'-]*|\d{{1,4}}|(?i:{_MONTHS}|tahun|on|in|pada|tanggal))\s*){{1,5}}$")
# What is left of a sentence whose attributes were taken out, when nothing of substance remains.
_FILLER = {"saya", "aku", "i", "am", "a", "an", "adalah", "seorang", "yang", "and", "dan", "serta", "my", "is", "the", "juga"}
_WORD = re.compile(r"[^\W\d_]+")
# What a person's name looks like: a few words of letters (with . ' -), no digits or sentence punctuation.
_NAME_LIKE = re.compile(r"^[^\W\d_][^\W\d_.'\- ]*(?:[ .'\-]+[^\W\d_][^\W\d_'\-]*){0,6}\.?$")
# The lines at the top of a CV where its owner's name, alone or in parts, is written.
_HEADER_LINES = 3


@dataclass(frozen=True)
class PersonalDataReport:
    """What a result says about personal data: whether it was removed, and the kinds the CV carried."""

    blind_screening: bool
    attributes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The HTTP contract's `personal_data` object."""
        return {"blind_screening": self.blind_screening, "attributes": list(self.attributes)}


@dataclass(frozen=True)
class Screened:
    """A CV text with its personal data taken out (or left in, when not removing), and the kinds found."""

    text: str
    kinds: tuple[str, ...]


def screen_personal_data(text: str, *, candidate_name: str | None = None, remove: bool = True) -> Screened:
    """Find the personal attributes and the candidate's name in a CV text and take them out.

    Args:
        text: a CV, already cleaned (`checked_cv_text`); raw text with tabs and `|` works too.
        candidate_name: every whole-word, case-insensitive occurrence of each of its words of three
            letters or more is removed (header, e-mail, "Nama: ..." line).
        remove: False only detects (research): the text comes back unchanged.

    Returns:
        The text without them (lines that held nothing else are dropped) and the kinds found, in
        `KINDS` order. Only removes: the result is never longer and screening it again changes nothing.
    """
    found: set[str] = set()
    kept: list[str] = []
    pending: list[tuple[str, ...]] = []  # labels of a form whose values come on later lines
    idle = 0
    for line in text.split("\n"):
        screened = _screen_line(line, found, pending)
        if screened is None:
            idle = 0
            continue
        idle += 1
        if idle > 3:  # a form's values follow its labels closely; later lines are something else
            pending.clear()
        kept.append(screened)
    # The name goes last: its words taken out of "Nama: Dewi" would leave a bare label that looks like a form's.
    screened = _without_name("\n".join(kept), candidate_name, found)
    kinds = tuple(kind for kind in KINDS if kind in found)
    return Screened(screened if remove else text, kinds)


def _without_name(text: str, candidate_name: str | None, found: set[str]) -> str:
    """The text without the candidate's name where a CV states who it is, its first lines and its e-mail addresses:
    written whole (also as an e-mail's "ni.luh.ayu@"), and each of its words of three letters or more (whole words,
    any case). Elsewhere its words are ordinary words ("Indah", "Bintang", or a job title a client sent as the name);
    a "Nama: ..." line goes as a form field. A `candidate_name` that is not a name (a sentence, an id) is not looked
    for; degrees after a comma are not part of it."""
    name = (candidate_name or "").split(",")[0].strip()  # "Budi Santoso, S.Kom.": the degrees after the comma are not the name
    if not _NAME_LIKE.match(name):
        return text
    every_word = _WORD.findall(name)
    words = {word.lower() for word in every_word if len(word) >= 3}
    if not words:
        return text
    # The whole name first, so that its short words go with it: "Ni" in "Ni Luh Ayu" says the bearer is a woman.
    whole = _whole_words(r"[\s._-]*".join(map(re.escape, every_word)))
    single = _whole_words("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    lines, seen_lines = [], 0
    for line in text.split("\n"):
        seen_lines += bool(line.strip())
        patterns = (whole, single) if seen_lines <= _HEADER_LINES or "@" in line else ()
        if not any(pattern.search(line) for pattern in patterns):
            lines.append(line)
            continue
        found.add("name")
        for pattern in patterns:
            line = pattern.sub("", line)
        tidy = _tidy(line)
        if tidy and _has_content(tidy):
            lines.append(tidy)
    return "\n".join(lines)


def _whole_words(alternatives: str) -> re.Pattern[str]:
    """A case-insensitive pattern for `alternatives` standing as whole words."""
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)


def _screen_line(line: str, found: set[str], pending: list[tuple[str, ...]]) -> str | None:
    """One line without its personal data; None when nothing else was on it."""
    if not line.strip():
        return line
    if _PHOTO_LINE.match(line):
        found.add("photo")
        return None
    if _PHOTO_TOKEN.search(line):
        found.add("photo")
        line = _tidy(_PHOTO_TOKEN.sub("", line))
        if not _has_content(line):
            return None
    label_only = _LABEL_ONLY.match(line)
    if label_only:
        label = _run_kinds(label_only.group("label"))
        if label.value is None or pending:  # a bare "Status" or "Age" counts only inside a form
            found.update(label.kinds)
            pending.append(label.kinds)
            return None
    value = _VALUE_LINE.match(line)
    if value:
        found.add(next(kind for kind, text in value.groupdict().items() if text))
        if pending:
            pending.pop(0)
        return None
    if pending and line.lstrip().startswith(":"):
        kinds = pending.pop(0)
        found.update(kinds)
        return None
    screened = _without_fields(line, found)
    if screened is None:
        return None
    return _without_prose_attributes(screened, found)


def _run_kinds(label: str) -> _Label:
    """A label run ("Jenis Kelamin / Gender", "Tempat/Tanggal Lahir") read as one label: its kinds and the value it needs.

    A run with one label that accepts any value accepts any value; a run of strict labels needs the first one's value.
    """
    whole = next((candidate for candidate in _LABELS if re.fullmatch(candidate.pattern, label.strip(), re.IGNORECASE)), None)
    if whole is not None:
        return whole
    parts = [
        next((c for c in _LABELS if re.fullmatch(c.pattern, part, re.IGNORECASE)), None) for part in re.split(r"\s*/\s*", label.strip())
    ]
    if all(part is not None for part in parts):
        labels = [part for part in parts if part is not None]
    else:  # a slash inside one of the labels ("Tempat/Tanggal Lahir / Place of birth"): every label it contains
        labels = [c for c in _LABELS if re.search(rf"(?<!\w)(?:{c.pattern})(?!\w)", label, re.IGNORECASE)]
    kinds = tuple(dict.fromkeys(kind for part in labels for kind in part.kinds))
    strict = [part for part in labels if part.value is not None]
    if len(strict) < len(labels) or not strict:
        return _Label(label, kinds)
    return _Label(label, kinds, strict[0].value, strict[0].always)


def _without_fields(line: str, found: set[str]) -> str | None:
    """A line without its personal form fields ("Agama : Islam", "Usia 27 tahun | Status Menikah"); None if nothing is left."""
    pieces = _SEGMENT_SEPARATOR.split(line)
    separators = _SEGMENT_SEPARATOR.findall(line)
    kept: list[str] = []
    removed_any = False
    for index, piece in enumerate(pieces):
        remaining = _segment_without_fields(piece, found)
        if remaining != piece:
            removed_any = True
        if _has_content(remaining):
            if kept:
                kept.append(separators[index - 1])
            kept.append(remaining)
    if not removed_any:
        return line
    result = _tidy("".join(kept))
    return result if _has_content(result) else None


def _segment_without_fields(segment: str, found: set[str]) -> str:
    """One segment without the personal fields in it: at its start in any form, further on only with a colon."""
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        match = _FIELD_START.search(segment, position)
        if match is None:
            break
        at_start = not segment[: match.start()].strip(" -*:")
        has_colon = ":" in match.group("sep") or "=" in match.group("sep")
        position = match.end() if match.end() > match.start() else match.start() + 1
        if not (at_start or has_colon):
            continue
        end = _value_end(segment, match.end())
        value = segment[match.end() : end].strip()
        label = _run_kinds(match.group("label"))
        # Without a colon (or a tab or a column of spaces, in raw text), a label is an ordinary word until its value says otherwise.
        loose = not has_colon and "\t" not in match.group("sep") and len(match.group("sep")) < 2
        if label.kinds == ("name",) and (loose or not at_start):
            continue  # "Nama perusahaan", "Company Name: ...": only a line's own "Nama: ..." is the candidate's
        if label.value is not None and (loose or label.always):
            if not value or not re.match(rf"(?:{label.value})(?!\w)", value, re.IGNORECASE):
                continue
        elif loose and not value:
            continue
        found.update(label.kinds)
        spans.append((match.start(), end))
        position = end
    if not spans:
        return segment
    kept, last = [], 0
    for start, end in spans:
        kept.append(segment[last:start])
        last = end
    kept.append(segment[last:])
    return _tidy(" ".join(kept))


def _value_end(segment: str, start: int) -> int:
    """Where a field's value that begins at `start` ends: before the next "Label:" or at the segment's end."""
    ends = [match.start() for pattern in (_NEXT_PERSONAL_FIELD, _NEXT_OTHER_FIELD) if (match := pattern.search(segment, start))]
    return min(ends, default=len(segment))


def _without_prose_attributes(line: str, found: set[str]) -> str | None:
    """A line without the clauses of its sentences that state personal attributes; None if nothing is left."""
    sentences = _SENTENCE_END.split(line)
    if not any(pattern.search(sentence) for sentence in sentences for _, pattern in _STRONG_CUES):
        return line
    kept = [screened for sentence in sentences if (screened := _sentence_without_attributes(sentence, found))]
    result = " ".join(kept)
    return result if _has_content(result) else None


def _sentence_without_attributes(sentence: str, found: set[str]) -> str | None:
    """A sentence without its clauses that state personal attributes, or None when none of substance is left."""
    if not any(pattern.search(sentence) for _, pattern in _STRONG_CUES):
        return sentence
    ending = re.search(r"[.!?]+$", sentence)
    body = sentence[: ending.start()] if ending else sentence
    parts = _CLAUSE_SEPARATOR.split(body)
    clauses, separators = parts[0::2], parts[1::2]
    drop = [False] * len(clauses)
    for index, clause in enumerate(clauses):
        kinds = [kind for kind, pattern in _STRONG_CUES + _WEAK_CUES if pattern.search(clause)]
        if kinds:
            found.update(kinds)
            drop[index] = True
        elif index and drop[index - 1] and _CONTINUATION.match(clause.strip()):
            drop[index] = True
    pieces: list[str] = []
    for index, clause in enumerate(clauses):
        if drop[index]:
            continue
        if pieces:
            pieces.append(separators[index - 1])
        pieces.append(clause)
    remaining = re.sub(r"^(?:dan|serta|and)\s+", "", _tidy("".join(pieces)), flags=re.IGNORECASE)
    if not {word.lower() for word in _WORD.findall(remaining)} - _FILLER:
        return None
    return remaining + (ending.group() if ending else "")


def _has_content(text: str) -> bool:
    """True when a text still has a letter or digit."""
    return any(character.isalnum() for character in text)


def _tidy(text: str) -> str:
    """Spaces and separators left dangling where something was taken out (a line's bullet stays)."""
    bullet = re.match(r"[-*] ", text)
    prefix, text = (bullet.group(), text[bullet.end() :]) if bullet else ("", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"\s+([,;:.])(?=\s|$)", r"\1", text)
    text = re.sub(r"^[\s,;:|•·\-@.]+(?=\S)|[\s,;:|•·\-]+$", "", text)
    return prefix + re.sub(r"([,;|])(?:\s*[,;|])+", r"\1", text)
