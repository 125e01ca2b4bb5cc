"""Thin tasks: decode ids, call the engine, store the outcome."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from sqlalchemy.exc import OperationalError

from shared import batch_store
from shared.db import is_transient_error, write_transaction
from shared.engine.jobs import JobPosting
from shared.matching import error_outcome, outcome_summary, recommend_jobs, score_candidates
from shared.queue import BATCH_TASK, MATCH_TASK, RECOMMEND_TASK
from shared.repository import all_jobs, get_job, record_match_outcome
from worker.runtime import WorkerRuntime, current_runtime

logger = logging.getLogger(__name__)

# The database unavailable (a missing or read-only SQLite file, a lock held past the busy timeout, a
# PostgreSQL restart): try again, 1, 2, 4 ... up to 60 s apart, for as long as it lasts. Giving up would
# acknowledge the task and drop a result nobody could ask for again; the retry keeps it in Redis.
_RETRY = {"max_retries": None}
RETRY_BACKOFF_MAX_SECONDS = 60
# A database error that will not pass by itself (a missing table or column, a broken statement) is
# retried this often, in case it came from a migration in progress, then the work is stored as failed.
PERMANENT_DATABASE_ERROR_RETRIES = 3


@shared_task(name=MATCH_TASK, bind=True, **_RETRY)
def match_cv(self: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Score one CV against a seeded job (`job_id`) or an inline `job` and store the outcome.

    Returns only its summary (status, grade): the return value goes to Redis, the logs and
    Flower, so it carries no candidate data; the API reads the stored result from the database.
    """
    runtime = current_runtime()
    job_id = request.get("job_id")
    store = _outcome_store(self.request.id, request, runtime)
    with _failure_stored(self, store):
        job_data = request.get("job")
        if job_id is not None:
            with runtime.db.connect() as connection:
                job_data = get_job(connection, job_id)
        if job_data is None:
            outcome = error_outcome("job_not_found", f"no job with id {job_id!r}")
        else:
            outcome = score_candidates(runtime.matcher, JobPosting.from_dict(job_data), [request], weights=request.get("weights"))[0]
        store(outcome)
    return outcome_summary(outcome)


@shared_task(name=RECOMMEND_TASK, bind=True, **_RETRY)
def recommend_for_cv(self: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Rank the seeded jobs (of one industry and language, if asked) for one CV and store the answer.

    Returns only its summary, like `match_cv`.
    """
    runtime = current_runtime()
    store = _outcome_store(self.request.id, request, runtime)
    with _failure_stored(self, store):
        with runtime.db.connect() as connection:
            jobs = all_jobs(connection)
        outcome = recommend_jobs(runtime.matcher, jobs, request)
        store(outcome)
    return outcome_summary(outcome)


def _outcome_store(task_id: str, request: dict[str, Any], runtime: WorkerRuntime) -> Callable[[dict[str, Any]], None]:
    """Completes the request's queued row with an outcome (and the CV text, when KEEP_CV_TEXT)."""

    def store(outcome: dict[str, Any]) -> None:
        with write_transaction(runtime.db) as connection:
            completed = record_match_outcome(
                connection,
                task_id=task_id,
                outcome=outcome,
                cv_text=request["cv_text"] if runtime.settings.keep_cv_text else None,
            )
        if not completed:
            logger.info("request %s was finished or deleted before this delivery: nothing stored", task_id)

    return store


@shared_task(name=BATCH_TASK, bind=True, **_RETRY)
def score_batch_chunk(self: Any, batch_id: str, item_indexes: list[int]) -> dict[str, Any]:
    """Score the still-pending items of one chunk of a batch in one engine call and store them."""
    runtime = current_runtime()

    def store(outcomes: Iterable[tuple[int, dict[str, Any]]]) -> int:
        with write_transaction(runtime.db) as connection:
            return batch_store.store_outcomes(connection, batch_id, outcomes, keep_cv_text=runtime.settings.keep_cv_text)

    with _failure_stored(self, lambda outcome: store((index, outcome) for index in item_indexes)):
        with runtime.db.connect() as connection:
            scored_with = batch_store.batch_job(connection, batch_id)
            candidates = batch_store.pending_candidates(connection, batch_id, item_indexes)
        if scored_with is None:
            logger.info("batch %s no longer exists (deleted or purged): task %s has nothing to do", batch_id, self.request.id)
            return {"batch_id": batch_id, "stored": 0}
        if not candidates:  # already scored by an earlier delivery
            return {"batch_id": batch_id, "stored": 0}
        with write_transaction(runtime.db) as connection:
            batch_store.mark_started(connection, batch_id)
        outcomes = score_candidates(runtime.matcher, JobPosting.from_dict(scored_with.job), candidates, weights=scored_with.weights)
        stored = store(zip((c["item_index"] for c in candidates), outcomes))
    logger.info("batch %s: stored %d of %d items of task %s", batch_id, stored, len(candidates), self.request.id)
    return {"batch_id": batch_id, "stored": stored}


@contextmanager
def _failure_stored(task: Any, store_failure: Callable[[dict[str, Any]], object]) -> Iterator[None]:
    """Retry what may pass; store a `scoring_failed` outcome for anything that would fail again, then re-raise.

    A database that is unavailable is not the task's fault: retried for as long as it lasts. A database
    error that will not pass (a missing table, a broken statement) is retried a few times, then ends as
    failed like any other error. Those would fail again on every delivery (and the requeue sweep would
    deliver a batch chunk again and again), so the match or the chunk's pending items end as failed with
    the reason; the task still fails, for the log and Flower.
    """
    try:
        yield
    except OperationalError as error:
        retries = task.request.retries
        if is_transient_error(error) or retries < PERMANENT_DATABASE_ERROR_RETRIES:
            countdown = get_exponential_backoff_interval(1, retries, RETRY_BACKOFF_MAX_SECONDS, full_jitter=True)
            raise task.retry(exc=error, countdown=countdown) from error
        reason = f"the database refused this task's statements ({_driver_message(error)})"
        logger.error("task %s: %s, %d retries; its work is stored as scoring_failed", task.request.id, reason, retries)
        _store_failure_if_possible(task.request.id, store_failure, error_outcome("scoring_failed", reason))
        raise
    except Exception as error:
        logger.error("task %s raised %s; its work is stored as scoring_failed", task.request.id, type(error).__name__)
        store_failure(error_outcome("scoring_failed", f"the worker failed on this task ({type(error).__name__}); the error is in its log"))
        raise


def _store_failure_if_possible(task_id: str, store_failure: Callable[[dict[str, Any]], object], outcome: dict[str, Any]) -> None:
    """Store the failure; the database that refused the work may refuse this too, which is logged, not raised."""
    try:
        store_failure(outcome)
    except OperationalError as error:
        logger.error("task %s: the failure could not be stored either (%s)", task_id, _driver_message(error))


def _driver_message(error: OperationalError) -> str:
    """The first line of the driver's message, shortened: SQLAlchemy's own text would carry the statement's values."""
    return str(error.orig).splitlines()[0][:200]
