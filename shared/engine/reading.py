"""Read a job and a CV into the texts each section is scored on, before any embedding.

The matcher embeds these texts; the training scripts fine-tune on the same pairs, so both
compare exactly the same text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.engine.jobs import JobPosting, split_alternatives
from shared.engine.language import detect_language
from shared.engine.personal_data import PersonalDataReport, screen_personal_data
from shared.engine.profile import EducationLevel, parse_education_requirement
from shared.engine.scoring import SECTIONS
from shared.engine.sections import HEADER, CVSections, SectionSplitter
from shared.engine.skills import SkillCatalog, SkillExtractor
from shared.engine.text_checks import MIN_CV_LETTERS, InvalidTextError, checked_cv_text
from shared.engine.text_cleaning import clean_text, letter_count, split_units

# Which CV sections feed each scored section; the whole text stands in when none of them exists.
# The header (name, contact, current job title) and the summary say what role a person holds,
# which tells a strong fit from an adjacent role better than the duties alone.
CV_SECTIONS_FOR = {
    "skills": ("skills", "certifications", "summary"),
    "experience": (HEADER, "summary", "experience", "projects"),
    "education": ("education", "certifications"),
}


@dataclass(frozen=True)
class EngineResources:
    """The data the engine reads once: heading aliases, skill catalog, keyword corpus, background cohorts.

    `cohort_cvs` and `cohort_jobs` are CVs and jobs unrelated to any particular pair; section
    scores are normalised against how they score (`shared.engine.cohort`). `cohort_name` says
    where they came from.
    """

    splitter: SectionSplitter
    extractor: SkillExtractor
    keyword_corpus: tuple[str, ...] = ()
    cohort_cvs: tuple[str, ...] = ()
    cohort_jobs: tuple[JobPosting, ...] = ()
    cohort_name: str = ""

    @property
    def has_cohort(self) -> bool:
        """True when both cohorts are there (a cohort calibration needs both)."""
        return bool(self.cohort_cvs and self.cohort_jobs)

    @classmethod
    def from_seed(
        cls,
        seed_dir: Path,
        *,
        keyword_corpus: Sequence[str] = (),
        cohort_dir: Path | None = None,
        cohort_jobs: Sequence[JobPosting] = (),
    ) -> EngineResources:
        """Load `section_headings.yaml` and `skills.yaml` from the seed folder, and the cohort's `*.txt` CVs."""
        cohort_files = sorted(cohort_dir.glob("*.txt")) if cohort_dir is not None else []
        return cls(
            splitter=SectionSplitter.from_file(seed_dir / "section_headings.yaml"),
            extractor=SkillExtractor(SkillCatalog.from_file(seed_dir / "skills.yaml")),
            keyword_corpus=tuple(keyword_corpus),
            cohort_cvs=tuple(path.read_text(encoding="utf-8") for path in cohort_files),
            cohort_jobs=tuple(cohort_jobs),
            cohort_name=f"{cohort_dir.name}: {len(cohort_files)} CVs, {len(cohort_jobs)} jobs" if cohort_files else "",
        )


MUST_HAVE, NICE_TO_HAVE = "must_have", "nice_to_have"
# A requirement line or stated skill entry that says one of these asks for a plus, not for a condition.
_OPTIONAL_MARKERS = re.compile(
    r"\b(?:is a plus|a plus|an advantage|preferred|preferably|nice to have|optional|diutamakan|nilai (?:plus|tambah)|"
    r"menjadi pertimbangan|lebih disukai)\b|\(\s*plus\s*\)",
    re.IGNORECASE,
)
# A stated entry that names several skills with these between them offers a choice ("MS SQL/MariaDB",
# "Tableau or Power BI"), unless it also lists ("Python, SQL and Excel" asks for each).
_CHOICE = re.compile(r"/|\b(?:or|atau)\b", re.IGNORECASE)
_LIST = re.compile(r",|;|&|\b(?:and|dan)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SkillOption:
    """One way to satisfy a requirement: a catalog name, or free text the catalog does not know."""

    name: str
    in_catalog: bool


@dataclass(frozen=True)
class RequiredSkill:
    """A skill the job asks for; any one of its `options` satisfies it ("Django | Flask" has two).

    `level` is `must_have` (counts for the qualification check) or `nice_to_have` (listed only).
    """

    options: tuple[SkillOption, ...]
    job_form: str
    level: str = MUST_HAVE

    @property
    def name(self) -> str:
        """The requirement as shown: its options' names joined with " | "."""
        return " | ".join(option.name for option in self.options)

    @property
    def in_catalog(self) -> bool:
        """True when every option is a catalog skill."""
        return all(option.in_catalog for option in self.options)


@dataclass(frozen=True)
class ReadJob:
    """A job cleaned and cut into the text each section is compared with.

    A section's job vector is the normalised mean of the embeddings of its `parts`;
    `blocks` is the same text joined, for keys and for training pairs.
    """

    job: JobPosting
    text: str
    required_skills: tuple[RequiredSkill, ...]
    required_education: EducationLevel | None
    blocks: dict[str, str]
    parts: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class ReadCV:
    """A CV cleaned, its language detected and its sections cut.

    `text` is the checked text without the personal data blind screening removes; `blocks` is
    the text each section is scored on; `units` are its sentences (for evidence); `sources` says
    whether a block came from the CV's own sections or from the whole text. `personal_data` names
    the kinds of personal data found; `checked_text` is the text before they were removed, which
    identifies a background-cohort member however it was screened.
    """

    text: str
    language: str
    sections: CVSections
    blocks: dict[str, str]
    units: dict[str, tuple[str, ...]]
    sources: dict[str, str]
    personal_data: PersonalDataReport
    checked_text: str


class TextReader:
    """Turns jobs and CVs into section texts with the engine's data files."""

    def __init__(self, resources: EngineResources, *, max_cv_chars: int = 100_000, blind_screening: bool = True) -> None:
        self.resources = resources
        self.max_cv_chars = max_cv_chars
        # Off for research only: the personal data is then still found and reported, but scored with.
        self.blind_screening = blind_screening

    def read_job(self, job: JobPosting) -> ReadJob:
        """Clean a job and build its side of each section.

        Raises:
            InvalidTextError: the job has no letters at all (`job_text_empty`).
        """
        title = clean_text(job.title)
        description = clean_text(job.description)
        requirements = [clean_text(r) for r in job.requirements if clean_text(r)]
        text = "\n".join([title, description, *requirements])
        if not letter_count(text):  # a title alone ("Akuntan") is enough to score against
            raise InvalidTextError("job_text_empty", "the job has no readable title, description or requirements")
        education_lines = [r for r in requirements if parse_education_requirement(r) is not None]
        required_education = _education_level(job.education_level) or min(
            (level for r in education_lines if (level := parse_education_requirement(r)) is not None), default=None
        )
        skill_lines = [r for r in requirements if r not in education_lines]
        asked_for = list(dict.fromkeys([*job.stated_skills, *skill_lines])) or split_units(description) or [title]
        # The description is left out of skills and experience: in real postings it is mostly about
        # the company ("a consulting firm founded in ..."), and it pulled every CV of the same
        # industry towards the job. What the role is called and what it asks for decide a fit.
        parts = {
            "skills": ("\n".join(dict.fromkeys([title, *asked_for])),),
            # The role's title and its stated skills weigh the same: the vectors are averaged.
            "experience": (title, "\n".join(job.stated_skills or asked_for)),
            # The title says which fields of study fit the role; the lines say which level is required.
            "education": ("\n".join(dict.fromkeys([title, *(education_lines or [job.education_level or ""])])),),
        }
        return ReadJob(
            job=job,
            text=text,
            required_skills=self._required_skills(job, skill_lines if requirements else [description]),
            required_education=required_education,
            blocks={name: "\n".join(parts[name]) for name in SECTIONS},
            parts=parts,
        )

    def read_cv(self, raw: str, *, candidate_name: str | None = None) -> ReadCV:
        """Check, clean, blind-screen (`shared.engine.personal_data`) and cut a CV into section blocks.

        `candidate_name`'s words are taken out with the other personal data.

        Raises:
            InvalidTextError: the CV is empty, has no letters (also once its personal data is out),
                or is longer than `max_cv_chars`.
        """
        checked = checked_cv_text(raw, max_chars=self.max_cv_chars)
        screened = screen_personal_data(checked, candidate_name=candidate_name, remove=self.blind_screening)
        text = screened.text
        if letter_count(text) < MIN_CV_LETTERS:
            raise InvalidTextError("cv_text_unreadable", "the CV text has almost nothing but personal data, which is not scored")
        sections = self.resources.splitter.split(text)
        blocks: dict[str, str] = {}
        units: dict[str, tuple[str, ...]] = {}
        sources: dict[str, str] = {}
        for name in SECTIONS:
            own = "\n".join(sections.get(s) for s in CV_SECTIONS_FOR[name] if s != HEADER and sections.get(s))
            sources[name] = "sections" if own else "whole_text"
            blocks[name] = "\n".join(sections.get(s) for s in CV_SECTIONS_FOR[name] if sections.get(s)) if own else text
            units[name] = tuple(split_units(blocks[name])) or (blocks[name],)
        personal_data = PersonalDataReport(self.blind_screening, screened.kinds)
        return ReadCV(text, detect_language(text).language, sections, blocks, units, sources, personal_data, checked)

    def section_pairs(self, job: JobPosting, cv_text: str) -> dict[str, tuple[str, str]]:
        """Per section, the (CV text, job text) pair the matcher compares."""
        read_job, read_cv = self.read_job(job), self.read_cv(cv_text)
        return {name: (read_cv.blocks[name], read_job.blocks[name]) for name in SECTIONS}

    def _required_skills(self, job: JobPosting, requirement_lines: Sequence[str]) -> tuple[RequiredSkill, ...]:
        """The stated skills (must-haves, then nice-to-haves), then catalog skills the requirement lines name.

        An entry or line that says "... is a plus", "(plus)" or "diutamakan" asks for a nice-to-have.
        When the job states its required skills, those are its must-haves and the skills its lines
        mention besides are nice-to-haves; a skill already among a stated entry's options is not
        asked for a second time. Lines that state an education level name fields of study, not skills.
        """
        found: dict[str, RequiredSkill] = {}
        for level, entries in ((MUST_HAVE, job.required_skills), (NICE_TO_HAVE, job.nice_to_have_skills)):
            for entry in entries:
                for skill in self._stated_requirement(entry, NICE_TO_HAVE if _OPTIONAL_MARKERS.search(entry) else level):
                    found.setdefault(skill.name.lower(), skill)
        covered = {option.name.lower() for skill in found.values() for option in skill.options}
        for line in requirement_lines:
            level = NICE_TO_HAVE if job.required_skills or _OPTIONAL_MARKERS.search(line) else MUST_HAVE
            for mention in self.resources.extractor.extract(line):
                if mention.name.lower() not in covered:
                    found.setdefault(mention.name.lower(), RequiredSkill((SkillOption(mention.name, True),), mention.surface, level))
        return tuple(found.values())

    def _stated_requirement(self, entry: str, level: str) -> list[RequiredSkill]:
        """One stated entry: each catalog skill it names, or one requirement whose options are its alternatives."""
        alternatives = split_alternatives(entry)
        extract = self.resources.extractor.extract
        if len(alternatives) == 1:
            mentions = extract(entry)
            if not mentions:
                return [RequiredSkill((SkillOption(entry.strip(), False),), entry, level)]
            if len(mentions) > 1 and _CHOICE.search(entry) and not _LIST.search(entry):
                return [RequiredSkill(tuple(SkillOption(m.name, True) for m in mentions), entry, level)]
            return [RequiredSkill((SkillOption(m.name, True),), entry, level) for m in mentions]  # "Python, Django": each
        options = []
        for alternative in alternatives:
            mentions = extract(alternative)
            options.append(SkillOption(mentions[0].name, True) if mentions else SkillOption(alternative, False))
        return [RequiredSkill(tuple(dict.fromkeys(options)), entry, level)]


def _education_level(name: str | None) -> EducationLevel | None:
    """The level named by a job's `education_level` field ("S1", "D3", ...), if it is one."""
    if not name:
        return None
    try:
        return EducationLevel[name.strip().upper()]
    except KeyError:
        return parse_education_requirement(name)
