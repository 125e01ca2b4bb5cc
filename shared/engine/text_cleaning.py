"""Clean OCR'd CV and job text, and cut it into the units the encoder reads."""
from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi control characters survive NFKC and break tokenisation and matching.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
# Control characters other than newline and tab (form feeds, NULs and friends from PDF extraction).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BULLET_CHARS = "•·»▪►◦‣∙●○■□◆◇➢➤✓✔❖*"
# A bullet at the start of a line, including dash bullets, which OCR keeps as "-", "–" or "—".
_LEADING_BULLET = re.compile(rf"^[ \t]*(?:[{re.escape(_BULLET_CHARS)}]|[-–—](?=\s))[ \t]*", re.MULTILINE)
# Bullets used as inline separators ("Docker · Kubernetes · Helm").
_INLINE_BULLET = re.compile(rf"[ \t]+[{re.escape(_BULLET_CHARS)}](?:[ \t]+|$)", re.MULTILINE)
# A word broken across a line by a hyphen: "cor-\nponents" -> "corponents" (lowercase continuation only,
# so "Jakarta-\nBandung" style compounds in capitals are left alone).
_BROKEN_WORD = re.compile(r"(\w)-[ \t]*\n[ \t]*([a-z])")
# Lines that are only decoration or scanner debris: "~~~~", "____", "| |", "=====".
_DEBRIS_LINE = re.compile(r"^[ \t]*[~_=|\-–—.:*#]{2,}[ \t]*$|^[ \t]*[|~][ \t]*$", re.MULTILINE)
_STRAY_PIPES = re.compile(r"(?<=\s)\|(?=\s)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\u00C0-\u024F(\"'])")
_TERMINAL = (".", "!", "?", ":", ";")
# "Jl.", "D.I.", "dr.", "S.Kom." end in a dot without ending a sentence.
_ABBREVIATION_END = re.compile(r"(?:^|[\s(])(?:\w{1,3}\.)+$")


def clean_text(raw: str) -> str:
    """Normalise OCR'd text while keeping its line structure.

    NFKC, drops invisible and control characters, joins words hyphenated across
    lines, turns every bullet into "- ", removes decoration lines and collapses
    repeated whitespace. Line breaks are kept because headings are found by line.
    """
    text = unicodedata.normalize("NFKC", raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _BROKEN_WORD.sub(r"\1\2", text)
    text = _DEBRIS_LINE.sub("", text)
    text = _LEADING_BULLET.sub("- ", text)
    text = _INLINE_BULLET.sub(" - ", text)
    text = _STRAY_PIPES.sub(" ", text)
    text = _SPACES.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


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
