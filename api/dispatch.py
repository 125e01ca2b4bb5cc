"""Send work to the Celery workers by task name, and wait for it, with clear failures."""
from __future__ import annotations

import logging
from typing import Any

import redis
from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import AsyncResult
from kombu.exceptions import OperationalError as BrokerError

from api.errors import APIError
from api.services import ApiServices, services
from shared import repository
from shared.engine.text_checks import InvalidTextError, checked_cv_text
from shared.db import write_transaction
from shared.queue import MATCH_ARGUMENTS_SHOWN, queue_depth

logger = logging.getLogger(__name__)

_BROKER_DOWN = "the task queue (Redis) is unreachable; try again shortly"
# The HTTP status of an error a task stored (422 for the CV checks not named here).
STATUS_OF_ERROR = {"cv_text_too_long": 413, "job_not_found": 404, "scoring_error": 500, "scoring_failed": 500}
_NOT_FOUND = {repository.MATCH: ("match_not_found", "match"), repository.RECOMMENDATIONS: ("recommendations_not_found", "recommendation request")}
_NOT_FINISHED = {
    repository.MATCH: ("match_not_finished", "the match is still queued or being scored"),
    repository.RECOMMENDATIONS: ("recommendations_not_finished", "still queued or being scored"),
}
_RETRY_AFTER = {"Retry-After": "5"}


def refuse_when_queue_full(svc: ApiServices) -> None:
    """503 `queue_full` when MAX_QUEUE_DEPTH sync matches already wait for a worker (one Redis LLEN).

    Checked before anything is stored or enqueued, so a refused request leaves no trace. Several
    requests checking at once can each see room, so the queue may overshoot the bound by at most
    the API's threads; the bound is a guard against piling up, not an exact count.
    """
    limit = svc.settings.max_queue_depth
    try:
        waiting = queue_depth(svc.redis)
    except (redis.RedisError, OSError) as error:
        raise APIError(503, "broker_unavailable", _BROKER_DOWN, headers=_RETRY_AFTER) from error
    if waiting >= limit:
        logger.warning("refused a match: %d matches already wait for a worker (MAX_QUEUE_DEPTH=%d)", waiting, limit)
        raise APIError(
            503,
            "queue_full",
            "too many matches are waiting for a worker; try again after Retry-After seconds",
            {"waiting": waiting, "max_queue_depth": limit},
            headers=_RETRY_AFTER,
        )


def send(
    svc: ApiServices, task_name: str, *, task_id: str, kwargs: dict[str, Any], kwargs_shown: str | None = None
) -> AsyncResult:
    """Enqueue a task by name; 503 within about `BROKER_TIMEOUT_SECONDS` when Redis is down.

    `kwargs_shown` replaces the arguments wherever Celery shows them (its logs, the task events
    Flower displays); give it when they carry personal data.
    """
    try:
        svc.redis.ping()  # fails fast on a dead broker, where publishing would first retry
        return svc.celery.send_task(task_name, kwargs=kwargs, task_id=task_id, retry=False, kwargsrepr=kwargs_shown)
    except (redis.RedisError, BrokerError, OSError, RuntimeError) as error:
        # RuntimeError: Celery's result consumer gives up reconnecting to a dead Redis that way.
        logger.warning("enqueue of %s failed: %s", task_id, type(error).__name__)
        raise APIError(503, "broker_unavailable", _BROKER_DOWN, headers=_RETRY_AFTER) from error


def wait(result: AsyncResult, *, timeout: float, result_url: str) -> dict[str, Any]:
    """The task's return value; 504 after `timeout` seconds, 503 if Redis fails while waiting."""
    try:
        value = result.get(timeout=timeout, propagate=False)
    except CeleryTimeout:
        raise APIError(
            504,
            "match_timeout",
            f"the worker did not answer within {timeout:g} s; the request is still queued",
            {"task_id": result.id, "result_url": result_url},
        ) from None
    except (redis.RedisError, BrokerError, OSError, RuntimeError) as error:
        raise APIError(
            503, "broker_unavailable", _BROKER_DOWN, {"task_id": result.id, "result_url": result_url}, headers=_RETRY_AFTER
        ) from error
    if result.failed():
        logger.error("task %s failed: %s", result.id, type(value).__name__)
        raise APIError(500, "scoring_failed", "the worker failed to score this CV; it has been logged", {"task_id": result.id})
    return value  # type: ignore[no-any-return]


def check_cv_text(cv_text: str, svc: ApiServices) -> None:
    """Reject a CV the engine could not score before it is queued (413 too long, else 422)."""
    try:
        checked_cv_text(cv_text, max_chars=svc.settings.max_cv_chars)
    except InvalidTextError as error:
        raise APIError(STATUS_OF_ERROR.get(error.code, 422), error.code, error.message, {"field": "cv_text"}) from None


def stored_request(task_id: str, kind: str) -> dict[str, Any]:
    """The stored row of a match or recommendations request; 404 if there is none of that kind."""
    with services().db.connect() as connection:
        row = repository.get_match(connection, task_id, kind=kind)
    if row is None:
        raise _not_found(task_id, kind)
    return row


def delete_finished_request(task_id: str, kind: str, *, result_url: str) -> None:
    """Delete a finished match or recommendations answer and its kept CV text; 404 if unknown, 409 while queued.

    A queued task would store its outcome again after the delete, so only finished ones go.
    """
    with write_transaction(services().db) as connection:
        if repository.get_match(connection, task_id, kind=kind) is None:
            raise _not_found(task_id, kind)
        if not repository.delete_finished_match(connection, task_id, kind=kind):
            code, message = _NOT_FINISHED[kind]
            raise APIError(409, code, message, {"result_url": result_url})


def _not_found(task_id: str, kind: str) -> APIError:
    code, what = _NOT_FOUND[kind]
    return APIError(404, code, f"no {what} with task id {task_id!r}")


def raise_stored_error(task_id: str, outcome: dict[str, Any]) -> None:
    """Answer a stored error outcome with its status; return for a result."""
    if "error" in outcome:
        error = outcome["error"]
        raise APIError(STATUS_OF_ERROR.get(error["code"], 422), error["code"], error["message"], {"task_id": task_id})


def send_and_wait(svc: ApiServices, task_name: str, *, task_id: str, request: dict[str, Any], result_url: str) -> None:
    """Enqueue a sync request whose row is already stored as queued, and wait for the worker to store its outcome.

    The row is removed again when the task cannot be enqueued (503), so a refused request leaves no
    trace. The task returns only a summary (no candidate data passes through Redis); the caller
    reads the outcome from the database.
    """
    try:
        result = send(svc, task_name, task_id=task_id, kwargs={"request": request}, kwargs_shown=MATCH_ARGUMENTS_SHOWN)
    except APIError:
        with write_transaction(svc.db) as connection:
            repository.forget_match(connection, task_id)
        raise
    wait(result, timeout=svc.settings.match_timeout_seconds, result_url=result_url)
