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
    """What a match or recommendations task returns: its status and grade (or job count) or error code, without candidate data."""
    if "error" in outcome:
        return {"status": "failed", "error": outcome["error"]["code"]}
    if "results" in outcome:
        return {"status": "done", "jobs": len(outcome["results"])}
    return {"status": "done", "grade": outcome["grade"]}


# What a recommendation says once for all its jobs, not in each job's result.
_SAID_ONCE = ("language", "cv_sections_found", "personal_data", "model", "calibration")
_JOB_BRIEF = ("job_id", "title", "company", "industry", "language", "location")


def recommend_jobs(matcher: Matcher, jobs: list[dict[str, Any]], request: dict[str, Any]) -> dict[str, Any]:
    """The seeded jobs (rows as stored) that fit one candidate's CV best, for POST /api/recommendations.

    `request` has the candidate fields, optional `industry` and `language` filters, `limit` and `weights`.
    A CV the engine refuses gets its error outcome.
    """
    industry, language = request.get("industry"), request.get("language")
    chosen = [
        job
        for job in jobs
        if (industry is None or job["industry"].lower() == industry.lower()) and (language is None or job["language"] == language)
    ]
    postings = {job["job_id"]: job for job in chosen}
    try:
        answer = matcher.recommend(
            [JobPosting.from_dict(job) for job in chosen],
            request["cv_text"],
            limit=request["limit"],
            candidate_name=request["candidate_name"],
            weights=request.get("weights"),
        )
    except InvalidTextError as error:
        return error_outcome(error.code, error.message)
    explained = [result.to_dict() for result in answer.results]
    return {
        "candidate_id": request["candidate_id"],
        "candidate_name": request["candidate_name"],
        "language": answer.language,
        "cv_sections_found": list(answer.cv_sections_found),
        "personal_data": answer.personal_data.to_dict(),
        "jobs_considered": answer.jobs_considered,
        "model": matcher.encoder.describe(),
        "calibration": matcher.calibration.describe(),
        "results": [
            {
                "rank": rank,
                "job": {field: postings[result["job_id"]].get(field) for field in _JOB_BRIEF},
                **{key: value for key, value in result.items() if key not in _SAID_ONCE},
            }
            for rank, result in enumerate(explained, start=1)
        ],
    }


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
