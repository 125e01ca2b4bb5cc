"""GET /api/jobs and GET /api/jobs/<job_id>: the seeded jobs, read-only."""
from __future__ import annotations

from flask import Blueprint

from api.endpoints import endpoint
from api.errors import APIError
from api.schemas import DATABASE_UNAVAILABLE, ErrorBody, Job, JobPage, JobsQuery
from api.services import services
from shared import repository

bp = Blueprint("jobs", __name__)


@bp.get("/jobs")
@endpoint("List jobs, optionally of one industry, a page at a time", tag="jobs", query=JobsQuery,
          responses={200: ("A page of jobs", JobPage), 400: ("Invalid query", ErrorBody), 401: ("No or wrong token", ErrorBody),
                     **DATABASE_UNAVAILABLE})
def list_jobs(query: JobsQuery) -> dict[str, object]:
    svc = services()
    limit = min(query.limit, svc.settings.jobs_page_limit_max)
    with svc.db.connect() as connection:
        items, total = repository.list_jobs(connection, industry=query.industry, page=query.page, limit=limit)
    return JobPage.model_validate({"items": items, "page": query.page, "limit": limit, "total": total}).model_dump()


@bp.get("/jobs/<job_id>")
@endpoint("One job in full", tag="jobs",
          responses={200: ("The job", Job), 401: ("No or wrong token", ErrorBody), 404: ("Unknown job", ErrorBody),
                     **DATABASE_UNAVAILABLE})
def get_job(job_id: str) -> dict[str, object]:
    with services().db.connect() as connection:
        job = repository.get_job(connection, job_id)
    if job is None:
        raise APIError(404, "job_not_found", f"no job with id {job_id!r}")
    return Job.model_validate(job).model_dump()
