"""Score CVs against a job: the engine's one entry point for the worker, the CLI and training."""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from shared.engine.calibration import Calibration
from shared.engine.encoders import LoadedEncoder
from shared.engine.jobs import JobPosting
from shared.engine.keywords import KeywordScorer
from shared.engine.language import detect_language
from shared.engine.profile import EducationLevel, detect_education, estimate_experience, parse_education_requirement
from shared.engine.results import Evidence, MatchResult, MissingSkill, SectionResult, SkillMatch
from shared.engine.scoring import SECTIONS, ScoringPolicy
from shared.engine.sections import HEADER, CVSections, SectionSplitter
from shared.engine.skills import SkillCatalog, SkillExtractor
from shared.engine.text_checks import InvalidTextError, checked_cv_text
from shared.engine.text_cleaning import clean_text, letter_count, split_units

# Which CV sections feed each scored section; the whole text stands in when none of them exists.
# The header (name, contact, current job title) and the summary say what role a person holds,
# which tells a strong fit from an adjacent role better than the duties alone.
CV_SECTIONS_FOR = {
    "skills": ("skills", "certifications", "summary"),
    "experience": (HEADER, "summary", "experience", "projects"),
    "education": ("education", "certifications"),
}
MAX_EVIDENCE = 3
_MAX_OTHER_SKILLS = 15
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class EngineResources:
    """The data files the engine reads once: heading aliases, skill catalog, keyword corpus."""

    splitter: SectionSplitter
    extractor: SkillExtractor
    keyword_corpus: tuple[str, ...] = ()

    @classmethod
    def from_seed(cls, seed_dir: Path, *, keyword_corpus: Sequence[str] = ()) -> EngineResources:
        """Load `section_headings.yaml` and `skills.yaml` from the seed folder."""
        return cls(
            splitter=SectionSplitter.from_file(seed_dir / "section_headings.yaml"),
            extractor=SkillExtractor(SkillCatalog.from_file(seed_dir / "skills.yaml")),
            keyword_corpus=tuple(keyword_corpus),
        )


@dataclass(frozen=True)
class RequiredSkill:
    """A skill the job asks for: a catalog name, or free text the catalog does not know."""

    name: str
    job_form: str
    in_catalog: bool


@dataclass(frozen=True)
class PreparedJob:
    """A job read, split into units and embedded once for one model."""

    job: JobPosting
    model_name: str
    text: str
    required_skills: tuple[RequiredSkill, ...]
    required_education: EducationLevel | None
    units: dict[str, tuple[str, ...]]
    vectors: dict[str, np.ndarray]  # one pooled vector per section


@dataclass(frozen=True)
class _ReadCV:
    """A CV after cleaning, language and sections, before embedding.

    `blocks` is the text each section is scored on; `units` are its sentences, embedded
    only to pick the evidence; `sources` says whether a block came from the CV's own
    sections or from the whole text.
    """

    text: str
    language: str
    sections: CVSections
    blocks: dict[str, str]
    units: dict[str, tuple[str, ...]]
    sources: dict[str, str]


class Matcher:
    """Scores CVs against jobs with one encoder, one calibration and one scoring policy."""

    def __init__(
        self,
        encoder: LoadedEncoder,
        resources: EngineResources,
        calibration: Calibration,
        *,
        policy: ScoringPolicy | None = None,
        max_cv_chars: int = 100_000,
        job_cache_size: int = 256,
        today: date | None = None,
    ) -> None:
        self.encoder = encoder
        self.resources = resources
        self.calibration = calibration
        self.policy = policy or ScoringPolicy()
        self.max_cv_chars = max_cv_chars
        self._today = today
        self._keywords = KeywordScorer(resources.keyword_corpus)
        self._jobs: OrderedDict[str, PreparedJob] = OrderedDict()
        self._job_cache_size = job_cache_size

    # -- job side ---------------------------------------------------------------------------------

    def prepare_job(self, job: JobPosting) -> PreparedJob:
        """Read and embed a job once per (job content, model); later calls reuse the cached result."""
        key = job.fingerprint
        cached = self._jobs.get(key)
        if cached is not None:
            self._jobs.move_to_end(key)
            return cached
        prepared = self._prepare_job_uncached(job)
        self._jobs[key] = prepared
        if len(self._jobs) > self._job_cache_size:
            self._jobs.popitem(last=False)
        return prepared

    def _prepare_job_uncached(self, job: JobPosting) -> PreparedJob:
        title = clean_text(job.title)
        description = clean_text(job.description)
        requirements = [clean_text(r) for r in job.requirements if clean_text(r)]
        text = "\n".join([title, description, *requirements])
        if not letter_count(text):  # a title alone ("Akuntan") is enough to score against
            raise InvalidTextError("job_text_empty", "the job has no readable title, description or requirements")
        education_lines = [r for r in requirements if parse_education_requirement(r) is not None]
        required_education = _education_level(job.education_level) or max(
            (parse_education_requirement(r) for r in education_lines), default=None  # type: ignore[type-var]
        )
        skill_lines = [r for r in requirements if r not in education_lines]
        units = {
            "skills": tuple(dict.fromkeys([*job.required_skills, *skill_lines] or split_units(description))),
            "experience": tuple(dict.fromkeys([title, *split_units(description), *skill_lines])),
            # The title says which fields of study fit the role; the lines say which level is required.
            "education": (title, *(education_lines or [job.education_level or ""])),
        }
        return PreparedJob(
            job=job,
            model_name=self.encoder.name,
            text=text,
            required_skills=self._required_skills(job, requirements or [description]),
            required_education=required_education,
            units=units,
            vectors=dict(zip(SECTIONS, self.encoder.encoder.encode(["\n".join(units[name]) for name in SECTIONS]))),
        )

    def _required_skills(self, job: JobPosting, requirement_lines: Sequence[str]) -> tuple[RequiredSkill, ...]:
        """Catalog skills named in `required_skills` and the requirement lines, plus unknown free-text ones."""
        extractor = self.resources.extractor
        found: dict[str, RequiredSkill] = {}
        for stated in job.required_skills:
            mentions = extractor.extract(stated)
            for mention in mentions:
                found.setdefault(mention.name, RequiredSkill(mention.name, stated, True))
            if not mentions:
                found.setdefault(stated.lower(), RequiredSkill(stated, stated, False))
        for line in requirement_lines:
            for mention in extractor.extract(line):
                found.setdefault(mention.name, RequiredSkill(mention.name, mention.surface, True))
        return tuple(found.values())

    # -- CV side ----------------------------------------------------------------------------------

    def score(self, job: JobPosting | PreparedJob, cv_text: str) -> MatchResult:
        """Score one CV against one job.

        Raises:
            InvalidTextError: the CV is empty, has no letters, or is longer than `max_cv_chars`.
        """
        outcome = self.score_many(job, [cv_text])[0]
        if isinstance(outcome, InvalidTextError):
            raise outcome
        return outcome

    def score_many(
        self, job: JobPosting | PreparedJob, cv_texts: Sequence[str]
    ) -> list[MatchResult | InvalidTextError]:
        """Score many CVs against one job, embedding the job once and all CV sentences in one call.

        A CV that cannot be scored yields an `InvalidTextError` in its place; the others are scored.
        """
        prepared = job if isinstance(job, PreparedJob) else self.prepare_job(job)
        read: list[_ReadCV | InvalidTextError] = []
        for text in cv_texts:
            try:
                read.append(self._read_cv(text))
            except InvalidTextError as error:
                read.append(error)
        vectors = self._encode_cv_texts([r for r in read if isinstance(r, _ReadCV)])
        return [r if isinstance(r, InvalidTextError) else self._score_read_cv(prepared, r, vectors) for r in read]

    def _read_cv(self, raw: str) -> _ReadCV:
        text = checked_cv_text(raw, max_chars=self.max_cv_chars)
        sections = self.resources.splitter.split(text)
        blocks: dict[str, str] = {}
        units: dict[str, tuple[str, ...]] = {}
        sources: dict[str, str] = {}
        for name in SECTIONS:
            own = "\n".join(sections.get(s) for s in CV_SECTIONS_FOR[name] if s != HEADER and sections.get(s))
            sources[name] = "sections" if own else "whole_text"
            blocks[name] = "\n".join(sections.get(s) for s in CV_SECTIONS_FOR[name] if sections.get(s)) if own else text
            units[name] = tuple(split_units(blocks[name])) or (blocks[name],)
        return _ReadCV(text, detect_language(text).language, sections, blocks, units, sources)

    def _encode_cv_texts(self, cvs: list[_ReadCV]) -> dict[str, np.ndarray]:
        """Embed every distinct section block and sentence of the CVs once, in one encoder call."""
        texts = dict.fromkeys(t for cv in cvs for name in SECTIONS for t in (cv.blocks[name], *cv.units[name]))
        matrix = self.encoder.encoder.encode(list(texts))
        return {text: matrix[i] for i, text in enumerate(texts)}

    def _score_read_cv(self, job: PreparedJob, cv: _ReadCV, vectors: dict[str, np.ndarray]) -> MatchResult:
        sections: dict[str, SectionResult] = {}
        for name in SECTIONS:
            job_vector = job.vectors[name]
            raw = float(vectors[cv.blocks[name]] @ job_vector)
            unit_similarity = np.array([float(vectors[u] @ job_vector) for u in cv.units[name]])
            order = np.argsort(-unit_similarity, kind="stable")[:MAX_EVIDENCE]
            evidence = tuple(Evidence(cv.units[name][i], round(float(unit_similarity[i]), 4)) for i in order)
            sections[name] = SectionResult(
                score=self.calibration.to_score(name, raw),
                raw_similarity=round(raw, 4),
                cv_source=cv.sources[name],
                evidence=evidence,
                facts=self._section_facts(name, job, cv),
            )
        semantic = self.policy.semantic_score({name: sections[name].score for name in SECTIONS})
        cv_skills = self.resources.extractor.extract(cv.text)
        matched, missing = _compare_skills(job.required_skills, cv_skills, cv.text)
        required_names = {s.name for s in job.required_skills}
        return MatchResult(
            job_id=job.job.job_id,
            grade=self.policy.grade(semantic),
            semantic_score=semantic,
            keyword_score=self._keywords.score(job.text, cv.text),
            sections=sections,
            matched_skills=matched,
            missing_skills=missing,
            other_skills=tuple(m.name for m in cv_skills if m.name not in required_names)[:_MAX_OTHER_SKILLS],
            language=cv.language,
            model=self.encoder.describe(),
            calibration=self.calibration.describe(),
            cv_sections_found=tuple(name for name in cv.sections.sections if name != HEADER),
            warnings=self._warnings(cv),
        )

    def _section_facts(self, name: str, job: PreparedJob, cv: _ReadCV) -> dict[str, object]:
        """Profile facts shown beside a section score: years of experience, education levels."""
        if name == "experience":
            experience_text = cv.sections.get("experience") or cv.text
            estimate = estimate_experience(experience_text, today=self._today)
            return {"years_found": estimate.years, "years_required": job.job.min_experience_years}
        if name == "education":
            found = detect_education(cv.sections.get("education") or cv.text)
            return {
                "level_found": found.level.name if found else None,
                "level_required": job.required_education.name if job.required_education else None,
                "meets_requirement": None
                if job.required_education is None or found is None
                else found.level >= job.required_education,
            }
        return {}

    def _warnings(self, cv: _ReadCV) -> tuple[str, ...]:
        warnings = []
        if not cv.sections.has_headings:
            warnings.append("no_section_headings: every section was scored on the whole CV text")
        if self.encoder.fallback:
            warnings.append(f"model_fallback: {self.encoder.configured} could not be loaded; scored with {self.encoder.name}")
        if self.calibration.is_identity:
            warnings.append(f"uncalibrated_model: no calibration for {self.encoder.name}; section scores are raw cosine x 100")
        if cv.language == "unknown":
            warnings.append("language_unknown: the CV is neither Indonesian nor English enough to tell")
        return tuple(warnings)


def _compare_skills(
    required: Sequence[RequiredSkill], cv_skills: Sequence[object], cv_text: str
) -> tuple[tuple[SkillMatch, ...], tuple[MissingSkill, ...]]:
    """Split the job's required skills into those the CV shows and those it does not."""
    cv_forms = {m.name: m.surface for m in cv_skills}  # type: ignore[attr-defined]
    cv_words = " ".join(_WORD.findall(cv_text.lower()))
    matched: list[SkillMatch] = []
    missing: list[MissingSkill] = []
    for skill in required:
        if skill.in_catalog and skill.name in cv_forms:
            matched.append(SkillMatch(skill.name, cv_forms[skill.name], skill.job_form))
        elif not skill.in_catalog and f" {' '.join(_WORD.findall(skill.name.lower()))} " in f" {cv_words} ":
            matched.append(SkillMatch(skill.name, skill.name, skill.job_form))
        else:
            missing.append(MissingSkill(skill.name, skill.job_form, skill.in_catalog))
    return tuple(matched), tuple(missing)


def _education_level(name: str | None) -> EducationLevel | None:
    """The level named by a job's `education_level` field ("S1", "D3", ...), if it is one."""
    if not name:
        return None
    try:
        return EducationLevel[name.strip().upper()]
    except KeyError:
        return parse_education_requirement(name)
