"""Thin tasks: decode the request, call the engine, store the outcome."""
from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from sqlalchemy.exc import OperationalError

from shared.engine.jobs import JobPosting
from shared.engine.text_checks import cv_fingerprint
from shared.matching import error_outcome, score_candidates
from shared.queue import MATCH_TASK
from shared.repository import get_job, record_match_outcome
from worker.runtime import current_runtime

logger = logging.getLogger(__name__)


@shared_task(
    name=MATCH_TASK,
    bind=True,
    autoretry_for=(OperationalError,),  # a database briefly unavailable: try again, later
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def match_cv(self: Any, request: dict[str, Any]) -> dict[str, Any]:
    """Score one CV against a seeded job (`job_id`) or an inline `job`; store and return the outcome."""
    runtime = current_runtime()
    job_id = request.get("job_id")
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
    with runtime.db.begin() as connection:
        record_match_outcome(
            connection,
            task_id=self.request.id,
            job_id=job_id,
            job_title=job_title,
            candidate_id=request["candidate_id"],
            candidate_name=request["candidate_name"],
            cv_sha256=cv_fingerprint(request["cv_text"]),
            outcome=outcome,
        )
    logger.info("match %s scored: %s", self.request.id, outcome.get("grade") or outcome.get("error", {}).get("code"))
    return outcome
