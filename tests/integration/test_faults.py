"""Faults, each with real processes: what a client sees, and that the service recovers on its own.

Redis stopped and started again, a worker child process killed while it scores, the database file
missing or read-only, a task that raises. One stack per database variant for the whole module: a
private redis-server on a fixed port (so that it can be stopped and started again on that port), a
Celery worker, and the API under gunicorn (`bin/api`, as `make run` starts it), each a subprocess.
Every test removes its fault before it ends and then checks that the same processes serve again.
The database-file faults apply to SQLite only (PostgreSQL's variant of them is skipped, saying so);
an unreachable PostgreSQL server has a test of its own.
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from shared.config import Settings
from shared.db import create_db_engine, init_db
from shared.queue import create_celery
from shared.sample_data import sample_candidates
from worker.tasks import PERMANENT_DATABASE_ERROR_RETRIES
from tests.integration.conftest import DATABASES, MODEL, TOKEN, fresh_database, ready_processes, worker_env
from tests.support.files import read_only
from tests.support.http import HttpAnswer, fetch
from tests.support.processes import RedisServer, free_port, start_api, start_worker, stop_process, wait_for

# Short, so that a match the worker cannot answer ends in a 504 quickly; ordinary CVs score in well under a second.
MATCH_TIMEOUT_SECONDS = 5
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class FaultStack:
    """Redis, worker and API processes on one database, and how to talk to them."""

    settings: Settings
    redis: RedisServer
    workdir: Path
    base_url: str
    api: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes]

    def call(self, path: str, body: Any = None, timeout: float = 60) -> HttpAnswer:
        return fetch(self.base_url + path, token=TOKEN, body=body, timeout=timeout)

    def match(self, cv_text: str, job_id: str = "J01", candidate_id: str = "cand") -> HttpAnswer:
        return self.call("/api/match", {"job_id": job_id, "candidate_id": candidate_id, "candidate_name": "Kandidat", "cv_text": cv_text})

    def api_worker_pids(self) -> list[str]:
        """Every gunicorn worker process the API has booted (one, unless gunicorn had to replace it)."""
        return re.findall(r"Booting worker with pid: (\d+)", (self.workdir / "api.log").read_text())

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text()

    def received_tasks(self) -> int:
        return self.log("worker").count("] received")

    @cached_property
    def celery(self) -> Celery:
        """A Celery client on the stack's Redis, to read task states as the API does."""
        return create_celery(self.settings)

    @cached_property
    def db(self) -> Engine:
        return create_db_engine(self.settings.database_url)

    def task_id_of(self, candidate_id: str) -> str | None:
        with self.db.connect() as connection:
            return connection.execute(  # type: ignore[no-any-return]
                text("SELECT task_id FROM match_results WHERE candidate_id = :c"), {"c": candidate_id}
            ).scalar()

    def match_status(self, task_id: str) -> str:
        with self.db.connect() as connection:
            return connection.execute(  # type: ignore[no-any-return]
                text("SELECT status FROM match_results WHERE task_id = :t"), {"t": task_id}
            ).scalar_one()

    def worker_children(self) -> list[str]:
        """The worker's child processes that announce themselves ready, as host:pid."""
        return sorted(str(process["process"]) for process in ready_processes(self.settings))


def cv(index: int = 0) -> str:
    return sample_candidates(index + 1)[index]["cv_text"]


def long_cv() -> str:
    """A CV just under MAX_CV_CHARS (100,000), made of the sample CVs: the worker takes seconds to score it."""
    text = "\n".join(candidate["cv_text"] for candidate in sample_candidates(30))
    return (text * 5)[:95_000]


class InFlight(threading.Thread):
    """A request running in the background, so the test can break something while it waits."""

    def __init__(self, request: Callable[[], HttpAnswer]) -> None:
        super().__init__(daemon=True)
        self._request = request
        self.answer: HttpAnswer | None = None

    def run(self) -> None:
        self.answer = self._request()

    def result(self, timeout: float) -> HttpAnswer:
        self.join(timeout)
        assert self.answer is not None, f"no answer within {timeout:g} s"
        return self.answer


def assert_error(answer: HttpAnswer, status: int, code: str) -> dict[str, Any]:
    """The answer has `status` and the one error shape with `code`; returns the error."""
    assert answer.status == status, answer.body
    assert set(answer.body) == {"error"} and set(answer.body["error"]) == {"code", "message", "details"}
    assert answer.body["error"]["code"] == code and answer.body["error"]["message"]
    return answer.body["error"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module", params=DATABASES)
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    workdir = tmp_path_factory.mktemp(f"faults-{request.param}")
    with fresh_database(request.param, workdir) as database_url:
        redis_server = RedisServer(workdir / "redis", appendonly=True).start()
        settings = Settings(
            _env_file=None, app_token=TOKEN, database_url=database_url, redis_url=redis_server.url,
            model_name=MODEL, worker_ready_ttl_seconds=10, match_timeout_seconds=MATCH_TIMEOUT_SECONDS,
        )
        init_db(create_db_engine(settings.database_url), settings.seed_dir)
        # A quick requeue sweep: a batch accepted while Redis is down is enqueued soon after it is back.
        worker = start_worker(
            {**worker_env(settings), "REQUEUE_SWEEP_SECONDS": "1", "REQUEUE_GRACE_SECONDS": "2"},
            log_path=workdir / "worker.log", name="faults",
        )
        bind = f"127.0.0.1:{free_port()}"
        api = start_api(
            {
                "APP_TOKEN": TOKEN, "DATABASE_URL": database_url, "REDIS_URL": redis_server.url, "MODEL_NAME": MODEL,
                "API_BIND": bind, "API_PROCESSES": "1", "API_THREADS": "4", "MATCH_TIMEOUT_SECONDS": str(MATCH_TIMEOUT_SECONDS),
            },
            log_path=workdir / "api.log",
        )
        stack = FaultStack(settings, redis_server, workdir, f"http://{bind}", api, worker)
        try:
            wait_for(lambda: stack.call("/api/health").body["status"] == "ok", timeout=180, what="API and worker to be healthy")
            yield stack
        finally:
            stop_process(api)
            stop_process(worker)
            redis_server.stop()


def test_redis_stopped_then_started_again_the_same_api_and_worker_recover(stack: FaultStack) -> None:
    assert stack.match(cv(0)).status == 200
    api_pids, children = stack.api_worker_pids(), stack.worker_children()
    assert len(api_pids) == 1 and len(children) == 1

    received = stack.received_tasks()
    in_flight = InFlight(lambda: stack.match(long_cv(), candidate_id="in-flight"))
    in_flight.start()
    wait_for(lambda: stack.received_tasks() > received, timeout=30, what="the long match to reach the worker")
    stack.redis.stop()
    stopped = time.monotonic()
    try:
        waiting = in_flight.result(timeout=30)
        assert time.monotonic() - stopped < 3.0  # about BROKER_TIMEOUT_SECONDS, with room for a loaded machine
        details = assert_error(waiting, 503, "broker_unavailable")["details"]
        assert waiting.headers["Retry-After"] and details["result_url"] == f"/api/match/{details['task_id']}"

        started = time.monotonic()
        refused = stack.match(cv(1))
        assert time.monotonic() - started < 3.0
        assert assert_error(refused, 503, "broker_unavailable")["details"] == {} and refused.headers["Retry-After"]
        health = stack.call("/api/health").body
        assert health["status"] == "degraded" and health["broker"] == {"reachable": False}
        batch = stack.call("/api/batches", {"job_id": "J02", "candidates": sample_candidates(4)})
        assert batch.status == 202  # stored in the database; enqueued once Redis is back
        # Down long enough for the worker to fail reconnecting more than once.
        wait_for(lambda: stack.log("worker").count("Trying again in") >= 2, timeout=60, what="the worker to retry Redis twice")
    finally:
        stack.redis.start()  # the same port and data directory

    # Nothing is restarted: the client retries, as Retry-After says, until the worker is back on Redis.
    recovered = wait_for(lambda: (a := stack.match(cv(2))).status == 200 and a, timeout=60, what="a sync match to succeed again")
    assert recovered.body["candidate_id"] == "cand"
    # The match that was waiting when Redis went away was scored and stored all the same.
    stored = wait_for(lambda: (a := stack.call(details["result_url"])).status == 200 and a, timeout=60, what="the in-flight result")
    assert stored.body["candidate_id"] == "in-flight" and stored.body["task_id"] == details["task_id"]
    finished = wait_for(
        lambda: (b := stack.call(batch.body["status_url"]).body)["status"] == "completed" and b, timeout=60, what="the batch"
    )
    assert finished["done"] == 4
    assert stack.api_worker_pids() == api_pids and stack.api.poll() is None
    assert stack.worker.poll() is None
    assert wait_for(stack.worker_children, timeout=30, what="the worker child to announce itself again") == children
    assert stack.call("/api/health").body["status"] == "ok"


def test_worker_child_killed_mid_match_is_504_and_the_task_is_redelivered(stack: FaultStack) -> None:
    children = stack.worker_children()
    assert len(children) == 1
    in_flight = InFlight(lambda: stack.match(long_cv(), candidate_id="killed-mid-task"))
    in_flight.start()
    task_id = wait_for(lambda: stack.task_id_of("killed-mid-task"), timeout=30, what="the match to be queued")
    # task_track_started: the worker marks the task STARTED with the pid of the child scoring it.
    running = wait_for(lambda: (r := stack.celery.AsyncResult(task_id)).state == "STARTED" and r.info, timeout=30, what="the task to start")
    assert children == [f"{running['hostname'].split('@')[1]}:{running['pid']}"]
    os.kill(running["pid"], signal.SIGKILL)
    assert stack.match_status(task_id) == "queued"  # the kill landed mid-task: nothing was stored

    answer = in_flight.result(timeout=MATCH_TIMEOUT_SECONDS + 30)
    details = assert_error(answer, 504, "match_timeout")["details"]
    assert details == {"task_id": task_id, "result_url": f"/api/match/{task_id}"}
    assert stack.call(details["result_url"]).status == 202

    # The worker replaces the child; the task, never acknowledged, is delivered again and scored.
    stored = wait_for(lambda: (a := stack.call(details["result_url"])).status == 200 and a, timeout=120, what="the redelivered result")
    assert stored.body["candidate_id"] == "killed-mid-task" and stored.body["task_id"] == task_id
    assert stack.log("worker").count(f"[{task_id}] received") == 2
    assert stack.worker.poll() is None
    # Ready: the new child; the killed one drops out when its readiness key expires (WORKER_READY_TTL_SECONDS).
    replacement = wait_for(
        lambda: len(c := stack.worker_children()) == 1 and c, timeout=60, what="one ready child, the new one"
    )
    assert replacement != children
    assert stack.match(cv(3)).status == 200


def sqlite_only(stack: FaultStack) -> Path:
    """The stack's SQLite file; skips the PostgreSQL variant, which has no database file to lose."""
    if not stack.settings.database_url.startswith("sqlite"):
        pytest.skip("a missing or read-only database file is a SQLite fault; PostgreSQL keeps its files to its server")
    return Path(make_url(stack.settings.database_url).database or "")


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def test_database_file_moved_away_is_503_and_the_service_recovers_when_it_is_back(stack: FaultStack) -> None:
    path = sqlite_only(stack)
    earlier = stack.match(cv(4), candidate_id="before-the-move")
    assert earlier.status == 200
    api_pids, children = stack.api_worker_pids(), stack.worker_children()

    moved = path.with_name(path.name + ".moved-away")
    path.rename(moved)
    try:
        health = stack.call("/api/health").body
        assert health["status"] == "degraded"
        assert health["database"] == {"reachable": False, "writable": False, "reason": "the database cannot be opened or queried"}
        for answer in (
            stack.match(cv(5)),
            stack.call("/api/jobs"),
            stack.call(f"/api/match/{earlier.body['task_id']}"),
            stack.call("/api/batches", {"job_id": "J01", "candidates": sample_candidates(3)}),
        ):
            assert assert_error(answer, 503, "database_unavailable")["details"] == {"reason": "unreachable"}
            assert answer.headers["Retry-After"]
        assert not path.exists()  # no empty database was created in its place
    finally:
        moved.rename(path)

    assert integrity(path) == "ok"
    assert stack.call(f"/api/match/{earlier.body['task_id']}").body == earlier.body
    assert stack.match(cv(6)).status == 200
    assert stack.call("/api/health").body["status"] == "ok"
    assert stack.api_worker_pids() == api_pids and stack.worker_children() == children


def test_database_file_read_only_is_503_for_writes_and_accepted_work_waits_for_it(stack: FaultStack) -> None:
    path = sqlite_only(stack)
    earlier = stack.match(cv(7), candidate_id="before-read-only")
    assert earlier.status == 200
    api_pids, children = stack.api_worker_pids(), stack.worker_children()

    # Accepted before the fault, scored during it: the worker cannot store the result.
    in_flight = InFlight(lambda: stack.match(long_cv(), candidate_id="stored-after-read-only"))
    in_flight.start()
    task_id = wait_for(lambda: stack.task_id_of("stored-after-read-only"), timeout=30, what="the match to be queued")
    wait_for(lambda: stack.celery.AsyncResult(task_id).state == "STARTED", timeout=30, what="the match to start")
    with read_only(path):
        assert stack.match_status(task_id) == "queued"  # the fault came before the worker could store
        health = stack.call("/api/health").body
        assert health["status"] == "degraded"
        assert health["database"] == {"reachable": True, "writable": False, "reason": "the database is read-only"}
        refused = stack.match(cv(8))
        assert assert_error(refused, 503, "database_unavailable")["details"] == {"reason": "read_only"}
        assert refused.headers["Retry-After"]
        assert stack.call("/api/jobs?limit=1").status == 200  # reads still work
        assert stack.call(f"/api/match/{earlier.body['task_id']}").body == earlier.body

        assert_error(in_flight.result(timeout=MATCH_TIMEOUT_SECONDS + 30), 504, "match_timeout")
        wait_for(lambda: f"[{task_id}] retry" in stack.log("worker"), timeout=60, what="the worker to retry storing")
        assert stack.match_status(task_id) == "queued"
        assert stack.call(f"/api/match/{task_id}").status == 202

    stored = wait_for(lambda: (a := stack.call(f"/api/match/{task_id}")).status == 200 and a, timeout=120, what="the stored result")
    assert stored.body["candidate_id"] == "stored-after-read-only"
    assert integrity(path) == "ok"
    assert stack.match(cv(9)).status == 200
    assert stack.call("/api/health").body["status"] == "ok"
    assert stack.api_worker_pids() == api_pids and stack.worker_children() == children


@contextmanager
def unreadable_requirements(stack: FaultStack, job_id: str) -> Iterator[None]:
    """A job whose requirements are stored as a JSON number instead of a list, as a hand edit or a faulty
    import could leave them: the API reads only the title and accepts work for it, the worker's engine raises."""
    with stack.db.begin() as connection:
        original = connection.execute(text("SELECT requirements FROM jobs WHERE job_id = :j"), {"j": job_id}).scalar_one()
        connection.execute(text("UPDATE jobs SET requirements = '3' WHERE job_id = :j"), {"j": job_id})
    try:
        yield
    finally:
        with stack.db.begin() as connection:
            connection.execute(text("UPDATE jobs SET requirements = :r WHERE job_id = :j"), {"r": original, "j": job_id})


def test_a_task_that_raises_fails_its_items_with_a_reason_and_the_worker_lives_on(stack: FaultStack) -> None:
    children = stack.worker_children()
    with unreadable_requirements(stack, "J32"):
        accepted = stack.call("/api/batches", {"job_id": "J32", "candidates": sample_candidates(5)})
        assert accepted.status == 202, accepted.body
        finished = wait_for(
            lambda: (b := stack.call(accepted.body["status_url"]).body)["status"].startswith("completed") and b,
            timeout=120, what="the batch to finish",
        )
        sync = stack.match(cv(0), job_id="J32", candidate_id="task-raises")

    assert (finished["status"], finished["done"], finished["failed"]) == ("completed_with_errors", 0, 5)
    assert [f["error"]["code"] for f in finished["failures"]] == ["scoring_failed"] * 5
    assert all("TypeError" in f["error"]["message"] for f in finished["failures"])
    error = assert_error(sync, 500, "scoring_failed")
    stored = stack.call(f"/api/match/{error['details']['task_id']}")  # the failure is stored, not pending forever
    assert assert_error(stored, 500, "scoring_failed")["message"].startswith("the worker failed on this task (TypeError)")

    assert stack.worker.poll() is None and stack.worker_children() == children  # the same child process serves on
    assert stack.match(cv(1)).status == 200


@contextmanager
def column_dropped(stack: FaultStack, table: str, column: str, definition: str) -> Iterator[None]:
    """A column missing from the schema, as a half-applied migration could leave it; put back afterwards."""
    with stack.db.begin() as connection:
        connection.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    try:
        yield
    finally:
        with stack.db.begin() as connection:
            connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {definition}"))


def test_a_database_error_that_cannot_pass_is_retried_a_few_times_then_stored_as_failed(stack: FaultStack) -> None:
    if not stack.settings.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL reports a missing column as ProgrammingError, which is never retried")
    with column_dropped(stack, "batches", "started_at", "TEXT"):
        accepted = stack.call("/api/batches", {"job_id": "J01", "candidates": sample_candidates(3)})
        assert accepted.status == 202, accepted.body

        def items() -> list[Any]:
            with stack.db.connect() as connection:
                return list(connection.execute(
                    text("SELECT status, error_code, error_message FROM batch_items WHERE batch_id = :b ORDER BY item_index"),
                    {"b": accepted.body["batch_id"]},
                ))

        def all_stored() -> list[Any] | None:
            found = items()
            return found if all(item.status != "pending" for item in found) else None

        stored = wait_for(all_stored, timeout=90, what="the items to be stored as failed")
        # The API's read of the batch hits the same missing column: a 500, not "try again later".
        assert_error(stack.call(accepted.body["status_url"]), 500, "database_error")

    assert [(item.status, item.error_code) for item in stored] == [("failed", "scoring_failed")] * 3
    assert all("no such column: started_at" in item.error_message for item in stored)
    assert f"{PERMANENT_DATABASE_ERROR_RETRIES} retries; its work is stored as scoring_failed" in stack.log("worker")
    finished = stack.call(accepted.body["status_url"]).body
    assert (finished["status"], finished["failed"]) == ("completed_with_errors", 3)
    assert stack.match(cv(1)).status == 200  # the worker serves on


def test_postgresql_server_unreachable_is_503_database_unavailable() -> None:
    """The PostgreSQL counterpart of the missing file: nobody answers on the database's port."""
    settings = Settings(
        _env_file=None, app_token=TOKEN, model_name=MODEL, redis_url=f"redis://127.0.0.1:{free_port()}/0",
        database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/cv_match",
    )
    client = create_app(settings).test_client()
    for response in (client.get("/api/jobs", headers=AUTH), client.post("/api/batches", headers=AUTH, json={"job_id": "J01", "candidates": sample_candidates(2)})):
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert response.get_json()["error"]["details"] == {"reason": "unreachable"}
    health = client.get("/api/health").get_json()
    assert health["status"] == "degraded"
    assert health["database"] == {"reachable": False, "writable": False, "reason": "the database cannot be opened or queried"}
