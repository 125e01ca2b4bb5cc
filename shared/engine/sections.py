"""Split a cleaned CV into canonical sections by its Indonesian and English headings."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HEADER = "header"
_MAX_HEADING_CHARS = 48
_DECORATION = re.compile(r"^[\s\-=~#*_|:.]+|[\s\-=~#*_|:.]+$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CVSections:
    """A CV cut into canonical sections (`experience`, `education`, `skills`, ...).

    Text before the first heading is kept under `header` (name, contact, title).
    `headings` lists the headings as written; an empty tuple means the CV had none
    and every section lookup falls back to the whole text.
    """

    sections: dict[str, str]
    headings: tuple[str, ...]
    full_text: str = field(repr=False)

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
        ordered = sorted(self._section_of, key=len, reverse=True)
        alternatives = "|".join(re.escape(a).replace(r"\ ", r"\s*") for a in ordered)
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
        for line in text.split("\n"):
            heading = self._match_heading(line)
            if heading is None:
                collected.setdefault(current, []).append(line)
                continue
            section, written, inline_content = heading
            current = section
            headings.append(written)
            collected.setdefault(current, [])
            if inline_content:
                collected[current].append(inline_content)
        sections = {name: "\n".join(lines).strip() for name, lines in collected.items()}
        return CVSections({k: v for k, v in sections.items() if v}, tuple(headings), text)

    def _match_heading(self, line: str) -> tuple[str, str, str] | None:
        """Return (section, heading as written, inline content) if the line is a heading."""
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
        return self._section_of[_normalise(written)], written, content.lstrip(": ")


def _normalise(heading: str) -> str:
    """Lowercase, '&'/'dan' as 'and', and no whitespace at all.

    Whitespace is dropped rather than collapsed because the inline-heading pattern lets OCR
    lose or double the spaces inside a heading ("SoftSkills:"), and both must agree on the key.
    """
    heading = heading.lower().replace("&", " and ")
    heading = re.sub(r"\bdan\b", "and", heading)
    return _SPACES.sub("", heading)
