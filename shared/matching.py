"""Score one candidate with the engine and shape the outcome the API returns and the database keeps."""
from __future__ import annotations

from typing import Any

from shared.engine.jobs import JobPosting
from shared.engine.matcher import Matcher
from shared.engine.text_checks import InvalidTextError


def error_outcome(code: str, message: str) -> dict[str, Any]:
    """An outcome for a CV that cannot be scored, in the API's error shape."""
    return {"error": {"code": code, "message": message, "details": {}}}


def score_candidates(
    matcher: Matcher, job: JobPosting, candidates: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Score candidates ({candidate_id, candidate_name, cv_text}) against one job.

    Returns one outcome per candidate, in order: the result with the candidate's id and
    name, or an error outcome for a CV the engine cannot score.
    """
    outcomes = matcher.score_many(job, [c["cv_text"] for c in candidates])
    shaped = []
    for candidate, outcome in zip(candidates, outcomes):
        if isinstance(outcome, InvalidTextError):
            shaped.append(error_outcome(outcome.code, outcome.message))
        else:
            shaped.append(
                {"candidate_id": candidate["candidate_id"], "candidate_name": candidate["candidate_name"], **outcome.to_dict()}
            )
    return shaped
