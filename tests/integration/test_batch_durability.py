"""Nothing accepted is lost: kill -9 a worker, flush Redis, two workers on one database.

Each test has its own Redis, database (SQLite file, then PostgreSQL) and worker processes, so
killing and flushing here cannot disturb other tests.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import text

from api.app import create_app
from shared.config import Settings
from shared.db import create_db_engine, init_db
from shared.queue import BATCH_QUEUE
from tests.integration.conftest import DATABASES, TOKEN, fresh_database, worker_env
from shared.sample_data import sample_candidates
from tests.support.processes import RedisServer, start_worker, stop_process, wait_for

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Stack:
    settings: Settings
    redis: RedisServer
    client: FlaskClient
    workdir: Path
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **worker_env(self.settings),
            "BATCH_CHUNK_SIZE": str(self.settings.batch_chunk_size),
            "REQUEUE_SWEEP_SECONDS": "1",
            "REQUEUE_GRACE_SECONDS": "2",
            "TASK_VISIBILITY_TIMEOUT_SECONDS": "10",
        }

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        process = start_worker(self.env(), log_path=self.workdir / f"{name}.log", name=name)
        self.workers.append(process)
        return process

    def submit(self, count: int, job_id: str = "J01") -> str:
        response = self.client.post("/api/batches", headers=AUTH, json={"job_id": job_id, "candidates": sample_candidates(count)})
        assert response.status_code == 202, response.get_json()
        return str(response.get_json()["batch_id"])

    def state(self, batch_id: str) -> dict:  # type: ignore[type-arg]
        return self.client.get(f"/api/batches/{batch_id}", headers=AUTH).get_json()  # type: ignore[no-any-return]

    def counts(self, batch_id: str) -> dict[str, int]:
        with create_db_engine(self.settings.database_url).connect() as connection:
            rows = connection.execute(
                text("SELECT status, COUNT(*) AS n FROM batch_items WHERE batch_id = :b GROUP BY status"), {"b": batch_id}
            )
            return {row.status: row.n for row in rows}

    def wait_finished(self, batch_id: str, timeout: float = 180) -> dict:  # type: ignore[type-arg]
        return wait_for(  # type: ignore[no-any-return]
            lambda: (s := self.state(batch_id))["status"].startswith("completed") and s, timeout=timeout, what=f"batch {batch_id}"
        )


@pytest.fixture(params=DATABASES)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    with fresh_database(request.param, tmp_path) as database_url:
        yield from _stack(tmp_path, database_url)


def _stack(tmp_path: Path, database_url: str) -> Iterator[Stack]:
    server = RedisServer(tmp_path / "redis").start()
    settings = Settings(
        _env_file=None,
        app_token=TOKEN,
        database_url=database_url,
        redis_url=server.url,
        model_name="use-multilingual-v3",
        worker_ready_ttl_seconds=10,
        batch_chunk_size=8,
    )
    init_db(create_db_engine(settings.database_url), settings.seed_dir)
    stack = Stack(settings, server, create_app(settings).test_client(), tmp_path)
    yield stack
    for process in stack.workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    server.stop()


def assert_every_item_done_once(stack: Stack, batch_id: str, total: int) -> None:
    state = stack.state(batch_id)
    assert (state["status"], state["done"], state["failed"]) == ("completed", total, 0)
    assert stack.counts(batch_id) == {"done": total}
    ids = [r["candidate_id"] for r in state["results"]]
    assert len(ids) == len(set(ids)) == total
    with create_db_engine(stack.settings.database_url).connect() as connection:
        leftovers = connection.execute(
            text("SELECT COUNT(*) FROM batch_items WHERE batch_id = :b AND (cv_text IS NOT NULL OR result_json IS NULL)"),
            {"b": batch_id},
        ).scalar_one()
    assert leftovers == 0  # every item has its one result, and no CV text is kept after scoring


def test_kill_9_mid_batch_then_a_new_worker_finishes_every_item_once(stack: Stack) -> None:
    batch_id = stack.submit(100)
    first = stack.start_worker("first")
    wait_for(lambda: stack.counts(batch_id).get("done", 0) >= 16, timeout=120, what="the first worker to score some items")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    interrupted = stack.counts(batch_id)
    assert interrupted.get("pending", 0) > 0, "the worker finished before it was killed; the test proved nothing"

    stack.start_worker("second")
    stack.wait_finished(batch_id)
    assert_every_item_done_once(stack, batch_id, 100)


def test_flushed_redis_then_a_worker_starts_and_the_batch_completes(stack: Stack) -> None:
    batch_id = stack.submit(30)
    client = redis.Redis.from_url(stack.settings.redis_url)
    assert client.llen(BATCH_QUEUE) > 0
    client.flushall()  # the queue is gone; SQLite still says pending
    assert stack.counts(batch_id) == {"pending": 30}
    stack.start_worker("after-flush")
    stack.wait_finished(batch_id)
    assert_every_item_done_once(stack, batch_id, 30)
    assert "re-enqueued 30 pending batch items" in (stack.workdir / "after-flush.log").read_text()


def test_requeue_command_enqueues_lost_items_by_hand(stack: Stack) -> None:
    batch_id = stack.submit(20)
    redis.Redis.from_url(stack.settings.redis_url).flushall()
    command = subprocess.run(
        [sys.executable, "-m", "worker.requeue", "--now"],
        env={**os.environ, **stack.env()}, cwd=stack.workdir, capture_output=True, text=True, timeout=60, check=True,
    )
    assert "re-enqueued 20 pending batch items" in command.stdout
    assert redis.Redis.from_url(stack.settings.redis_url).llen(BATCH_QUEUE) == 3  # 20 items in chunks of 8
    again = subprocess.run(
        [sys.executable, "-m", "worker.requeue", "--now"],
        env={**os.environ, **stack.env()}, cwd=stack.workdir, capture_output=True, text=True, timeout=60, check=True,
    )
    assert "re-enqueued 0 pending batch items" in again.stdout  # their tasks are queued now: nothing to do
    stack.start_worker("after-requeue")
    stack.wait_finished(batch_id)
    assert_every_item_done_once(stack, batch_id, 20)


def test_two_workers_on_one_database_never_see_a_locked_database(stack: Stack) -> None:
    stack.settings = stack.settings.model_copy(update={"batch_chunk_size": 4})
    stack.client = create_app(stack.settings).test_client()
    stack.start_worker("one")
    stack.start_worker("two")
    batch_ids = [stack.submit(60, job_id) for job_id in ("J01", "J06")]
    for batch_id in batch_ids:
        stack.wait_finished(batch_id)
        assert_every_item_done_once(stack, batch_id, 60)
    logs = [(stack.workdir / f"{name}.log").read_text() for name in ("one", "two")]
    assert all("stored" in log for log in logs)  # both workers wrote results
    assert not any("locked" in log.lower() for log in logs)
    for process in stack.workers:
        stop_process(process)
