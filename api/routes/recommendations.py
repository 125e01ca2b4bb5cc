"""POST /api/recommendations (the seeded jobs that fit one CV best, answered in the same request), GET and DELETE one."""
from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from api import dispatch
from api.endpoints import endpoint
from api.schemas import DATABASE_UNAVAILABLE, ErrorBody, MatchPending, RecommendationRequest, Recommendations
from api.services import services
from shared import repository
from shared.db import write_transaction
from shared.engine.text_checks import cv_fingerprint
from shared.queue import RECOMMEND_TASK
from shared.repository import RECOMMENDATIONS

bp = Blueprint("recommendations", __name__)

_UNKNOWN = {401: ("No or wrong token", ErrorBody), 404: ("Unknown recommendations task", ErrorBody)}


@bp.post("/recommendations")
@endpoint(
    "The seeded jobs that fit one CV best, ranked by semantic_score; waits for the worker",
    tag="recommendations",
    body=RecommendationRequest,
    responses={
        200: ("The jobs, best first, with the CV's reading once", Recommendations),
        400: ("Invalid JSON or fields", ErrorBody),
        401: ("No or wrong token", ErrorBody),
        413: ("Body or CV text too large", ErrorBody),
        415: ("Body is not JSON", ErrorBody),
        422: ("The CV text cannot be scored (empty, no letters)", ErrorBody),
        500: ("The worker failed on this request (scoring_failed)", ErrorBody),
        503: (
            "The task queue is unreachable (broker_unavailable), the database is unavailable (database_unavailable), "
            "or MAX_QUEUE_DEPTH requests already wait for a worker (queue_full: nothing was stored); "
            "try again after Retry-After seconds",
            ErrorBody,
        ),
        504: ("No answer within MATCH_TIMEOUT_SECONDS; details.result_url gives the answer later", ErrorBody),
    },
    headers={503: {"Retry-After": "Seconds to wait before sending the request again"}},
)
def create_recommendations(body: RecommendationRequest) -> Any:
    svc = services()
    dispatch.check_cv_text(body.cv_text, svc)
    dispatch.refuse_when_queue_full(svc)
    task_id = str(uuid.uuid4())
    jobs_asked = ", ".join(f"{name} {value}" for name, value in (("industry", body.industry), ("language", body.language)) if value)
    with write_transaction(svc.db) as connection:
        repository.record_match_queued(
            connection,
            task_id=task_id,
            job_id=None,
            job_title=f"jobs of {jobs_asked}" if jobs_asked else "all jobs",
            candidate_id=body.candidate_id,
            candidate_name=body.candidate_name,
            cv_sha256=cv_fingerprint(body.cv_text),
            kind=RECOMMENDATIONS,
        )
    dispatch.send_and_wait(svc, RECOMMEND_TASK, task_id=task_id, request=body.model_dump(mode="json"), result_url=_result_url(task_id))
    return _answer(task_id, dispatch.stored_request(task_id, RECOMMENDATIONS)["outcome"])


@bp.get("/recommendations/<task_id>")
@endpoint(
    "The answer to a recommendations request, once the worker has stored it",
    tag="recommendations",
    responses={
        200: ("The jobs, best first", Recommendations),
        202: ("Still queued or being scored", MatchPending),
        **_UNKNOWN,
        422: ("The CV text could not be scored", ErrorBody),
        500: ("The worker failed on this request (scoring_failed)", ErrorBody),
        **DATABASE_UNAVAILABLE,
    },
)
def get_recommendations(task_id: str) -> Any:
    row = dispatch.stored_request(task_id, RECOMMENDATIONS)
    if row["status"] == "queued":
        return jsonify(MatchPending(task_id=task_id, status="queued", result_url=_result_url(task_id)).model_dump()), 202
    return _answer(task_id, row["outcome"])


@bp.delete("/recommendations/<task_id>")
@endpoint(
    "Delete a finished recommendations answer (and its CV text, if kept)",
    tag="recommendations",
    responses={
        204: ("Deleted", None),
        **_UNKNOWN,
        409: ("Still queued or being scored: delete it once it is finished", ErrorBody),
        **DATABASE_UNAVAILABLE,
    },
)
def delete_recommendations(task_id: str) -> Response:
    dispatch.delete_finished_request(task_id, RECOMMENDATIONS, result_url=_result_url(task_id))
    return Response(status=204)


def _answer(task_id: str, outcome: dict[str, Any]) -> Response:
    """200 with the ranked jobs, or the stored error with its status."""
    dispatch.raise_stored_error(task_id, outcome)
    return jsonify(Recommendations.model_validate({"task_id": task_id, **outcome}).model_dump(mode="json"))


def _result_url(task_id: str) -> str:
    return url_for("recommendations.get_recommendations", task_id=task_id)
