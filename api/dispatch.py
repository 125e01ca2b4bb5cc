"""Send work to the Celery workers by task name, and wait for it, with clear failures."""
from __future__ import annotations

import logging
from typing import Any

import redis
from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import AsyncResult
from kombu.exceptions import OperationalError as BrokerError

from api.errors import APIError
from api.services import ApiServices
from shared.queue import queue_depth

logger = logging.getLogger(__name__)

_BROKER_DOWN = "the task queue (Redis) is unreachable; try again shortly"
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
            f"the worker did not answer within {timeout:g} s; the match is still queued",
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
