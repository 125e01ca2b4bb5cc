"""POST /api/match (score one CV, answer in the same request), GET and DELETE /api/match/<task_id>."""
from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from api import dispatch
from api.endpoints import endpoint
from api.errors import APIError
from api.schemas import DATABASE_UNAVAILABLE, ErrorBody, MatchPending, MatchRequest, MatchResult
from api.services import ApiServices, services
from shared import repository
from shared.repository import MATCH
from shared.db import write_transaction
from shared.engine.text_checks import cv_fingerprint
from shared.queue import MATCH_TASK

bp = Blueprint("match", __name__)

_COMMON_ERRORS = {401: ("No or wrong token", ErrorBody), 404: ("Unknown job or match", ErrorBody)}


@bp.post("/match")
@endpoint(
    "Score one CV against a seeded or inline job; waits for the worker",
    tag="match",
    body=MatchRequest,
    responses={
        200: ("The result", MatchResult),
        400: ("Invalid JSON or fields", ErrorBody),
        **_COMMON_ERRORS,
        413: ("Body or CV text too large", ErrorBody),
        415: ("Body is not JSON", ErrorBody),
        422: ("The CV text cannot be scored (empty, no letters)", ErrorBody),
        500: ("The worker failed on this match (scoring_failed)", ErrorBody),
        503: (
            "The task queue is unreachable (broker_unavailable), the database is unavailable (database_unavailable), "
            "or MAX_QUEUE_DEPTH matches already wait for a worker (queue_full: nothing was stored); "
            "try again after Retry-After seconds",
            ErrorBody,
        ),
        504: ("No answer within MATCH_TIMEOUT_SECONDS; details.result_url gives the result later", ErrorBody),
    },
    headers={503: {"Retry-After": "Seconds to wait before sending the match again"}},
)
def create_match(body: MatchRequest) -> Any:
    svc = services()
    job_title = _job_title(svc, body)
    dispatch.check_cv_text(body.cv_text, svc)
    dispatch.refuse_when_queue_full(svc)
    task_id = str(uuid.uuid4())
    with write_transaction(svc.db) as connection:
        repository.record_match_queued(
            connection,
            task_id=task_id,
            job_id=body.job_id,
            job_title=job_title,
            candidate_id=body.candidate_id,
            candidate_name=body.candidate_name,
            cv_sha256=cv_fingerprint(body.cv_text),
        )
    dispatch.send_and_wait(svc, MATCH_TASK, task_id=task_id, request=body.model_dump(mode="json"), result_url=_result_url(task_id))
    return _outcome_response(task_id, dispatch.stored_request(task_id, MATCH)["outcome"])


@bp.get("/match/<task_id>")
@endpoint(
    "The result of a match, once the worker has stored it",
    tag="match",
    responses={
        200: ("The result", MatchResult),
        202: ("Still queued or being scored", MatchPending),
        **_COMMON_ERRORS,
        422: ("The CV text could not be scored", ErrorBody),
        500: ("The worker failed on this match (scoring_failed)", ErrorBody),
        **DATABASE_UNAVAILABLE,
    },
)
def get_match(task_id: str) -> Any:
    row = dispatch.stored_request(task_id, MATCH)
    if row["status"] == "queued":
        pending = MatchPending(task_id=task_id, status="queued", result_url=_result_url(task_id))
        return jsonify(pending.model_dump()), 202
    return _outcome_response(task_id, row["outcome"])


@bp.delete("/match/<task_id>")
@endpoint(
    "Delete a finished match's stored result (and its CV text, if kept)",
    tag="match",
    responses={
        204: ("Deleted", None),
        401: ("No or wrong token", ErrorBody),
        404: ("Unknown match", ErrorBody),
        409: ("Still queued or being scored: delete it once it is finished", ErrorBody),
        **DATABASE_UNAVAILABLE,
    },
)
def delete_match(task_id: str) -> Response:
    dispatch.delete_finished_request(task_id, MATCH, result_url=_result_url(task_id))
    return Response(status=204)


def _job_title(svc: ApiServices, body: MatchRequest) -> str:
    """The title of the job scored against; 404 for an unknown job_id."""
    if body.job is not None:
        return body.job.title
    with svc.db.connect() as connection:
        job = repository.get_job(connection, body.job_id or "")
    if job is None:
        raise APIError(404, "job_not_found", f"no job with id {body.job_id!r}")
    return str(job["title"])


def _outcome_response(task_id: str, outcome: dict[str, Any]) -> Response:
    """200 with the result, or the stored error with its status."""
    dispatch.raise_stored_error(task_id, outcome)
    return jsonify(MatchResult.model_validate({"task_id": task_id, **outcome}).model_dump(mode="json"))


def _result_url(task_id: str) -> str:
    return url_for("match.get_match", task_id=task_id)
