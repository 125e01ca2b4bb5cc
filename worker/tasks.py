"""Thin tasks: decode ids, call the engine, store the outcome."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from sqlalchemy.exc import OperationalError

from shared import batch_store
from shared.db import write_transaction
from shared.engine.jobs import JobPosting
from shared.engine.text_checks import cv_fingerprint
from shared.matching import error_outcome, outcome_summary, score_candidates
from shared.queue import BATCH_TASK, MATCH_TASK
from shared.repository import get_job, record_match_outcome
from worker.runtime import current_runtime

logger = logging.getLogger(__name__)

# The database unavailable (a missing or read-only SQLite file, a lock held past the busy timeout, a
# PostgreSQL restart): try again, 1, 2, 4 ... up to 60 s apart, for as long as it lasts. Giving up would
# acknowledge the task and drop a result nobody could ask for again; the retry keeps it in Redis.
_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "retry_backoff_max": 60, "max_retries": None}


@shared_task(name=MATCH_TASK, bind=True, **_RETRY)
def match_cv(self: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Score one CV against a seeded job (`job_id`) or an inline `job` and store the outcome.

    Returns only its summary (status, grade): the return value goes to Redis, the logs and
    Flower, so it carries no candidate data; the API reads the stored result from the database.
    """
    runtime = current_runtime()
    job_id = request.get("job_id")

    def store(outcome: dict[str, Any], job_title: str) -> None:
        with write_transaction(runtime.db) as connection:
            record_match_outcome(
                connection,
                task_id=self.request.id,
                job_id=job_id,
                job_title=job_title,
                candidate_id=request["candidate_id"],
                candidate_name=request["candidate_name"],
                cv_sha256=cv_fingerprint(request["cv_text"]),
                outcome=outcome,
                cv_text=request["cv_text"] if runtime.settings.keep_cv_text else None,
            )

    with _failure_stored(self.request.id, lambda outcome: store(outcome, "")):
        job_data = request.get("job")
        if job_id is not None:
            with runtime.db.connect() as connection:
                job_data = get_job(connection, job_id)
        if job_data is None:
            outcome = error_outcome("job_not_found", f"no job with id {job_id!r}")
            job_title = ""
        else:
            job = JobPosting.from_dict(job_data)
            outcome = score_candidates(runtime.matcher, job, [request])[0]
            job_title = job.title
        store(outcome, job_title)
    return outcome_summary(outcome)


@shared_task(name=BATCH_TASK, bind=True, **_RETRY)
def score_batch_chunk(self: Any, batch_id: str, item_indexes: list[int]) -> dict[str, Any]:
    """Score the still-pending items of one chunk of a batch in one engine call and store them."""
    runtime = current_runtime()

    def store(outcomes: Iterable[tuple[int, dict[str, Any]]]) -> int:
        with write_transaction(runtime.db) as connection:
            return batch_store.store_outcomes(connection, batch_id, outcomes, keep_cv_text=runtime.settings.keep_cv_text)

    with _failure_stored(self.request.id, lambda outcome: store((index, outcome) for index in item_indexes)):
        with runtime.db.connect() as connection:
            job = batch_store.batch_job(connection, batch_id)
            candidates = batch_store.pending_candidates(connection, batch_id, item_indexes)
        if job is None:
            logger.info("batch %s no longer exists (deleted or purged): task %s has nothing to do", batch_id, self.request.id)
            return {"batch_id": batch_id, "stored": 0}
        if not candidates:  # already scored by an earlier delivery
            return {"batch_id": batch_id, "stored": 0}
        with write_transaction(runtime.db) as connection:
            batch_store.mark_started(connection, batch_id)
        outcomes = score_candidates(runtime.matcher, JobPosting.from_dict(job), candidates)
        stored = store(zip((c["item_index"] for c in candidates), outcomes))
    logger.info("batch %s: stored %d of %d items of task %s", batch_id, stored, len(candidates), self.request.id)
    return {"batch_id": batch_id, "stored": stored}


@contextmanager
def _failure_stored(task_id: str, store_failure: Callable[[dict[str, Any]], object]) -> Iterator[None]:
    """When the task raises something unexpected, store a `scoring_failed` outcome for its work, then re-raise.

    A database outage is not the task's fault and goes to the retry. Anything else would fail again on
    every delivery (and the requeue sweep would deliver a batch chunk again and again), so the match or
    the chunk's pending items end as failed with the reason; the task still fails, for the log and Flower.
    """
    try:
        yield
    except OperationalError:
        raise
    except Exception as error:
        logger.error("task %s raised %s; its work is stored as scoring_failed", task_id, type(error).__name__)
        store_failure(error_outcome("scoring_failed", f"the worker failed on this task ({type(error).__name__}); the error is in its log"))
        raise
