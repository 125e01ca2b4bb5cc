"""Score candidates with the engine and shape the outcomes the API returns and the database keeps."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from shared.engine.jobs import JobPosting
from shared.engine.matcher import Matcher
from shared.engine.results import MatchResult
from shared.engine.text_checks import InvalidTextError

logger = logging.getLogger(__name__)


def error_outcome(code: str, message: str) -> dict[str, Any]:
    """An outcome for a CV that could not be scored, in the API's error shape."""
    return {"error": {"code": code, "message": message, "details": {}}}


def outcome_summary(outcome: dict[str, Any]) -> dict[str, Any]:
    """What a match task returns: its status and grade or error code, without any candidate data."""
    if "error" in outcome:
        return {"status": "failed", "error": outcome["error"]["code"]}
    return {"status": "done", "grade": outcome["grade"]}


def score_candidates(
    matcher: Matcher, job: JobPosting, candidates: list[dict[str, Any]], *, weights: Mapping[str, float] | None = None
) -> list[dict[str, Any]]:
    """Score candidates ({candidate_id, candidate_name, cv_text}) against one job, in one encoder call.

    `weights` are the request's section weights (None: the matcher's policy), validated by the API.
    Each candidate's name is taken out of their CV before it is scored (blind screening).

    Never raises for a single CV: a CV the engine refuses gets its error outcome, and if the
    engine fails on the whole group, each CV is tried alone so that only the one that breaks
    it is marked `scoring_error`.
    """
    try:
        outcomes = matcher.score_many(
            job, [c["cv_text"] for c in candidates], candidate_names=[c["candidate_name"] for c in candidates], weights=weights
        )
    except InvalidTextError as error:  # the job itself cannot be scored
        return [error_outcome(error.code, error.message) for _ in candidates]
    except Exception:
        logger.exception("scoring %d CVs together failed; scoring them one by one", len(candidates))
        outcomes = [_score_alone(matcher, job, c, weights) for c in candidates]
    return [_shape(candidate, outcome) for candidate, outcome in zip(candidates, outcomes)]


def _score_alone(
    matcher: Matcher, job: JobPosting, candidate: dict[str, Any], weights: Mapping[str, float] | None
) -> MatchResult | InvalidTextError | dict[str, Any]:
    try:
        return matcher.score_many(job, [candidate["cv_text"]], candidate_names=[candidate["candidate_name"]], weights=weights)[0]
    except Exception:
        logger.exception("the engine failed on one CV")
        return error_outcome("scoring_error", "the engine failed on this CV; the error has been logged")


def _shape(candidate: dict[str, Any], outcome: MatchResult | InvalidTextError | dict[str, Any]) -> dict[str, Any]:
    if isinstance(outcome, InvalidTextError):
        return error_outcome(outcome.code, outcome.message)
    if isinstance(outcome, dict):
        return outcome
    return {"candidate_id": candidate["candidate_id"], "candidate_name": candidate["candidate_name"], **outcome.to_dict()}
