"""Score CVs against a job: the engine's one entry point for the worker, the CLI and training."""
from __future__ import annotations

import copy
import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np

from shared.engine.calibration import Calibration
from shared.engine.cohort import BackgroundCohort, cohort_z, summarise
from shared.engine.encoders import LoadedEncoder
from shared.engine.jobs import JobPosting
from shared.engine.keywords import KeywordScorer
from shared.engine.personal_data import PersonalDataReport
from shared.engine.profile import detect_education, estimate_experience
from shared.engine.qualifications import Qualifications
from shared.engine.reading import MUST_HAVE, EngineResources, ReadCV, ReadJob, RequiredSkill, TextReader
from shared.engine.results import Evidence, MatchResult, MissingSkill, SectionResult, SkillMatch
from shared.engine.scoring import SECTIONS, ScoringPolicy
from shared.engine.similarity import section_similarity
from shared.engine.sections import HEADER
from shared.engine.skills import SkillCatalog, SkillMention
from shared.engine.text_checks import InvalidTextError

__all__ = ["EngineResources", "JobVectorStore", "Matcher", "PreparedJob", "Recommendations"]

MAX_EVIDENCE = 3
_MAX_OTHER_SKILLS = 15
_WORD = re.compile(r"\w+")


class JobVectorStore(Protocol):
    """Somewhere job embeddings outlive one process (the database, for all workers)."""

    def load(self, key: str) -> dict[str, np.ndarray] | None:
        """The section vectors stored under `key`, or None."""
        ...

    def save(self, key: str, model_name: str, vectors: dict[str, np.ndarray]) -> None:
        """Keep the section vectors under `key`."""
        ...


@dataclass(frozen=True)
class PreparedJob:
    """A job read and embedded once for one model: one vector per section."""

    read: ReadJob
    model_name: str
    vectors: dict[str, np.ndarray]
    cohort_similarities: dict[str, np.ndarray] | None = None
    cohort_member: int | None = None


@dataclass(frozen=True)
class Recommendations:
    """The jobs that fit one CV best, best first, and how the CV was read (once, for all of them)."""

    language: str
    cv_sections_found: tuple[str, ...]
    personal_data: PersonalDataReport
    jobs_considered: int
    results: tuple[MatchResult, ...]


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
        text_cache_size: int = 0,
        job_vectors: JobVectorStore | None = None,
        today: date | None = None,
        blind_screening: bool = True,
    ) -> None:
        self.encoder = encoder
        self.resources = resources
        self.calibration = calibration
        self.policy = policy or ScoringPolicy()
        self.reader = TextReader(resources, max_cv_chars=max_cv_chars, blind_screening=blind_screening)
        # The background cohort is read as the calibration was fitted with it: nothing taken out.
        self._cohort_reader = TextReader(resources, max_cv_chars=max_cv_chars, blind_screening=False)
        self._today = today
        self._keywords = KeywordScorer(resources.keyword_corpus)
        self._jobs: OrderedDict[str, PreparedJob] = OrderedDict()
        self._job_cache_size = job_cache_size
        # CV text -> embedding, for callers that score the same CVs against many jobs (evaluation);
        # off by default so that a long-running worker's memory does not grow with what it has seen.
        self._text_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._text_cache_size = text_cache_size
        self._job_vectors = job_vectors
        _check_cohort(calibration, resources)
        self._cohort: BackgroundCohort | None = None

    def with_calibration(self, calibration: Calibration) -> Matcher:
        """This engine under another calibration, sharing its caches and background cohort.

        None of them depends on the calibration, so an evaluation that fits a calibration on
        training pairs and then scores with it embeds no text and no cohort a second time.
        """
        _check_cohort(calibration, self.resources)
        self._background_cohort()  # built before the copy, so that both share one
        recalibrated = copy.copy(self)
        recalibrated.calibration = calibration
        return recalibrated

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
        read = self.reader.read_job(job)
        vectors = self._job_section_vectors(read)
        cohort = self._background_cohort()
        if cohort is None:
            return PreparedJob(read=read, model_name=self.encoder.name, vectors=vectors)
        return PreparedJob(
            read=read,
            model_name=self.encoder.name,
            vectors=vectors,
            cohort_similarities={name: cohort.cv_similarities(name, vectors[name]) for name in SECTIONS},
            cohort_member=cohort.job_index.get(_job_key(read)),
        )

    def _job_section_vectors(self, read: ReadJob) -> dict[str, np.ndarray]:
        """One vector per section: the normalised mean of its parts' embeddings (stored when a store is given)."""
        parts = [part for name in SECTIONS for part in read.parts[name]]
        # Keyed by the model's identity (not its name: a model retrained into the same folder keeps
        # that) and the exact texts embedded, so a stored vector can never be stale.
        key = hashlib.sha256("\x1f".join([self.encoder.identity, *parts]).encode("utf-8")).hexdigest()
        vectors = self._job_vectors.load(key) if self._job_vectors is not None else None
        if vectors is None:
            distinct = list(dict.fromkeys(parts))
            embedded = dict(zip(distinct, self.encoder.encoder.encode(distinct)))
            vectors = {name: _normalised_mean([embedded[part] for part in read.parts[name]]) for name in SECTIONS}
            if self._job_vectors is not None:
                self._job_vectors.save(key, self.encoder.name, vectors)
        return vectors

    def _background_cohort(self) -> BackgroundCohort | None:
        """The cohorts' section vectors, embedded on first use (once per process and model)."""
        if self._cohort is None and self.resources.has_cohort:
            read = [self._cohort_reader.read_cv(text) for text in self.resources.cohort_cvs]
            cv_vectors = self._encode_cv_texts(read)
            jobs = [self.reader.read_job(job) for job in self.resources.cohort_jobs]
            job_vectors = [self._job_section_vectors(job) for job in jobs]
            self._cohort = BackgroundCohort(
                cv_blocks={name: np.stack([cv_vectors[cv.blocks[name]] for cv in read]) for name in SECTIONS},
                cv_sentences={name: tuple(_sentence_matrix(cv, name, cv_vectors) for cv in read) for name in SECTIONS},
                job_vectors={name: np.stack([vectors[name] for vectors in job_vectors]) for name in SECTIONS},
                cv_index={cv.checked_text: index for index, cv in enumerate(read)},
                job_index={_job_key(job): index for index, job in enumerate(jobs)},
            )
        return self._cohort

    def warm_up(self, jobs: Sequence[JobPosting], *, chunk_size: int) -> None:
        """Run the whole scoring path once, in a chunk and singly, on the jobs' own texts.

        Lazily built state (detector profiles, tokenizer and allocator pools) then exists before
        the first real CV: without this a worker's memory grows by about 5 % over its first
        tasks, and its first request is slower than the rest.
        """
        if not jobs:
            return
        texts = [job.full_text for job in jobs[:chunk_size]]
        self.score_many(jobs[0], texts)
        self.score(jobs[-1], texts[0])

    # -- CV side ----------------------------------------------------------------------------------

    def score(
        self,
        job: JobPosting | PreparedJob,
        cv_text: str,
        *,
        candidate_name: str | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> MatchResult:
        """Score one CV against one job (with the policy's section weights unless `weights` are given).

        `candidate_name` is taken out of the CV with its other personal data (blind screening).

        Raises:
            InvalidTextError: the CV is empty, has no letters, or is longer than `max_cv_chars`.
            ValueError: `weights` are negative or do not add up to 1.
        """
        names = None if candidate_name is None else [candidate_name]
        outcome = self.score_many(job, [cv_text], candidate_names=names, weights=weights)[0]
        if isinstance(outcome, InvalidTextError):
            raise outcome
        return outcome

    def score_many(
        self,
        job: JobPosting | PreparedJob,
        cv_texts: Sequence[str],
        *,
        candidate_names: Sequence[str] | None = None,
        evidence: bool = True,
        weights: Mapping[str, float] | None = None,
    ) -> list[MatchResult | InvalidTextError]:
        """Score many CVs against one job, embedding the job once and all CV texts in one call.

        A CV that cannot be scored yields an `InvalidTextError` in its place; the others are scored.
        With `evidence=False` no evidence is returned (the scores are the same; evaluation runs
        need only those). The CV sentences are embedded either way: the section similarity reads them.
        `weights` ({skills, experience, education}) replace the policy's section weights.
        `candidate_names`, parallel to `cv_texts`, are taken out of each CV with its other personal data.

        Raises:
            ValueError: `weights` are negative or do not add up to 1, or `candidate_names` is not
                as long as `cv_texts`.
        """
        if candidate_names is not None and len(candidate_names) != len(cv_texts):
            raise ValueError(f"{len(candidate_names)} candidate names for {len(cv_texts)} CVs")
        policy = self.policy.with_weights(weights)
        prepared = job if isinstance(job, PreparedJob) else self.prepare_job(job)
        names: Sequence[str | None] = candidate_names if candidate_names is not None else [None] * len(cv_texts)
        read: list[ReadCV | InvalidTextError] = []
        for text, name in zip(cv_texts, names):
            try:
                read.append(self.reader.read_cv(text, candidate_name=name))
            except InvalidTextError as error:
                read.append(error)
        vectors = self._encode_cv_texts([r for r in read if isinstance(r, ReadCV)])
        return [
            r if isinstance(r, InvalidTextError) else self._score_read_cv(prepared, r, vectors, policy, evidence=evidence)
            for r in read
        ]

    def recommend(
        self,
        jobs: Sequence[JobPosting | PreparedJob],
        cv_text: str,
        *,
        limit: int,
        candidate_name: str | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> Recommendations:
        """The `limit` jobs with the highest semantic score for one CV, each with its full explanation.

        The CV is read and embedded once; its section vectors meet all jobs' vectors in one matrix
        product per section, and only the best `limit` jobs are explained (evidence, skills,
        qualifications). Their scores are those `score` gives for the same pair. `candidate_name` is
        taken out of the CV with its other personal data (blind screening).

        Raises:
            InvalidTextError: the CV is empty, has no letters, or is longer than `max_cv_chars`.
            ValueError: `weights` are negative or do not add up to 1.
        """
        policy = self.policy.with_weights(weights)
        prepared = [job if isinstance(job, PreparedJob) else self.prepare_job(job) for job in jobs]
        cv = self.reader.read_cv(cv_text, candidate_name=candidate_name)
        vectors = self._encode_cv_texts([cv])
        semantic = self._semantic_scores(prepared, cv, vectors, policy)
        best = np.argsort(-semantic, kind="stable")[:limit]
        explained = [self._score_read_cv(prepared[i], cv, vectors, policy, evidence=True) for i in best]
        return Recommendations(
            language=cv.language,
            cv_sections_found=_sections_found(cv),
            personal_data=cv.personal_data,
            jobs_considered=len(prepared),
            results=tuple(sorted(explained, key=lambda result: -result.semantic_score)),
        )

    def _semantic_scores(
        self, jobs: Sequence[PreparedJob], cv: ReadCV, vectors: dict[str, np.ndarray], policy: ScoringPolicy
    ) -> np.ndarray:
        """The semantic score of one read CV against every job: one similarity matrix product per section."""
        if not jobs:
            return np.zeros(0)
        cohort = self._background_cohort()
        cv_member = cohort.cv_index.get(cv.checked_text) if cohort is not None else None
        section_scores: dict[str, list[float]] = {}
        for name in SECTIONS:
            block, sentences = vectors[cv.blocks[name]], _sentence_matrix(cv, name, vectors)
            raw = section_similarity(block, sentences, np.stack([job.vectors[name] for job in jobs]))
            against_cohort_jobs = cohort.cv_similarities_of(name, block, sentences) if cohort is not None else None
            section_scores[name] = [
                self.calibration.to_score(
                    name, float(similarity), _cohort_z(cohort, name, float(similarity), job, cv_member, against_cohort_jobs)
                )
                for similarity, job in zip(raw, jobs)
            ]
        return np.array(
            [policy.semantic_score({name: section_scores[name][i] for name in SECTIONS}) for i in range(len(jobs))]
        )

    def _encode_cv_texts(self, cvs: list[ReadCV]) -> dict[str, np.ndarray]:
        """Embed every distinct section block and sentence of the CVs in one encoder call."""
        texts = dict.fromkeys(t for cv in cvs for name in SECTIONS for t in (cv.blocks[name], *cv.units[name]))
        vectors = {text: self._text_vectors[text] for text in texts if text in self._text_vectors}
        missing = [text for text in texts if text not in vectors]
        if missing:
            vectors.update(zip(missing, self.encoder.encoder.encode(missing)))
        if self._text_cache_size:
            for text in texts:
                self._text_vectors[text] = vectors[text]
                self._text_vectors.move_to_end(text)
            while len(self._text_vectors) > self._text_cache_size:
                self._text_vectors.popitem(last=False)
        return vectors

    def _score_read_cv(
        self, job: PreparedJob, cv: ReadCV, vectors: dict[str, np.ndarray], policy: ScoringPolicy, *, evidence: bool
    ) -> MatchResult:
        sections: dict[str, SectionResult] = {}
        cohort = self._background_cohort()
        cv_member = cohort.cv_index.get(cv.checked_text) if cohort is not None else None
        for name in SECTIONS:
            job_vector = job.vectors[name]
            block, sentences = vectors[cv.blocks[name]], _sentence_matrix(cv, name, vectors)
            raw = float(section_similarity(block, sentences, job_vector[np.newaxis, :])[0])
            against_cohort_jobs = cohort.cv_similarities_of(name, block, sentences) if cohort is not None else None
            z = _cohort_z(cohort, name, raw, job, cv_member, against_cohort_jobs)
            sections[name] = SectionResult(
                score=self.calibration.to_score(name, raw, z),
                raw_similarity=round(raw, 4),
                cohort_z=round(z, 4) if z is not None else None,
                cv_source=cv.sources[name],
                evidence=_evidence(cv.units[name], vectors, job_vector) if evidence else (),
                facts=self._section_facts(name, job, cv),
            )
        semantic = policy.semantic_score({name: sections[name].score for name in SECTIONS})
        keyword_cosine = self._keywords.score(job.read.text, cv.text)
        cv_skills = self.resources.extractor.extract(cv.text)
        matched, missing = _compare_skills(job.read.required_skills, cv_skills, cv.text, self.resources.extractor.catalog)
        required_names = {option.name for skill in job.read.required_skills for option in skill.options}
        experience, education = sections["experience"].facts, sections["education"].facts
        grade = policy.grade(semantic, meets_education=education["meets_requirement"])
        return MatchResult(
            job_id=job.read.job.job_id,
            grade=grade,
            semantic_score=semantic,
            keyword_score=self.calibration.keyword_score(keyword_cosine / 100),
            semantic_cosine=policy.semantic_score({name: 100 * sections[name].raw_similarity for name in SECTIONS}),
            keyword_cosine=keyword_cosine,
            sections=sections,
            matched_skills=matched,
            missing_skills=missing,
            other_skills=tuple(m.name for m in cv_skills if m.name not in required_names)[:_MAX_OTHER_SKILLS],
            language=cv.language,
            model=self.encoder.describe(),
            calibration=self.calibration.describe(),
            cv_sections_found=_sections_found(cv),
            qualifications=_qualifications(job.read, matched, experience, education, policy),
            weights=policy.weights,
            personal_data=cv.personal_data,
            warnings=self._warnings(cv) + self._grade_warnings(policy, grade, semantic, education),
        )

    def _grade_warnings(
        self, policy: ScoringPolicy, grade: str, semantic: float, education: dict[str, object]
    ) -> tuple[str, ...]:
        """Say so when a rule, not the score, set the grade (the education cap is the one such rule)."""
        if grade != policy.grade(semantic):
            return (
                f"education_below_requirement: the CV's education ({education['level_found']}) is below the job's "
                f"minimum ({education['level_required']}); graded at most Medium Match",
            )
        return ()

    def _section_facts(self, name: str, job: PreparedJob, cv: ReadCV) -> dict[str, object]:
        """Profile facts shown beside a section score: years of experience, education levels."""
        if name == "experience":
            experience_text = cv.sections.get("experience") or cv.text
            estimate = estimate_experience(experience_text, today=self._today)
            found: float | None = estimate.years
            if not estimate.ranges and not estimate.years and cv.sections.get("experience"):
                found = None  # a work history without dates or stated years: its length is unknown, not zero
            return {"years_found": found, "years_required": job.read.job.min_experience_years}
        if name == "education":
            # A level written outside a badly cut education section (a two-column page) still counts.
            found = detect_education(cv.sections.get("education")) or detect_education(cv.text)
            required = job.read.required_education
            return {
                "level_found": found.level.name if found else None,
                "level_required": required.name if required else None,
                "meets_requirement": None if required is None or found is None else found.level >= required,
            }
        return {}

    def _warnings(self, cv: ReadCV) -> tuple[str, ...]:
        warnings = []
        if not cv.sections.has_headings:
            warnings.append("no_section_headings: every section was scored on the whole CV text")
        elif cv.sections.scrambled:
            warnings.append(
                "sections_scrambled: the headings are not beside their contents (a multi-column page read across?); "
                "every section was scored on the whole CV text"
            )
        if self.encoder.fallback:
            warnings.append(f"model_fallback: {self.encoder.configured} could not be loaded; scored with {self.encoder.name}")
        if self.calibration.is_identity:
            warnings.append(f"uncalibrated_model: no calibration for {self.encoder.name}; section scores are raw cosine x 100")
        if cv.language == "unknown":
            warnings.append("language_unknown: the CV is neither Indonesian nor English enough to tell")
        return tuple(warnings)


def _qualifications(
    job: ReadJob, matched: Sequence[SkillMatch], experience: dict[str, Any], education: dict[str, Any], policy: ScoringPolicy
) -> Qualifications:
    """The job's stated requirements against the CV's facts (section facts and the must-have skills it shows)."""
    shown = {match.requirement for match in matched if match.level == MUST_HAVE}
    return Qualifications(
        required_years=experience["years_required"],
        found_years=experience["years_found"],
        education_required=education["level_required"],
        education_found=education["level_found"],
        education_met=education["meets_requirement"],
        skills_matched=len(shown),
        # A free-text requirement the catalog does not know and the CV does not write verbatim is
        # not judged: the CV may well show it in other words.
        skills_total=len(shown) + sum(
            skill.level == MUST_HAVE and skill.name not in shown and any(o.in_catalog for o in skill.options)
            for skill in job.required_skills
        ),
        skills_min_share=policy.required_skills_min_share,
    )


def _check_cohort(calibration: Calibration, resources: EngineResources) -> None:
    """Refuse a calibration that reads cohort z values when the engine has no cohort."""
    if calibration.uses_cohort and not resources.has_cohort:
        raise ValueError(f"the calibration of {calibration.model} needs background cohorts of CVs and jobs, and none was given")


def _cohort_z(
    cohort: BackgroundCohort | None,
    section: str,
    similarity: float,
    job: PreparedJob,
    cv_member: int | None,
    against_cohort_jobs: np.ndarray | None,
) -> float | None:
    """The pair's z value against both cohorts, neither side among its own background; None without cohorts.

    `against_cohort_jobs` is the CV section against the cohort's jobs, computed once however many jobs it meets.
    """
    if cohort is None or job.cohort_similarities is None or against_cohort_jobs is None:
        return None
    job_side = summarise(job.cohort_similarities[section], leave_out=cv_member)
    cv_side = summarise(against_cohort_jobs, leave_out=job.cohort_member)
    return cohort_z(similarity, job_side, cv_side)


def _sections_found(cv: ReadCV) -> tuple[str, ...]:
    """The CV's own sections, in text order (the header is not one)."""
    return tuple(name for name in cv.sections.sections if name != HEADER)


def _sentence_matrix(cv: ReadCV, section: str, vectors: dict[str, np.ndarray]) -> np.ndarray:
    """The embeddings of a CV section's sentences, one row each."""
    return np.stack([vectors[unit] for unit in cv.units[section]])


def _job_key(job: ReadJob) -> str:
    """What identifies a job for the cohort: the texts its section vectors are made of."""
    return "\x1f".join(part for name in SECTIONS for part in job.parts[name])


def _normalised_mean(vectors: Sequence[np.ndarray]) -> np.ndarray:
    """The unit-length mean of unit vectors (the single vector itself when there is one)."""
    if len(vectors) == 1:
        return vectors[0]
    mean = np.mean(vectors, axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def _evidence(units: Sequence[str], vectors: dict[str, np.ndarray], job_vector: np.ndarray) -> tuple[Evidence, ...]:
    """The CV sentences closest to the job's side of a section, best first."""
    similarity = np.array([float(vectors[u] @ job_vector) for u in units])
    order = np.argsort(-similarity, kind="stable")[:MAX_EVIDENCE]
    return tuple(Evidence(units[i], round(float(similarity[i]), 4)) for i in order)


def _compare_skills(
    required: Sequence[RequiredSkill], cv_skills: Sequence[SkillMention], cv_text: str, catalog: SkillCatalog
) -> tuple[tuple[SkillMatch, ...], tuple[MissingSkill, ...]]:
    """Split the job's skills into those the CV shows, itself or through a narrower skill, and those it does not."""
    cv_forms = {m.name: m.surface for m in cv_skills}
    # The narrower skill a CV shows for each broader one it implies, the first written winning.
    implied: dict[str, SkillMention] = {}
    for mention in cv_skills:
        for broader in catalog.broader(mention.name):
            implied.setdefault(broader, mention)
    cv_words = f" {' '.join(_WORD.findall(cv_text.lower()))} "
    matched: list[SkillMatch] = []
    missing: list[MissingSkill] = []
    for skill in required:
        match = _shown(skill, cv_forms, implied, cv_words)
        if match is not None:
            matched.append(match)
        else:
            options = tuple(option.name for option in skill.options)
            missing.append(MissingSkill(skill.name, skill.job_form, skill.in_catalog, skill.level, options))
    return tuple(matched), tuple(missing)


def _shown(
    skill: RequiredSkill, cv_forms: dict[str, str], implied: dict[str, SkillMention], cv_words: str
) -> SkillMatch | None:
    """How the CV satisfies one requirement: an option it names (preferred), else one it implies; None if neither."""
    for option in skill.options:
        if option.in_catalog and option.name in cv_forms:
            return SkillMatch(option.name, cv_forms[option.name], skill.job_form, skill.name, skill.level)
        if not option.in_catalog and f" {' '.join(_WORD.findall(option.name.lower()))} " in cv_words:
            return SkillMatch(option.name, option.name, skill.job_form, skill.name, skill.level)
    for option in skill.options:
        if option.in_catalog and option.name in implied:
            narrower = implied[option.name]
            return SkillMatch(option.name, narrower.surface, skill.job_form, skill.name, skill.level, via=narrower.name)
    return None
