"""HR batches: POST /api/batches, GET /api/batches[/<batch_id>[/results.csv|/audit]], DELETE /api/batches/<batch_id>."""
from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from api import dispatch
from api.csv_export import results_csv
from api.endpoints import endpoint
from api.errors import APIError
from api.schemas import (
    DATABASE_UNAVAILABLE,
    BatchAccepted,
    BatchAudit,
    BatchListQuery,
    BatchPage,
    BatchRequest,
    BatchResultsQuery,
    BatchStatus,
    ErrorBody,
)
from api.services import ApiServices, services
from shared import batch_store, repository
from shared.db import write_transaction
from shared.engine.personal_data import KINDS
from shared.engine.text_checks import InvalidTextError, checked_cv_text, cv_fingerprint
from shared.queue import BATCH_TASK

logger = logging.getLogger(__name__)
bp = Blueprint("batches", __name__)

_UNAUTHORIZED = {401: ("No or wrong token", ErrorBody), **DATABASE_UNAVAILABLE}
_UNKNOWN_BATCH = {404: ("Unknown batch", ErrorBody)}


@bp.post("/batches")
@endpoint(
    "Queue many CVs against one job for background scoring",
    tag="batches",
    body=BatchRequest,
    responses={
        202: ("Accepted: poll status_url", BatchAccepted),
        400: ("Invalid JSON or fields (details name the candidate index and field), or duplicate candidate ids", ErrorBody),
        **_UNAUTHORIZED,
        404: ("Unknown job", ErrorBody),
        413: ("Body too large or more than BATCH_MAX_CANDIDATES candidates", ErrorBody),
        415: ("Body is not JSON", ErrorBody),
    },
)
def create_batch(body: BatchRequest) -> Any:
    svc = services()
    limit = svc.settings.batch_max_candidates
    if len(body.candidates) > limit:
        raise APIError(413, "batch_too_large", f"a batch takes at most {limit} candidates", {"limit": limit, "received": len(body.candidates)})
    _refuse_duplicate_ids(body)
    job = _job_snapshot(svc, body)
    items = [_new_item(index, candidate, svc) for index, candidate in enumerate(body.candidates)]
    batch_id = str(uuid.uuid4())
    with write_transaction(svc.db) as connection:
        tasks = batch_store.create_batch(
            connection,
            batch_id=batch_id,
            job_id=body.job_id,
            job=job,
            items=items,
            chunk_size=svc.settings.batch_chunk_size,
            weights=body.weights.model_dump() if body.weights else None,
        )
    for task in tasks:
        try:
            dispatch.send(svc, BATCH_TASK, task_id=task.task_id, kwargs={"batch_id": batch_id, "item_indexes": list(task.item_indexes)})
        except APIError:
            # The batch is stored; the workers' requeue sweep enqueues these items once Redis is back.
            logger.warning("batch %s: Redis unreachable, %d tasks left to the requeue sweep", batch_id, len(tasks))
            break
    accepted = BatchAccepted(
        batch_id=batch_id,
        status_url=url_for("batches.get_batch", batch_id=batch_id),
        results_csv_url=url_for("batches.get_batch_csv", batch_id=batch_id),
        total=len(items),
        rejected=sum(item.rejection is not None for item in items),
    )
    response = jsonify(accepted.model_dump())
    response.status_code = 202
    response.headers["Location"] = accepted.status_url
    return response


@bp.get("/batches")
@endpoint("Recent batches, newest first", tag="batches", query=BatchListQuery,
          responses={200: ("A page of batches", BatchPage), 400: ("Invalid query", ErrorBody), **_UNAUTHORIZED})
def list_batches(query: BatchListQuery) -> dict[str, Any]:
    with services().db.connect() as connection:
        items, total = batch_store.recent_batches(connection, limit=query.limit, offset=query.offset)
    return BatchPage(items=items, limit=query.limit, offset=query.offset, total=total).model_dump()  # type: ignore[arg-type]


@bp.get("/batches/<batch_id>")
@endpoint("A batch's progress; once finished, its results ranked by semantic_score, optionally only the qualified or "
          "well-graded ones (ranks stay those in the whole batch)", tag="batches", query=BatchResultsQuery,
          responses={200: ("The batch", BatchStatus), 400: ("Invalid query", ErrorBody), **_UNAUTHORIZED, **_UNKNOWN_BATCH})
def get_batch(batch_id: str, query: BatchResultsQuery) -> dict[str, Any]:
    summary, results, failures, results_total = _finished_view(batch_id, query)
    status = {
        **summary,
        "results": results,
        "failures": failures,
        "results_total": results_total,
        **query.model_dump(),
    }
    return BatchStatus.model_validate(status).model_dump(mode="json")


@bp.get("/batches/<batch_id>/results.csv")
@endpoint("A batch's results as CSV (one row per candidate: both scores, grade, sections, skills, qualifications), "
          "with the same filters and paging as the batch", tag="batches", query=BatchResultsQuery,
          responses={200: ("CSV, header row first", None), 400: ("Invalid query", ErrorBody), **_UNAUTHORIZED, **_UNKNOWN_BATCH,
                     409: ("Not finished yet", ErrorBody)},
          content_types={200: "text/csv"})
def get_batch_csv(batch_id: str, query: BatchResultsQuery) -> Response:
    summary, results, failures, _ = _finished_view(batch_id, query)
    if summary["finished_at"] is None:
        raise APIError(409, "batch_not_finished", "the batch is still being scored", {"progress": summary["progress"]})
    return Response(
        results_csv(results, failures),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'},
    )


@bp.get("/batches/<batch_id>/audit")
@endpoint("What blind screening found in a finished batch: per kind of personal data, how many scored CVs carried it "
          "(kinds only, never values), and whether it was removed before scoring", tag="batches",
          responses={200: ("The audit", BatchAudit), **_UNAUTHORIZED, **_UNKNOWN_BATCH, 409: ("Not finished yet", ErrorBody)})
def get_batch_audit(batch_id: str) -> dict[str, Any]:
    with services().db.connect() as connection:
        summary = batch_store.batch_summary(connection, batch_id)
        if summary is None:
            raise APIError(404, "batch_not_found", f"no batch with id {batch_id!r}")
        if summary["finished_at"] is None:
            raise APIError(409, "batch_not_finished", "the batch is still being scored", {"progress": summary["progress"]})
        audit = batch_store.personal_data_audit(connection, batch_id, KINDS)
    return BatchAudit.model_validate({"batch_id": batch_id, "failed": summary["failed"], **audit}).model_dump(mode="json")


@bp.delete("/batches/<batch_id>")
@endpoint("Delete a batch, its items and their results (also while it is being scored)", tag="batches",
          responses={204: ("Deleted", None), **_UNAUTHORIZED, **_UNKNOWN_BATCH})
def delete_batch(batch_id: str) -> Response:
    # Chunk tasks still queued for it find no batch when they run and do nothing (worker/tasks.py).
    with write_transaction(services().db) as connection:
        if not batch_store.delete_batch(connection, batch_id):
            raise APIError(404, "batch_not_found", f"no batch with id {batch_id!r}")
    logger.info("batch %s deleted", batch_id)
    return Response(status=204)


def _finished_view(
    batch_id: str, query: BatchResultsQuery
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], int]:
    """The batch summary and, once it is finished, the page of ranked results asked for, the failures and
    how many results pass the filters; 404 if unknown. A filtered view has no failures: they meet nothing."""
    keep = batch_store.ResultFilter(qualified=query.qualified, min_grade=query.min_grade)
    with services().db.connect() as connection:
        summary = batch_store.batch_summary(connection, batch_id)
        if summary is None:
            raise APIError(404, "batch_not_found", f"no batch with id {batch_id!r}")
        if summary["finished_at"] is None:
            return summary, [], [], 0
        results, results_total = batch_store.ranked_results(connection, batch_id, limit=query.limit, offset=query.offset, keep=keep)
        failures = [] if keep.active else batch_store.failed_items(connection, batch_id)
        return summary, results, failures, results_total


def _refuse_duplicate_ids(body: BatchRequest) -> None:
    seen: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    for index, candidate in enumerate(body.candidates):
        if candidate.candidate_id in seen:
            duplicates.setdefault(candidate.candidate_id, [seen[candidate.candidate_id]]).append(index)
        seen.setdefault(candidate.candidate_id, index)
    if duplicates:
        raise APIError(400, "duplicate_candidate_ids", "candidate_id must be unique within a batch", {"duplicates": duplicates})


def _job_snapshot(svc: ApiServices, body: BatchRequest) -> dict[str, Any]:
    """The job as it will be scored: the seeded one (404 if unknown) or the inline one."""
    if body.job is not None:
        return body.job.model_dump()
    with svc.db.connect() as connection:
        job = repository.get_job(connection, body.job_id or "")
    if job is None:
        raise APIError(404, "job_not_found", f"no job with id {body.job_id!r}")
    return job


def _new_item(index: int, candidate: Any, svc: ApiServices) -> batch_store.NewItem:
    """A batch row; a CV the engine could not score is refused now and ends as failed with the reason."""
    rejection = None
    try:
        checked_cv_text(candidate.cv_text, max_chars=svc.settings.max_cv_chars)
    except InvalidTextError as error:
        rejection = (error.code, error.message)
    return batch_store.NewItem(
        index=index,
        candidate_id=candidate.candidate_id,
        candidate_name=candidate.candidate_name,
        cv_text=candidate.cv_text,
        cv_sha256=cv_fingerprint(candidate.cv_text),
        rejection=rejection,
    )
