"""Clean OCR'd CV and job text, and cut it into the units the encoder reads."""
from __future__ import annotations

import re
import unicodedata

import ftfy

# Only ftfy's encoding repair: its other fixes (quotes, character widths, line breaks, HTML entities,
# NFC) would change text that NFKC and the rules below already handle, or that we keep on purpose.
_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
# UTF-8 read one byte per character: the lead byte of a sequence (C2-F4 read as "Â".."ô") followed by a
# continuation byte (80-BF read as Latin-1 or as Windows-1252 "€".."Ÿ"); or "Â " and "Ã ", where the
# continuation byte was a no-break space (U+00A0 itself, "à") that became a plain space.
_MOJIBAKE_MARK = re.compile(
    "[\u00c2\u00c3] |[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
# A fullwidth character ("：" is EF BC 9A) read as Windows-1252 whose last byte was lost on the way, so
# ftfy cannot decode it: the "ï¼" lead, and the zero-width space that took the last byte's place.
_LOST_FULLWIDTH = re.compile("ï¼[\u200b\ufffd]?")
# Zero-width, bidi and emoji-presentation characters survive NFKC and break tokenisation and matching.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
# Control characters other than newline and tab (form feeds, NULs and friends from PDF extraction), and
# lone surrogates (a JSON "\\ud800" escape), which cannot be encoded as UTF-8 further on.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_SEPARATORS = re.compile("\r\n?|[\u2028\u2029]")
_BULLET_CHARS = "•·»▪►◦‣∙●○■□◆◇➢➤✓✔❖*"
# A bullet at the start of a line, including dash bullets, which OCR keeps as "-", "–" or "—". Like
# them, a "*" is a bullet only on its own: "**** ****" is a name the source blanked, not a list item.
_LEADING_BULLET = re.compile(
    rf"^[ \t]*(?:[{re.escape(_BULLET_CHARS.replace('*', ''))}]|[-–—*](?=\s))[ \t]*", re.MULTILINE
)
# Bullets used as inline separators ("Docker · Kubernetes · Helm"), on their own between spaces.
_INLINE_BULLET = re.compile(rf"[ \t]+[{re.escape(_BULLET_CHARS)}](?=[ \t]|$)", re.MULTILINE)
# Characters that might be icons: neither ASCII, nor letters or digits, nor whitespace.
_ICON_CANDIDATE = re.compile(r"[^\w\s\x00-\x7f]")
# Symbols that are text, not icons ("30°C"); bullets are symbols too but are handled as bullets.
_TEXT_SYMBOLS = frozenset("°")
# What an icon becomes for now: a control character, since real ones are gone by the time icons are
# replaced, so that an icon that starts a line can become a bullet and any other one a space.
_ICON_MARK = "\x00"
# Icons that start a line, with the ":" of an icon used as a label ("✉: [EMAIL]"), and what follows them.
_LEADING_ICONS = re.compile(rf"^[ \t]*{_ICON_MARK}[{_ICON_MARK} \t]*(?::[ \t]*)?(.?)", re.MULTILINE)
_TWO_SINGLE_LETTERS = re.compile(r"(?<!\S)[^\W\d_]\s+[^\W\d_](?!\S)")
_STRAY_PIPES = re.compile(r"(?<=\s)\|(?=\s)")
_SPACES = re.compile(r"[^\S\n]+")
# Lines that are only decoration or scanner debris: "~~~~", "____", "| |", "- - -", "=====", and the
# column of ":" a form layout leaves when its labels and values are extracted apart (":", ": :").
# "**** ****" is a name the source blanked, and stays.
_DEBRIS_LINE = re.compile(r"[~_=|\-–—.:*#]{2,}|[~_=|\-–—.:#](?: ?[~_=|\-–—.:#])+|[|~:]")
# A word broken across a line by a hyphen: "cor-\nponents" -> "corponents" (lowercase continuation only,
# so "Jakarta-\nBandung" style compounds in capitals are left alone).
_BROKEN_WORD = re.compile(r"(?<=\w)-[^\S\n]*\n[^\S\n]*(?=[a-z])")
# "Page 2 of 3", "Halaman 2 dari 3", "Page 2/3", "Hal. 2", "2 of 3"; not "04/2020", which is a date.
_PAGE_NUMBER = re.compile(
    r"(?:page|halaman|hal\.?) ?\d+(?: ?(?:of|dari|/) ?\d+)?|\d+ (?:of|dari) \d+", re.IGNORECASE
)
# A running page header ("Curriculum Vitae", the applicant's name): short, at the top, and repeated
# at least three times a page apart (fewer lines than a CV page has, more than most job entries).
_HEADER_MAX_CHARS = 40
_HEADER_AMONG_FIRST = 2
_HEADER_MIN_REPEATS = 3
_PAGE_MIN_LINES = 20
_BLANK_LINES = re.compile(r"\n{3,}")
_MAX_EXTRA_PASSES = 3
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\u00C0-\u024F(\"'])")
_TERMINAL = (".", "!", "?", ":", ";")
# "Jl.", "D.I.", "dr.", "S.Kom." end in a dot without ending a sentence.
_ABBREVIATION_END = re.compile(r"(?:^|[\s(])(?:\w{1,3}\.)+$")


def clean_text(raw: str) -> str:
    """Normalise OCR'd text while keeping its line structure.

    Repairs mojibake, NFKC, drops invisible and control characters, turns every
    bullet and every icon that starts a line into "- " (other icons into spaces),
    joins words hyphenated across lines and letters spaced out by PDF extraction,
    collapses whitespace, and blanks decoration lines, page numbers and repeated
    page headers. Line breaks are kept because headings are found by line.
    """
    text = _clean_once(raw)
    # Removing a character can bring two together that read as mojibake ("Â\u200b©" -> "Â©"), which
    # a second cleaning would repair; so clean again while that happens, and the result stays clean.
    for _ in range(_MAX_EXTRA_PASSES):
        if not _MOJIBAKE_MARK.search(text) or (again := _clean_once(text)) == text:
            break
        text = again
    return text


def _clean_once(raw: str) -> str:
    """One pass of `clean_text`."""
    text = _LOST_FULLWIDTH.sub(" ", _fix_mojibake(raw))
    text = _INVISIBLE.sub("", _LINE_SEPARATORS.sub("\n", text))
    # NFKC after the invisible characters are gone, so that what they separated composes now, not on a second pass.
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))
    text = _ICON_CANDIDATE.sub(_mark_icon, text)
    text = _LEADING_ICONS.sub(_icon_bullet, text).replace(_ICON_MARK, " ")
    # Pipes go before bullets, so that a bullet after one ("| • Python") is seen to start its line,
    # and after them, since a bullet that becomes "- " can leave a pipe between spaces ("•| Python").
    text = _STRAY_PIPES.sub(" ", text)
    text = _LEADING_BULLET.sub("- ", text)
    text = _INLINE_BULLET.sub(" -", text)
    text = _STRAY_PIPES.sub(" ", text)
    text = _BROKEN_WORD.sub("", text)
    lines = [_SPACES.sub(" ", _join_spaced_letters(line)).strip() for line in text.split("\n")]
    lines = _without_page_furniture(["" if _DEBRIS_LINE.fullmatch(line) else line for line in lines])
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _fix_mojibake(text: str) -> str:
    """Repair UTF-8 that was read as Windows-1252 or Latin-1 ("â€“" -> "–", "Ã©" -> "é"), line by line.

    Only lines with the mark of it go to ftfy: that is faster than ftfy on every line, and ftfy's
    guesses on other text are not ours to take ("ßÆ" is not mojibake, though ftfy decodes it).
    """
    return "\n".join(
        ftfy.fix_text(line, _ENCODING_ONLY) if _MOJIBAKE_MARK.search(line) else line for line in text.split("\n")
    )


def _mark_icon(match: re.Match[str]) -> str:
    """Replace a pictograph, dingbat or private-use glyph (icon fonts) with the icon mark."""
    char = match.group()
    category = unicodedata.category(char)
    is_icon = (
        (category in ("So", "Co") and char not in _TEXT_SYMBOLS and char not in _BULLET_CHARS)
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin-tone modifiers, left over from an emoji
        or char == "\u20e3"  # the keycap around "1⃣"
        # Emoji newer than this Python's Unicode database are unassigned to it.
        or (category == "Cn" and "\U0001f000" <= char <= "\U0001faff")
    )
    return _ICON_MARK if is_icon else char


def _icon_bullet(match: re.Match[str]) -> str:
    """Icons that start a line become a bullet, or nothing when the line has nothing else."""
    rest = match.group(1)
    return f"- {rest}" if rest else ""


def _join_spaced_letters(line: str) -> str:
    """Join letters that PDF extraction spaced out: "D A F T A R  R I W A Y A T" -> "DAFTAR RIWAYAT".

    A run of one- and two-character tokens is joined when most of it is single letters,
    at least three of them and two side by side; gaps of two or more spaces (or a tab)
    inside it stay word breaks. The words it leaves are looked at again, so that a second
    pass over the cleaned text (single spaces only) has nothing left to join.
    """
    if not _TWO_SINGLE_LETTERS.search(line):  # every spaced-out run has two, and most lines none
        return line
    while (joined := _join_spaced_runs(line)) != line:
        line = joined
    return joined


def _join_spaced_runs(line: str) -> str:
    """One pass of `_join_spaced_letters`."""
    parts = re.split(r"(\s+)", line)  # tokens at even indexes, the whitespace after each at odd ones
    out: list[str] = []
    index = 0
    while index < len(parts):
        end = index
        while end < len(parts) and _is_fragment(parts[end]):
            end += 2
        if end == index:  # not a fragment (or whitespace): keep it and what follows it
            out.extend(parts[index:index + 2])
            index += 2
            continue
        run = parts[index:end - 1]
        if _is_spaced_out(run[::2]):
            # A single space inside the run is between letters; a wider gap is between words.
            run = [part if at % 2 == 0 else ("" if part == " " else " ") for at, part in enumerate(run)]
        out.extend(run)
        index = end - 1
    return "".join(out)


def _is_fragment(token: str) -> bool:
    """A token short enough to be a piece of a spaced-out word: one or two letters or digits."""
    return 0 < len(token) <= 2 and token.isalnum()


def _is_spaced_out(run: list[str]) -> bool:
    """Whether a run of fragments is letters spaced out, not short words ("a b testing", "I am", "A or B")."""
    single = [len(t) == 1 and t.isalpha() for t in run]
    side_by_side = any(a and b for a, b in zip(single, single[1:]))
    return sum(single) >= 3 and 2 * sum(single) > len(run) and side_by_side


def _without_page_furniture(lines: list[str]) -> list[str]:
    """Blank page numbers ("Page 2 of 3", "Halaman 2") and the repeats of a running page header.

    A running header ("Curriculum Vitae", the applicant's name) is one of the first two lines,
    short, without digits or a colon, and seen again at least twice, each time a page's worth of
    lines after the last; only its first occurrence is kept. Lines repeated more often ("to",
    "City", a date) or closer together (a job title also written under the name) are content.
    Lines are blanked, not removed, so that a second pass does not join their neighbours as a
    hyphenated word.
    """
    lines = ["" if _PAGE_NUMBER.fullmatch(line) else line for line in lines]
    written = [line for line in lines if line]
    positions: dict[str, list[int]] = {}
    for index, line in enumerate(written):
        positions.setdefault(line, []).append(index)
    headers = {
        line
        for line in list(positions)[:_HEADER_AMONG_FIRST]
        if _is_running_header(line, positions[line])
    }
    seen: set[str] = set()
    kept: list[str] = []
    for line in lines:
        kept.append("" if line in headers and line in seen else line)
        seen.add(line)
    return kept


def _is_running_header(line: str, positions: list[int]) -> bool:
    """Whether a line seen at these positions (among non-blank lines) is repeated once per page."""
    return (
        len(positions) >= _HEADER_MIN_REPEATS
        and all(b - a >= _PAGE_MIN_LINES for a, b in zip(positions, positions[1:]))
        and len(line) <= _HEADER_MAX_CHARS
        and letter_count(line) >= 2
        and not any(ch.isdigit() or ch == ":" for ch in line)
        and not line.startswith("- ")
    )


def letter_count(text: str) -> int:
    """Number of alphabetic characters, in any script."""
    return sum(1 for ch in text if ch.isalpha())


def split_units(text: str, *, min_letters: int = 6) -> list[str]:
    """Cut cleaned text into sentence-sized units for embedding and evidence.

    A bullet or a line is one unit; a line that wraps a previous unit (it starts in
    lowercase and the previous line did not end a sentence) is joined back to it;
    long lines are cut at sentence ends. Units with fewer than ``min_letters``
    letters (dates, phone numbers) are dropped.
    """
    units: list[str] = []
    for line in text.split("\n"):
        if not line:
            continue
        is_bullet = line.startswith("- ")
        body = line[2:] if is_bullet else line
        continues = (
            units
            and not is_bullet
            and body[:1].islower()
            and not units[-1].endswith(_TERMINAL)
        )
        if continues:
            units[-1] = f"{units[-1]} {body}"
        else:
            units.append(body)
    sentences: list[str] = []
    for unit in units:
        for part in _SENTENCE_END.split(unit):
            part = part.strip()
            if sentences and sentences[-1] and _ABBREVIATION_END.search(sentences[-1]) and part:
                sentences[-1] = f"{sentences[-1]} {part}"
            else:
                sentences.append(part)
    return [s for s in sentences if letter_count(s) >= min_letters]
