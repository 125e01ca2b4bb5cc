"""Which database errors pass by themselves, what a task does with each, and stores that never resurrect a deleted match."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from shared import batch_store, repository
from shared.config import PROJECT_ROOT
from shared.db import create_db_engine, init_db, is_transient_error, write_transaction
from shared.retention import purge_expired
from worker.tasks import PERMANENT_DATABASE_ERROR_RETRIES, _failure_stored


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cv_match.db'}"
    init_db(create_db_engine(url), PROJECT_ROOT / "seed")
    return url


def operational_error(database_url: str, sql: str) -> OperationalError:
    with pytest.raises(OperationalError) as caught, create_db_engine(database_url).connect() as connection:
        connection.execute(text(sql))
    return caught.value


def test_a_missing_table_or_column_or_a_broken_statement_is_permanent(database: str) -> None:
    for sql in ("SELECT * FROM no_such_table", "SELECT no_such_column FROM jobs", "SELEC 1"):
        assert not is_transient_error(operational_error(database, sql)), sql


def test_a_locked_database_is_transient(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiter = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError) as caught:
            waiter.execute("BEGIN IMMEDIATE")
    finally:
        holder.execute("ROLLBACK")
    assert "locked" in str(caught.value)
    assert is_transient_error(OperationalError("BEGIN IMMEDIATE", {}, caught.value))


def test_a_read_only_or_missing_file_is_transient(database: str, tmp_path: Path) -> None:
    # Opened read-only, as the engine opens a file it may not write (root could write a chmod-ed file).
    read_only = sqlite3.connect(f"file:{database.removeprefix('sqlite:///')}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        read_only.execute("UPDATE jobs SET title = title")
    assert "readonly" in str(caught.value)
    assert is_transient_error(OperationalError("UPDATE", {}, caught.value))
    assert is_transient_error(operational_error(f"sqlite:///{tmp_path / 'gone.db'}", "SELECT 1"))


@pytest.mark.parametrize(
    ("sqlstate", "transient"),
    [(None, True), ("08006", True), ("57P01", True), ("53100", True), ("40P01", True), ("55P03", True), ("25006", True),
     ("42P01", False), ("42703", False), ("22P02", False)],
)
def test_postgresql_errors_by_sqlstate(sqlstate: str | None, transient: bool) -> None:
    driver_error = SimpleNamespace(sqlstate=sqlstate)
    assert is_transient_error(OperationalError("SELECT 1", {}, driver_error)) is transient  # type: ignore[arg-type]


class Retry(Exception):
    """What a Celery task's retry raises."""


class FakeTask:
    """The part of a bound Celery task that `_failure_stored` uses."""

    def __init__(self, retries: int) -> None:
        self.request = SimpleNamespace(id="task-1", retries=retries)
        self.retried_with: dict[str, Any] | None = None

    def retry(self, **options: Any) -> Retry:
        self.retried_with = options
        raise Retry


def run_failing(task: FakeTask, error: Exception) -> list[dict[str, Any]]:
    stored: list[dict[str, Any]] = []
    with pytest.raises((Retry, type(error))), _failure_stored(task, stored.append):
        raise error
    return stored


def test_a_transient_database_error_is_retried_however_often_it_happened(tmp_path: Path) -> None:
    error = operational_error(f"sqlite:///{tmp_path / 'gone.db'}", "SELECT 1")
    task = FakeTask(retries=500)
    assert run_failing(task, error) == []
    assert task.retried_with is not None and 0 <= task.retried_with["countdown"] <= 60


def test_a_permanent_database_error_is_retried_a_few_times_then_stored_as_failed(database: str) -> None:
    error = operational_error(database, "SELECT * FROM no_such_table")
    early = FakeTask(retries=PERMANENT_DATABASE_ERROR_RETRIES - 1)
    assert run_failing(early, error) == [] and early.retried_with is not None

    last = FakeTask(retries=PERMANENT_DATABASE_ERROR_RETRIES)
    stored = run_failing(last, error)
    assert last.retried_with is None
    assert [outcome["error"]["code"] for outcome in stored] == ["scoring_failed"]
    assert "no such table: no_such_table" in stored[0]["error"]["message"]


def test_an_outcome_completes_only_the_queued_row_and_never_recreates_a_deleted_match(database: str) -> None:
    db = create_db_engine(database)
    with write_transaction(db) as connection:
        repository.record_match_queued(
            connection, task_id="m1", job_id="J01", job_title="t", candidate_id="c", candidate_name="C", cv_sha256="0"
        )
        assert repository.record_match_outcome(connection, task_id="m1", outcome={"grade": "Low Match"}, cv_text="kept")
        assert not repository.record_match_outcome(connection, task_id="m1", outcome={"grade": "High Match"}, cv_text="kept")
        assert repository.get_match(connection, "m1")["outcome"] == {"grade": "Low Match"}
        assert repository.delete_finished_match(connection, "m1")
        # A redelivered task after the delete:
        assert not repository.record_match_outcome(connection, task_id="m1", outcome={"grade": "Low Match"}, cv_text="kept")
        assert repository.get_match(connection, "m1") is None
        assert connection.execute(text("SELECT COUNT(*) FROM match_cv_texts")).scalar_one() == 0


def test_outcomes_of_a_purged_match_and_batch_are_not_stored_again(database: str) -> None:
    db = create_db_engine(database)
    items = [batch_store.NewItem(0, "c", "C", "cv text", "sha")]
    with write_transaction(db) as connection:
        repository.record_match_queued(
            connection, task_id="old", job_id="J01", job_title="t", candidate_id="c", candidate_name="C", cv_sha256="0"
        )
        batch_store.create_batch(connection, batch_id="old-batch", job_id="J01", job={"title": "t"}, items=items, chunk_size=8)
        assert purge_expired(connection, batch_store.utc_now(60)).match_results == 1  # everything is older than a minute ahead
        # Tasks of both, delivered after the purge (queued all along, or past the visibility timeout):
        assert not repository.record_match_outcome(connection, task_id="old", outcome={"grade": "Low Match"}, cv_text="kept")
        assert batch_store.store_outcomes(connection, "old-batch", [(0, {"score_comparison": {"semantic_score": 1.0}})]) == 0
        counts = {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                  for table in ("match_results", "match_cv_texts", "batches", "batch_items")}
    assert counts == dict.fromkeys(counts, 0)
