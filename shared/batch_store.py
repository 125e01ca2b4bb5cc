"""Batches in the database, their source of truth: items stay `pending` until a worker stores them.

Plain SQL through SQLAlchemy Core, portable between SQLite and PostgreSQL. Timestamps are
written from Python as UTC `YYYY-MM-DD HH:MM:SS` text so that they compare the same everywhere.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, text

PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class NewItem:
    """A candidate of a new batch; `rejection` is (code, message) for a CV refused before scoring."""

    index: int
    candidate_id: str
    candidate_name: str
    cv_text: str
    cv_sha256: str
    rejection: tuple[str, str] | None = None


@dataclass(frozen=True)
class ChunkTask:
    """One task to enqueue: a task id and the item indexes it scores."""

    task_id: str
    batch_id: str
    item_indexes: tuple[int, ...]


def utc_now(offset_seconds: float = 0.0) -> str:
    """UTC time as stored: `YYYY-MM-DD HH:MM:SS`."""
    return (datetime.now(timezone.utc) + timedelta(seconds=offset_seconds)).strftime("%Y-%m-%d %H:%M:%S")


def iso(stored: str | None) -> str | None:
    """A stored timestamp as ISO 8601 UTC (`2026-11-27T20:51:00Z`)."""
    return None if stored is None else stored[:19].replace(" ", "T") + "Z"


def chunk_tasks(batch_id: str, indexes: Sequence[int], chunk_size: int) -> list[ChunkTask]:
    """Cut item indexes into tasks of at most `chunk_size` items, each with a fresh task id."""
    return [
        ChunkTask(str(uuid.uuid4()), batch_id, tuple(indexes[start : start + chunk_size]))
        for start in range(0, len(indexes), chunk_size)
    ]


def create_batch(
    connection: Connection,
    *,
    batch_id: str,
    job_id: str | None,
    job: dict[str, Any],
    items: Sequence[NewItem],
    chunk_size: int,
    weights: dict[str, float] | None = None,
) -> list[ChunkTask]:
    """Write a batch and one row per candidate; returns the tasks to enqueue for its pending items.

    `weights` are the request's section weights (None: the settings' weights when scored).
    """
    now = utc_now()
    connection.execute(
        text(
            "INSERT INTO batches (batch_id, job_id, job_json, weights_json, total, created_at) "
            "VALUES (:b, :j, :job, :weights, :total, :now)"
        ),
        {
            "b": batch_id,
            "j": job_id,
            "job": json.dumps(job, ensure_ascii=False),
            "weights": None if weights is None else json.dumps(weights),
            "total": len(items),
            "now": now,
        },
    )
    tasks = chunk_tasks(batch_id, [item.index for item in items if item.rejection is None], chunk_size)
    task_of = {index: task.task_id for task in tasks for index in task.item_indexes}
    connection.execute(
        text(
            "INSERT INTO batch_items (batch_id, item_index, candidate_id, candidate_name, cv_text, cv_sha256, status, "
            "task_id, error_code, error_message, enqueued_at, finished_at) VALUES (:batch_id, :index, :candidate_id, "
            ":candidate_name, :cv_text, :cv_sha256, :status, :task_id, :error_code, :error_message, :enqueued_at, :finished_at)"
        ),
        [
            {
                "batch_id": batch_id,
                "index": item.index,
                "candidate_id": item.candidate_id,
                "candidate_name": item.candidate_name,
                "cv_text": None if item.rejection else item.cv_text,
                "cv_sha256": item.cv_sha256,
                "status": FAILED if item.rejection else PENDING,
                "task_id": task_of.get(item.index),
                "error_code": item.rejection[0] if item.rejection else None,
                "error_message": item.rejection[1] if item.rejection else None,
                "enqueued_at": None if item.rejection else now,
                "finished_at": now if item.rejection else None,
            }
            for item in items
        ],
    )
    if not tasks:  # every CV was refused: the batch is already finished
        connection.execute(text("UPDATE batches SET finished_at = :now WHERE batch_id = :b"), {"now": now, "b": batch_id})
    return tasks


@dataclass(frozen=True)
class BatchJob:
    """What a batch's items are scored with: the job snapshot and the request's section weights (None: the settings')."""

    job: dict[str, Any]
    weights: dict[str, float] | None


def batch_job(connection: Connection, batch_id: str) -> BatchJob | None:
    """The job snapshot and weights a batch is scored with; None when the batch does not exist."""
    row = connection.execute(text("SELECT job_json, weights_json FROM batches WHERE batch_id = :b"), {"b": batch_id}).first()
    if row is None:
        return None
    return BatchJob(json.loads(row.job_json), None if row.weights_json is None else json.loads(row.weights_json))


def pending_candidates(connection: Connection, batch_id: str, indexes: Sequence[int]) -> list[dict[str, Any]]:
    """The still-pending items among `indexes`, with their CV text (already scored ones are skipped)."""
    rows = connection.execute(
        text(
            "SELECT item_index, candidate_id, candidate_name, cv_text FROM batch_items "
            "WHERE batch_id = :b AND status = 'pending' ORDER BY item_index"
        ),
        {"b": batch_id},
    )
    wanted = set(indexes)
    return [dict(row._mapping) for row in rows if row.item_index in wanted]


def mark_started(connection: Connection, batch_id: str) -> None:
    """Note when a worker first picked up the batch."""
    connection.execute(
        text("UPDATE batches SET started_at = :now WHERE batch_id = :b AND started_at IS NULL"), {"now": utc_now(), "b": batch_id}
    )


def store_outcomes(
    connection: Connection, batch_id: str, outcomes: Iterable[tuple[int, dict[str, Any]]], *, keep_cv_text: bool = False
) -> int:
    """Store scored items and drop their CV text (unless `keep_cv_text`); finish the batch when nothing is pending.

    Idempotent: only pending items change, so a task that runs twice stores each result once.
    A deleted batch has no pending items left, so nothing of it is written again.

    Returns:
        How many items this call completed.
    """
    now = utc_now()
    rows = []
    for index, outcome in outcomes:
        error = outcome.get("error")
        rows.append(
            {
                "b": batch_id,
                "i": index,
                "status": FAILED if error else DONE,
                "score": None if error else outcome["score_comparison"]["semantic_score"],
                "result": None if error else json.dumps(outcome, ensure_ascii=False),
                "code": error["code"] if error else None,
                "message": error["message"] if error else None,
                "now": now,
            }
        )
    if not rows:
        return 0
    updated = connection.execute(
        text(
            "UPDATE batch_items SET status = :status, semantic_score = :score, result_json = :result, error_code = :code, "
            "error_message = :message, finished_at = :now" + ("" if keep_cv_text else ", cv_text = NULL") + " "
            "WHERE batch_id = :b AND item_index = :i AND status = 'pending'"
        ),
        rows,
    ).rowcount
    _lock_batch(connection, batch_id)
    connection.execute(
        text(
            "UPDATE batches SET finished_at = :now WHERE batch_id = :b AND finished_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM batch_items WHERE batch_id = :b AND status = 'pending')"
        ),
        {"now": now, "b": batch_id},
    )
    return int(updated)


def _lock_batch(connection: Connection, batch_id: str) -> None:
    """Make the transactions that store items of one batch check for completion one after the other."""
    # Under PostgreSQL's READ COMMITTED, two chunks stored at once each see the other's items still
    # pending, and neither would finish the batch. Holding the batch row until commit makes the second
    # check start after the first committed, so it sees all items. Taken after the item UPDATE so the
    # order of locks is items then batch, as in delete_batch and the retention purge: no deadlock.
    # SQLite has no FOR UPDATE and needs none: BEGIN IMMEDIATE already lets one writer in at a time.
    if connection.dialect.name != "sqlite":
        connection.execute(text("SELECT 1 FROM batches WHERE batch_id = :b FOR UPDATE"), {"b": batch_id})


def delete_batch(connection: Connection, batch_id: str) -> bool:
    """Delete a batch with its items (results and any CV text); False if there is no such batch."""
    # Items first, explicitly: the same on SQLite and PostgreSQL, whatever the foreign-key settings.
    connection.execute(text("DELETE FROM batch_items WHERE batch_id = :b"), {"b": batch_id})
    return bool(connection.execute(text("DELETE FROM batches WHERE batch_id = :b"), {"b": batch_id}).rowcount)


def batch_summary(connection: Connection, batch_id: str) -> dict[str, Any] | None:
    """Status, counts, progress and timestamps of one batch, or None if unknown."""
    summaries = _summaries(connection, "WHERE b.batch_id = :b", {"b": batch_id})
    return summaries[0] if summaries else None


def recent_batches(connection: Connection, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Batches, newest first, and how many there are."""
    total = connection.execute(text("SELECT COUNT(*) FROM batches")).scalar_one()
    return _summaries(connection, "", {}, order_limit=(limit, offset)), int(total)


def _summaries(
    connection: Connection, where: str, params: dict[str, Any], *, order_limit: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    paging = ""
    if order_limit is not None:
        paging = "ORDER BY b.created_at DESC, b.batch_id LIMIT :limit OFFSET :offset"
        params = {**params, "limit": order_limit[0], "offset": order_limit[1]}
    rows = connection.execute(
        text(
            "SELECT b.batch_id, b.job_id, b.job_json, b.total, b.created_at, b.started_at, b.finished_at, "
            "SUM(CASE WHEN i.status = 'done' THEN 1 ELSE 0 END) AS done, "
            "SUM(CASE WHEN i.status = 'failed' THEN 1 ELSE 0 END) AS failed "
            f"FROM batches b LEFT JOIN batch_items i ON i.batch_id = b.batch_id {where} "
            f"GROUP BY b.batch_id, b.job_id, b.job_json, b.total, b.created_at, b.started_at, b.finished_at {paging}"
        ),
        params,
    )
    return [_summary(row._mapping) for row in rows]


def _summary(row: Any) -> dict[str, Any]:
    done, failed, total = int(row["done"] or 0), int(row["failed"] or 0), int(row["total"])
    if row["finished_at"] is not None:
        status = "completed_with_errors" if failed else "completed"
    else:
        status = "running" if row["started_at"] is not None else "queued"
    return {
        "batch_id": row["batch_id"],
        "job_id": row["job_id"],
        "job_title": json.loads(row["job_json"]).get("title"),
        "status": status,
        "total": total,
        "done": done,
        "failed": failed,
        "progress": round(100.0 * (done + failed) / total, 1) if total else 100.0,
        "created_at": iso(row["created_at"]),
        "started_at": iso(row["started_at"]),
        "finished_at": iso(row["finished_at"]),
    }


@dataclass(frozen=True)
class ResultFilter:
    """Which scored candidates HR asked for: `qualified` matches qualifications.all_met; `min_grade` is high/medium/low."""

    qualified: bool | None = None
    min_grade: str | None = None

    @property
    def active(self) -> bool:
        """True when any filter is set."""
        return self.qualified is not None or self.min_grade is not None

    def keeps(self, result: dict[str, Any]) -> bool:
        """True when the result passes every filter set (a result stored without qualifications never is qualified)."""
        if self.min_grade is not None and _GRADE_ORDER[result["grade"]] < _GRADE_ORDER[f"{self.min_grade.title()} Match"]:
            return False
        if self.qualified is not None:
            qualifications = result.get("qualifications")
            return qualifications is not None and qualifications["all_met"] is self.qualified
        return True


_GRADE_ORDER = {"Low Match": 0, "Medium Match": 1, "High Match": 2}


def ranked_results(
    connection: Connection, batch_id: str, *, limit: int | None, offset: int, keep: ResultFilter = ResultFilter()
) -> tuple[list[dict[str, Any]], int]:
    """A page of the scored items that pass `keep`, best semantic score first, and how many pass.

    Each result carries its `rank` in the whole batch (1 = best), filtered or not.
    """
    rows = connection.execute(
        text("SELECT result_json FROM batch_items WHERE batch_id = :b AND status = 'done' ORDER BY semantic_score DESC, item_index"),
        {"b": batch_id},
    ).all()
    ranked = [{"rank": rank, **json.loads(row.result_json)} for rank, row in enumerate(rows, start=1)]
    kept = [result for result in ranked if keep.keeps(result)]
    return kept[offset : None if limit is None else offset + limit], len(kept)


def personal_data_audit(connection: Connection, batch_id: str, kinds: Sequence[str]) -> dict[str, Any]:
    """What blind screening found in a batch's scored items: whether it removed it, and per kind how many CVs carried it.

    `blind_screening` is None when the results disagree or there are none; a result stored before
    results reported personal data counts as unknown.
    """
    rows = connection.execute(
        text("SELECT result_json FROM batch_items WHERE batch_id = :b AND status = 'done'"), {"b": batch_id}
    ).all()
    reports = [json.loads(row.result_json).get("personal_data") for row in rows]
    modes = {None if report is None else report["blind_screening"] for report in reports}
    counts = {kind: sum(report is not None and kind in report["attributes"] for report in reports) for kind in kinds}
    return {"blind_screening": modes.pop() if len(modes) == 1 else None, "scored": len(rows), "attributes": counts}


def failed_items(connection: Connection, batch_id: str) -> list[dict[str, Any]]:
    """Items that could not be scored, with the reason."""
    rows = connection.execute(
        text(
            "SELECT item_index, candidate_id, candidate_name, error_code, error_message FROM batch_items "
            "WHERE batch_id = :b AND status = 'failed' ORDER BY item_index"
        ),
        {"b": batch_id},
    )
    return [
        {
            "index": row.item_index,
            "candidate_id": row.candidate_id,
            "candidate_name": row.candidate_name,
            "error": {"code": row.error_code, "message": row.error_message},
        }
        for row in rows
    ]


def finish_stuck_batches(connection: Connection) -> int:
    """Mark finished every batch with items, none of them pending, and no `finished_at`; returns how many.

    Such a batch was left by two chunks stored at once on PostgreSQL before `store_outcomes` locked the
    batch row: `running` at 100 % for good, its CSV refused. It finished when its last item did.
    """
    return int(
        connection.execute(
            text(
                "UPDATE batches SET finished_at = (SELECT MAX(finished_at) FROM batch_items WHERE batch_id = batches.batch_id) "
                "WHERE finished_at IS NULL "
                "AND EXISTS (SELECT 1 FROM batch_items WHERE batch_id = batches.batch_id) "
                "AND NOT EXISTS (SELECT 1 FROM batch_items WHERE batch_id = batches.batch_id AND status = 'pending')"
            )
        ).rowcount
    )


def items_missing_from_broker(
    connection: Connection, *, live_task_ids: set[str], enqueued_before: str, chunk_size: int
) -> list[ChunkTask]:
    """Give new task ids to pending items whose task Redis no longer holds; returns the tasks to enqueue.

    Items enqueued after `enqueued_before` are left alone: their task may still be on its way.
    """
    rows = connection.execute(
        text(
            "SELECT batch_id, item_index, task_id FROM batch_items "
            "WHERE status = 'pending' AND enqueued_at <= :before ORDER BY batch_id, item_index"
        ),
        {"before": enqueued_before},
    ).all()
    lost: dict[str, list[int]] = {}
    for row in rows:
        if row.task_id not in live_task_ids:
            lost.setdefault(row.batch_id, []).append(row.item_index)
    tasks = [task for batch_id, indexes in lost.items() for task in chunk_tasks(batch_id, indexes, chunk_size)]
    if tasks:
        now = utc_now()
        connection.execute(
            text(
                "UPDATE batch_items SET task_id = :task_id, enqueued_at = :now "
                "WHERE batch_id = :b AND item_index = :i AND status = 'pending'"
            ),
            [{"task_id": t.task_id, "now": now, "b": t.batch_id, "i": i} for t in tasks for i in t.item_indexes],
        )
    return tasks
