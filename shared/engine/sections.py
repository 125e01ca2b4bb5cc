"""Split a cleaned CV into canonical sections by its Indonesian and English headings."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HEADER = "header"
# Sections whose entries carry their own labelled lines ("Tech stack: ...", "Training: ..." under a
# job); inside them a labelled line in ordinary case is part of the entry, not a new section.
_ENTRY_SECTIONS = frozenset({"experience", "projects"})
# This many heading lines in a row with nothing between them (or two headings on one line) is a
# multi-column page read across: the headings are no longer next to their contents.
_HEADING_RUN = 3
_MAX_HEADING_CHARS = 48
_DECORATION = re.compile(r"^[\s\-=~#*_|:.]+|[\s\-=~#*_|:.]+$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CVSections:
    """A CV cut into canonical sections (`experience`, `education`, `skills`, ...).

    Text before the first heading is kept under `header` (name, contact, title).
    `headings` lists the headings as written; an empty tuple means the CV had none
    and every section lookup falls back to the whole text. `scrambled` is true when the
    headings were found but not beside their contents (a multi-column page extracted
    across the columns): the sections are then left empty rather than wrong, and the
    whole text stands in for each of them.
    """

    sections: dict[str, str]
    headings: tuple[str, ...]
    full_text: str = field(repr=False)
    scrambled: bool = False

    @property
    def has_headings(self) -> bool:
        """True when at least one known heading was found."""
        return bool(self.headings)

    def get(self, name: str) -> str:
        """The text of one section, or an empty string when the CV has no such section."""
        return self.sections.get(name, "")


class SectionSplitter:
    """Finds heading lines from a table of aliases per canonical section."""

    def __init__(self, aliases: dict[str, list[str]]) -> None:
        self._section_of: dict[str, str] = {}
        for section, names in aliases.items():
            for alias in names:
                self._section_of[_normalise(alias)] = section
        # Longest aliases first, so "work experience" wins over "experience" for a prefix match.
        ordered = sorted({alias.lower() for names in aliases.values() for alias in names}, key=len, reverse=True)
        alternatives = "|".join(r"\s*".join(re.escape(word) for word in a.split()) for a in ordered)
        # A heading with its content on the same line: "Keahlian: Python, SQL" or "LANGUAGES  English".
        self._inline = re.compile(rf"^({alternatives})\s*(?::|\s{{2,}}|(?<=[A-Z])\s+(?=[A-Z]))\s*(\S.*)$", re.IGNORECASE)

    @classmethod
    def from_file(cls, path: Path) -> SectionSplitter:
        """Build a splitter from a YAML file mapping section names to heading aliases."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def split(self, text: str) -> CVSections:
        """Cut cleaned CV text into sections; repeated sections are concatenated."""
        current = HEADER
        collected: dict[str, list[str]] = {}
        headings: list[str] = []
        run = longest_run = 0
        for line in text.split("\n"):
            if self._is_glued_headings(line):
                longest_run = max(longest_run, _HEADING_RUN)
            heading = self._match_heading(line, current)
            if heading is None:
                collected.setdefault(current, []).append(line)
                run = run if not line.strip() else 0
                continue
            section, written, inline_content = heading
            current = section
            headings.append(written)
            collected.setdefault(current, [])
            run = 0 if inline_content else run + 1
            longest_run = max(longest_run, run)
            if inline_content:
                collected[current].append(inline_content)
        if longest_run >= _HEADING_RUN:
            return CVSections({HEADER: text}, tuple(headings), text, scrambled=True)
        sections = {name: "\n".join(lines).strip() for name, lines in collected.items()}
        return CVSections({k: v for k, v in sections.items() if v}, tuple(headings), text)

    def _match_heading(self, line: str, current: str) -> tuple[str, str, str] | None:
        """Return (section, heading as written, inline content) if the line is a heading.

        The words alone do not decide: a bulleted line is an item of the current section,
        and inside a job or project entry a labelled line ("Training: Kubernetes (2022)")
        is part of the entry unless its label is written in capitals like a heading.
        """
        if line.lstrip().startswith(("- ", "-\t")):
            return None
        stripped = _DECORATION.sub("", line)
        if not stripped:
            return None
        if len(stripped) <= _MAX_HEADING_CHARS:
            section = self._section_of.get(_normalise(stripped))
            if section is not None:
                return section, stripped, ""
        inline = self._inline.match(stripped)
        if inline is None:
            return None
        written, content = inline.group(1), inline.group(2)
        # "Pengalaman 4 tahun di bidang..." is prose, not a heading: an inline heading needs a colon
        # right after it or to be written in capitals.
        after = stripped[len(written):]
        if not (after.lstrip().startswith(":") or written.isupper()):
            return None
        if current in _ENTRY_SECTIONS and not written.isupper():
            return None
        # The case-insensitive pattern can match letters whose lowercase is not the alias's
        # (Unicode case folding); such a line is left as content rather than guessed at.
        section = self._section_of.get(_normalise(written))
        if section is None:
            return None
        return section, written, content.lstrip(": ")

    def _is_glued_headings(self, line: str) -> bool:
        """True for a capitalised line made of headings of two or more sections and nothing else.

        "SUMMARY EDUCATION" is two columns' headings read across the page; "Profile Summary"
        (one section) and a known alias ("EDUCATION AND TRAINING") are ordinary headings.
        """
        stripped = _DECORATION.sub("", line)
        words = stripped.split()
        if not 2 <= len(words) <= 6 or len(stripped) > _MAX_HEADING_CHARS or not stripped.isupper():
            return False
        if _normalise(stripped) in self._section_of:
            return False
        sections = _heading_cover(words, self._section_of)
        return sections is not None and len(set(sections)) >= 2




def _heading_cover(words: list[str], section_of: dict[str, str]) -> list[str] | None:
    """The sections of the whole headings `words` splits into, longest first; None if a word is left over."""
    if not words:
        return []
    for end in range(len(words), 0, -1):
        section = section_of.get(_normalise(" ".join(words[:end])))
        if section is not None:
            rest = _heading_cover(words[end:], section_of)
            if rest is not None:
                return [section, *rest]
    return None


def _normalise(heading: str) -> str:
    """Lowercase, '&'/'dan' as 'and', and no whitespace at all.

    Whitespace is dropped rather than collapsed because the inline-heading pattern lets OCR
    lose or double the spaces inside a heading ("SoftSkills:"), and both must agree on the key.
    """
    # Turkish dotted capital I and dotless i (Turkish keyboards, some PDF fonts) read as plain i.
    heading = heading.replace("İ", "I").replace("ı", "i").lower().replace("&", " and ")
    heading = re.sub(r"\bdan\b", "and", heading)
    return _SPACES.sub("", heading)
