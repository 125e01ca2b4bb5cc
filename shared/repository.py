"""The queries the API and the worker run: jobs, and the results of single matches.

Plain SQL through SQLAlchemy Core, portable between SQLite and PostgreSQL. Every function
takes an open connection, so the caller decides the transaction.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text

from shared.batch_store import utc_now

_JOB_COLUMNS = (
    "job_id, title, company, industry, language, location, description, requirements, "
    "required_skills, nice_to_have_skills, min_experience_years, education_level"
)
_JSON_JOB_FIELDS = ("requirements", "required_skills", "nice_to_have_skills")
# What a match_results row holds: one CV against one job, or the best seeded jobs for one CV.
MATCH, RECOMMENDATIONS = "match", "recommendations"


def _job_from_row(row: Any) -> dict[str, Any]:
    job = dict(row._mapping)
    for field in _JSON_JOB_FIELDS:
        job[field] = json.loads(job[field])
    return job


def list_jobs(connection: Connection, *, industry: str | None, page: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """One page of jobs (optionally of one industry, case-insensitive) and the total count."""
    where = "WHERE LOWER(industry) = LOWER(:industry)" if industry else ""
    params = {"industry": industry, "limit": limit, "offset": (page - 1) * limit}
    total = connection.execute(text(f"SELECT COUNT(*) FROM jobs {where}"), params).scalar_one()
    rows = connection.execute(
        text(f"SELECT {_JOB_COLUMNS} FROM jobs {where} ORDER BY job_id LIMIT :limit OFFSET :offset"), params
    )
    return [_job_from_row(row) for row in rows], int(total)


def get_job(connection: Connection, job_id: str) -> dict[str, Any] | None:
    """The job with this id, or None."""
    row = connection.execute(text(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE job_id = :job_id"), {"job_id": job_id}).first()
    return _job_from_row(row) if row else None


def all_jobs(connection: Connection) -> list[dict[str, Any]]:
    """Every job, by id."""
    return [_job_from_row(row) for row in connection.execute(text(f"SELECT {_JOB_COLUMNS} FROM jobs ORDER BY job_id"))]


def record_match_queued(
    connection: Connection,
    *,
    task_id: str,
    job_id: str | None,
    job_title: str,
    candidate_id: str,
    candidate_name: str,
    cv_sha256: str,
    kind: str = MATCH,
) -> None:
    """Note a match (or recommendations) request before it is enqueued, so its id is known while it waits."""
    connection.execute(
        text(
            "INSERT INTO match_results (task_id, kind, job_id, job_title, candidate_id, candidate_name, cv_sha256, status, "
            "created_at) VALUES (:task_id, :kind, :job_id, :job_title, :candidate_id, :candidate_name, :cv_sha256, 'queued', :now)"
        ),
        {
            "task_id": task_id,
            "kind": kind,
            "job_id": job_id,
            "job_title": job_title,
            "candidate_id": candidate_id,
            "candidate_name": candidate_name,
            "cv_sha256": cv_sha256,
            "now": utc_now(),
        },
    )


def forget_match(connection: Connection, task_id: str) -> None:
    """Remove a queued match that could not be enqueued."""
    connection.execute(text("DELETE FROM match_results WHERE task_id = :task_id AND status = 'queued'"), {"task_id": task_id})


def record_match_outcome(
    connection: Connection,
    *,
    task_id: str,
    outcome: dict[str, Any],
    cv_text: str | None = None,
) -> bool:
    """Complete the queued match `task_id` with its outcome (a result, or `{"error": {...}}`).

    Only the row the API wrote before enqueueing is completed, never a new one inserted: a task
    delivered again after its match was deleted (DELETE, retention purge) must not bring the match
    back, nor its CV text. Idempotent: the first finished outcome stays. `cv_text` is kept beside it
    only when given (KEEP_CV_TEXT).

    Returns:
        True when this call completed the match; False when it was finished already or is gone.
    """
    failed = "error" in outcome
    scores = outcome.get("score_comparison", {})
    completed = connection.execute(
        text(
            "UPDATE match_results SET status = :status, grade = :grade, semantic_score = :semantic_score, "
            "keyword_score = :keyword_score, model_name = :model_name, result_json = :result_json, finished_at = :now "
            "WHERE task_id = :task_id AND status = 'queued'"
        ),
        {
            "task_id": task_id,
            "status": "failed" if failed else "done",
            "grade": outcome.get("grade"),
            "semantic_score": scores.get("semantic_score"),
            "keyword_score": scores.get("keyword_score"),
            "model_name": (outcome.get("model") or {}).get("name"),
            "result_json": json.dumps(outcome, ensure_ascii=False),
            "now": utc_now(),
        },
    ).rowcount
    if completed and cv_text is not None:
        connection.execute(
            text("INSERT INTO match_cv_texts (task_id, cv_text) VALUES (:task_id, :cv_text) ON CONFLICT (task_id) DO NOTHING"),
            {"task_id": task_id, "cv_text": cv_text},
        )
    return bool(completed)


def get_match(connection: Connection, task_id: str, *, kind: str = MATCH) -> dict[str, Any] | None:
    """A match (or recommendations) row: `status` and, once finished, `outcome` (the stored result or error)."""
    row = connection.execute(
        text("SELECT task_id, status, result_json FROM match_results WHERE task_id = :task_id AND kind = :kind"),
        {"task_id": task_id, "kind": kind},
    ).first()
    if row is None:
        return None
    return {"task_id": row.task_id, "status": row.status, "outcome": json.loads(row.result_json) if row.result_json else None}


def delete_finished_match(connection: Connection, task_id: str, *, kind: str = MATCH) -> bool:
    """Delete a finished (done or failed) match and its kept CV text; False when there is no finished match."""
    # A queued match has no kept text yet: the worker writes it with the outcome.
    deleted = connection.execute(
        text("DELETE FROM match_results WHERE task_id = :task_id AND kind = :kind AND status <> 'queued'"),
        {"task_id": task_id, "kind": kind},
    ).rowcount
    if deleted:
        connection.execute(text("DELETE FROM match_cv_texts WHERE task_id = :task_id"), {"task_id": task_id})
    return bool(deleted)
