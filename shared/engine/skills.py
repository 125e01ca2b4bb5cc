"""Bilingual skill extraction: surface forms in Indonesian or English -> canonical skill names."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import spacy
import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

# Abbreviations this short ("R", "C", "Go", "ML", "PR") are ordinary letters or words too, so they
# count only where a list puts them: between separators, at a line's edge, or after a heading colon.
_RISKY_ABBREVIATION_CHARS = 2
_LIST_SEPARATORS = frozenset({",", "/", "(", ")", "|", ":", ";", "-", "&", "+", "·", "dan", "and", "\n"})


@dataclass(frozen=True)
class Skill:
    """One canonical skill and the ways it is written."""

    name: str
    industry: str
    forms: tuple[str, ...]
    abbreviations: tuple[str, ...]
    implies: tuple[str, ...] = ()


@dataclass(frozen=True)
class SkillMention:
    """A canonical skill found in a text, with the surface form as written there."""

    name: str
    surface: str
    industry: str


class SkillCatalog:
    """The bilingual skill list, indexed by canonical name, with the broader skills each one implies.

    Raises:
        ValueError: an implication names a skill the catalog does not have, or implications form a cycle.
    """

    def __init__(self, skills: Iterable[Skill]) -> None:
        self.skills: dict[str, Skill] = {skill.name: skill for skill in skills}
        self._by_lower_name = {name.lower(): skill for name, skill in self.skills.items()}
        self._broader = {name: self._implied_by(name, ()) for name in self.skills}

    @classmethod
    def from_file(cls, path: Path) -> SkillCatalog:
        """Load the YAML catalog (name, industry, en, id, abbr and optional implies per entry)."""
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(_skill_from_entry(entry) for entry in entries)

    def _implied_by(self, name: str, chain: tuple[str, ...]) -> frozenset[str]:
        """Every skill `name` implies, directly or through others."""
        if name in chain:
            raise ValueError(f"skill implications form a cycle: {' -> '.join([*chain, name])}")
        broader: set[str] = set()
        for implied in self.skills[name].implies:
            if implied not in self.skills:
                raise ValueError(f"{name!r} implies {implied!r}, which is not a skill of the catalog")
            broader |= {implied, *self._implied_by(implied, (*chain, name))}
        return frozenset(broader)

    def broader(self, name: str) -> frozenset[str]:
        """The skills a CV is credited for when it shows `name` (PostgreSQL -> SQL), transitively."""
        return self._broader.get(name, frozenset())

    @property
    def implication_count(self) -> int:
        """How many direct implications the catalog states."""
        return sum(len(skill.implies) for skill in self.skills.values())

    def lookup(self, name: str) -> Skill | None:
        """The skill with this canonical name, ignoring case."""
        return self._by_lower_name.get(name.strip().lower())

    def __len__(self) -> int:
        return len(self.skills)


def _skill_from_entry(entry: dict[str, object]) -> Skill:
    """One catalog entry; the canonical name is also a surface form unless it is a risky abbreviation."""
    name = str(entry["name"])
    abbreviations = tuple(entry.get("abbr") or ())  # type: ignore[arg-type]
    forms = [*(entry.get("en") or ()), *(entry.get("id") or ())]  # type: ignore[misc]
    # "Go", "C" and "R" are names and ordinary words: they are matched only case-sensitively, in lists.
    if name not in abbreviations and len(name) > _RISKY_ABBREVIATION_CHARS:
        forms.insert(0, name.lower())
    implies = tuple(str(implied) for implied in entry.get("implies") or ())  # type: ignore[attr-defined]
    return Skill(name, str(entry["industry"]), tuple(dict.fromkeys(forms)), abbreviations, implies)


class SkillExtractor:
    """Finds catalog skills in text with spaCy phrase matchers (no downloaded pipeline)."""

    def __init__(self, catalog: SkillCatalog) -> None:
        self.catalog = catalog
        self._nlp = spacy.blank("xx")
        self._forms = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._abbreviations = PhraseMatcher(self._nlp.vocab, attr="ORTH")
        for skill in catalog.skills.values():
            self._forms.add(skill.name, list(self._nlp.tokenizer.pipe(skill.forms)))
            if skill.abbreviations:
                self._abbreviations.add(skill.name, list(self._nlp.tokenizer.pipe(skill.abbreviations)))

    def extract(self, text: str) -> list[SkillMention]:
        """Canonical skills in `text`, each once, in order of first appearance."""
        doc = self._nlp.make_doc(text)
        spans = [Span(doc, start, end, label=key) for key, start, end in self._forms(doc)]
        spans += [
            Span(doc, start, end, label=key)
            for key, start, end in self._abbreviations(doc)
            if len(doc[start:end].text) > _RISKY_ABBREVIATION_CHARS or _stands_in_a_list(doc, start, end)
        ]
        mentions: dict[str, SkillMention] = {}
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            skill = self.catalog.skills[span.label_]
            mentions.setdefault(skill.name, SkillMention(skill.name, span.text, skill.industry))
        return list(mentions.values())


def _stands_in_a_list(doc: Doc, start: int, end: int) -> bool:
    """True when the tokens around doc[start:end] are list separators or line edges."""
    before = doc[start - 1] if start > 0 else None
    after = doc[end] if end < len(doc) else None
    return _is_separator(before) and _is_separator(after)


def _is_separator(token: object) -> bool:
    """A missing neighbour (text edge), a line break or a list separator token."""
    if token is None:
        return True
    text = token.text.lower()  # type: ignore[attr-defined]
    return text in _LIST_SEPARATORS or text.isspace() or text.endswith("\n")
