"""Score annotated pairs with the engine itself: the service's scoring, not a second implementation."""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from shared.bootstrap import build_matcher
from shared.config import Settings
from shared.engine.calibration import BACKGROUND_COHORT, RAW_COSINE, Calibration, fit_calibration, target_score
from shared.engine.jobs import JobPosting
from shared.engine.matcher import Matcher
from shared.engine.results import MatchResult
from shared.engine.scoring import SECTIONS
from training.annotations import Pair


# Evaluation scores each CV against several jobs: keep every CV text's embedding.
_TEXT_CACHE_SIZE = 50_000


class ScorablePair(Protocol):
    """What scoring needs of a pair: an id to name it in errors, the CV text, the job as a mapping."""

    @property
    def pair_id(self) -> str: ...

    @property
    def cv_text(self) -> str: ...

    @property
    def job(self) -> dict[str, Any]: ...


def load_matcher(settings: Settings, model_name: str) -> Matcher:
    """The engine on `model_name`; never a silent fallback (an evaluation must score the model it names)."""
    matcher = build_matcher(settings.model_copy(update={"model_name": model_name, "model_fallback_allowed": False}))
    return Matcher(
        matcher.encoder, matcher.resources, matcher.calibration, policy=matcher.policy, text_cache_size=_TEXT_CACHE_SIZE
    )


def score_pairs(matcher: Matcher, pairs: Sequence[ScorablePair]) -> list[MatchResult]:
    """One result per pair, in order; each job is embedded once and its CVs in one call."""
    by_job: dict[str, list[int]] = {}
    for index, pair in enumerate(pairs):
        by_job.setdefault(json.dumps(pair.job, sort_keys=True), []).append(index)
    results: list[MatchResult | None] = [None] * len(pairs)
    for job_json, indexes in by_job.items():
        job = JobPosting.from_dict(json.loads(job_json))
        outcomes = matcher.score_many(job, [pairs[i].cv_text for i in indexes], evidence=False)
        for index, outcome in zip(indexes, outcomes):
            if not isinstance(outcome, MatchResult):
                raise ValueError(f"pair {pairs[index].pair_id} cannot be scored: {outcome}")
            results[index] = outcome
    return results  # type: ignore[return-value]


def fit_pair_calibration(matcher: Matcher, pairs: Sequence[Pair], *, fitted_on: str) -> tuple[Calibration, dict[str, float]]:
    """Fit the model's section curves and the keyword curve on annotated pairs against the annotators' targets.

    The curves read each section's z value against the background cohort when the engine has
    one (what transfers to real documents), else the raw cosine. Score with the fit through
    `matcher.with_calibration(calibration)`: it reuses the embeddings made here.
    """
    results = score_pairs(matcher.with_calibration(Calibration.identity(matcher.encoder.name)), pairs)
    use_cohort = matcher.resources.has_cohort
    values = {
        name: [r.sections[name].cohort_z if use_cohort else r.sections[name].raw_similarity for r in results] for name in SECTIONS
    }
    return fit_calibration(
        matcher.encoder.name,
        values,
        [target_score(p.mean_grade) for p in pairs],
        fitted_on=f"{fitted_on}; cohort {matcher.resources.cohort_name}" if use_cohort else fitted_on,
        normalisation=BACKGROUND_COHORT if use_cohort else RAW_COSINE,
        keyword_cosines=[r.keyword_cosine / 100 for r in results],
    )
