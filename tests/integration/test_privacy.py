"""CV data as personal data, through the real stack: DELETE, KEEP_CV_TEXT, the purge (command and
periodic in a running worker), and logs and task events without CV text or candidate names.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from api.app import create_app
from shared import batch_store, repository
from shared.config import PROJECT_ROOT, Settings
from shared.db import create_db_engine, init_db, write_transaction
from shared.engine.text_checks import cv_fingerprint
from shared.queue import MATCH_ARGUMENTS_SHOWN, MATCH_TASK, create_celery
from shared.sample_data import sample_candidates
from tests.e2e.test_running_stack import call
from tests.integration.conftest import DATABASES, TOKEN, fresh_database, ready_processes, worker_env
from tests.integration.test_api_basics import assert_error
from tests.support.processes import RedisServer, free_port, start_api, start_worker, stop_process, wait_for

AUTH = {"Authorization": f"Bearer {TOKEN}"}
OLD = "2020-01-01 00:00:00"  # far older than any retention
# A CV whose name and sentences appear nowhere else, so that finding any of them in a log is a leak.
CANDIDATE_NAME = "Zubaidah Kartikasari-Wolfenden"
DISTINCTIVE_WORDS = ("Zorbatrix", "Quellvane", "Brimmoch")
DISTINCTIVE_CV = (
    (PROJECT_ROOT / "data" / "sample" / "cvs" / "C01.txt")
    .read_text(encoding="utf-8")
    .replace("MUHAMMAD FADHIL ARRASYID", CANDIDATE_NAME.upper())
    .replace(
        "• Mereview kode",
        "• Merancang REST API Django dan PostgreSQL untuk platform logistik Zorbatrix Quellvane dengan Celery dan Redis.\n"
        "• Membangun layanan backend Python Brimmoch untuk pelacakan paket.\n• Mereview kode",
    )
)


def rows(settings: Settings, sql: str, **params: Any) -> list[dict[str, Any]]:
    with create_db_engine(settings.database_url).connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(sql), params)]


def wait_finished(client: FlaskClient, batch_id: str, timeout: float = 180) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        state = client.get(f"/api/batches/{batch_id}", headers=AUTH).get_json()
        return state if state["status"].startswith("completed") else None

    return wait_for(finished, timeout=timeout, what=f"batch {batch_id} to finish")


def submit_batch(client: FlaskClient, candidates: list[dict[str, str]], job_id: str = "J01") -> str:
    response = client.post("/api/batches", headers=AUTH, json={"job_id": job_id, "candidates": candidates})
    assert response.status_code == 202, response.get_json()
    return str(response.get_json()["batch_id"])


# -- DELETE -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("worker")
def test_delete_batch_removes_the_batch_its_items_and_results(client: FlaskClient, settings: Settings) -> None:
    batch_id = submit_batch(client, sample_candidates(3))
    wait_finished(client, batch_id)

    assert_error(client.delete(f"/api/batches/{batch_id}"), 401, "unauthorized")
    response = client.delete(f"/api/batches/{batch_id}", headers=AUTH)
    assert response.status_code == 204 and response.get_data() == b""
    assert_error(client.get(f"/api/batches/{batch_id}", headers=AUTH), 404, "batch_not_found")
    assert_error(client.get(f"/api/batches/{batch_id}/results.csv", headers=AUTH), 404, "batch_not_found")
    assert rows(settings, "SELECT * FROM batch_items WHERE batch_id = :b", b=batch_id) == []
    assert_error(client.delete(f"/api/batches/{batch_id}", headers=AUTH), 404, "batch_not_found")
    assert_error(client.delete("/api/batches/no-such-batch", headers=AUTH), 404, "batch_not_found")


def test_chunk_tasks_of_a_deleted_batch_do_nothing_and_the_worker_goes_on(
    client: FlaskClient, settings: Settings, worker: subprocess.Popen[bytes], workdir: Path
) -> None:
    os.killpg(worker.pid, signal.SIGSTOP)  # its chunk tasks stay queued while the batch is deleted
    try:
        batch_id = submit_batch(client, sample_candidates(settings.batch_chunk_size + 1))  # two chunk tasks
        assert client.delete(f"/api/batches/{batch_id}", headers=AUTH).status_code == 204
    finally:
        os.killpg(worker.pid, signal.SIGCONT)
    log = workdir / "worker.log"
    wait_for(
        lambda: log.read_text().count(f"batch {batch_id} no longer exists") >= 2, timeout=60, what="both chunk tasks to run"
    )
    assert rows(settings, "SELECT * FROM batches WHERE batch_id = :b", b=batch_id) == []
    assert rows(settings, "SELECT * FROM batch_items WHERE batch_id = :b", b=batch_id) == []  # nothing re-created
    assert worker.poll() is None
    later = submit_batch(client, sample_candidates(2))
    assert wait_finished(client, later)["done"] == 2  # the worker goes on


@pytest.mark.usefixtures("worker")
def test_delete_a_finished_match_but_not_a_queued_one(client: FlaskClient, settings: Settings) -> None:
    body = {"job_id": "J01", "candidate_id": "del-1", "candidate_name": "Del One", "cv_text": DISTINCTIVE_CV}
    task_id = client.post("/api/match", headers=AUTH, json=body).get_json()["task_id"]
    response = client.delete(f"/api/match/{task_id}", headers=AUTH)
    assert response.status_code == 204 and response.get_data() == b""
    assert_error(client.get(f"/api/match/{task_id}", headers=AUTH), 404, "match_not_found")
    assert rows(settings, "SELECT * FROM match_results WHERE task_id = :t", t=task_id) == []
    assert_error(client.delete(f"/api/match/{task_id}", headers=AUTH), 404, "match_not_found")

    queued = f"queued-{uuid.uuid4()}"
    with write_transaction(create_db_engine(settings.database_url)) as connection:
        repository.record_match_queued(
            connection, task_id=queued, job_id="J01", job_title="t", candidate_id="q", candidate_name="Q", cv_sha256="0"
        )
    error = assert_error(client.delete(f"/api/match/{queued}", headers=AUTH), 409, "match_not_finished")
    assert error["details"]["result_url"] == f"/api/match/{queued}"


def test_openapi_documents_the_delete_routes(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json", headers=AUTH).get_json()["paths"]
    everywhere = {"414", "431", "503"}  # gunicorn's limits, and the database unavailable
    assert set(paths["/api/batches/{batch_id}"]["delete"]["responses"]) == {"204", "401", "404"} | everywhere
    assert set(paths["/api/match/{task_id}"]["delete"]["responses"]) == {"204", "401", "404", "409"} | everywhere


# -- what is kept -------------------------------------------------------------------------------


@pytest.mark.usefixtures("worker")
def test_by_default_only_the_hash_and_the_results_are_kept(client: FlaskClient, settings: Settings) -> None:
    candidates = sample_candidates(3)
    batch_id = submit_batch(client, candidates)
    body = {"job_id": "J01", "candidate_id": "keep-off", "candidate_name": CANDIDATE_NAME, "cv_text": DISTINCTIVE_CV}
    task_id = client.post("/api/match", headers=AUTH, json=body).get_json()["task_id"]
    wait_finished(client, batch_id)

    items = rows(settings, "SELECT cv_text, cv_sha256 FROM batch_items WHERE batch_id = :b ORDER BY item_index", b=batch_id)
    assert [item["cv_text"] for item in items] == [None] * 3
    assert [item["cv_sha256"] for item in items] == [cv_fingerprint(c["cv_text"]) for c in candidates]
    assert rows(settings, "SELECT * FROM match_cv_texts WHERE task_id = :t", t=task_id) == []
    stored = rows(settings, "SELECT cv_sha256, result_json FROM match_results WHERE task_id = :t", t=task_id)[0]
    assert stored["cv_sha256"] == cv_fingerprint(DISTINCTIVE_CV) and DISTINCTIVE_CV not in stored["result_json"]


@dataclass
class KeepingStack:
    """A worker and an app with KEEP_CV_TEXT on and a purge every second."""

    settings: Settings
    client: FlaskClient
    log: Path


@pytest.fixture(scope="module")
def keeping(database_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeepingStack]:
    """Its own Redis and database: its worker's purge and requeue sweeps touch nothing of the session stack."""
    workdir = tmp_path_factory.mktemp(f"keeping-{database_kind}")
    redis_server = RedisServer(workdir / "redis").start()
    with fresh_database(database_kind, workdir) as database_url:
        keep = Settings(
            _env_file=None, app_token=TOKEN, database_url=database_url, redis_url=redis_server.url,
            model_name="use-multilingual-v3", worker_ready_ttl_seconds=10, keep_cv_text=True,
        )
        init_db(create_db_engine(database_url), keep.seed_dir)
        env = {**worker_env(keep), "KEEP_CV_TEXT": "true", "RETENTION_SWEEP_SECONDS": "1", "WORKER_WARM_UP": "false"}
        log = workdir / "worker.log"
        process = start_worker(env, log_path=log, name="keeping")
        try:
            wait_for(lambda: ready_processes(keep), timeout=120, what="the keeping worker with its model loaded")
            yield KeepingStack(keep, create_app(keep).test_client(), log)
        finally:
            stop_process(process)
            redis_server.stop()


def test_keep_cv_text_keeps_the_text_for_audits_and_delete_removes_it(keeping: KeepingStack) -> None:
    candidates = sample_candidates(3)
    batch_id = submit_batch(keeping.client, candidates)
    body = {"job_id": "J01", "candidate_id": "keep-on", "candidate_name": CANDIDATE_NAME, "cv_text": DISTINCTIVE_CV}
    response = keeping.client.post("/api/match", headers=AUTH, json=body)
    assert response.status_code == 200
    task_id = response.get_json()["task_id"]
    assert DISTINCTIVE_CV not in response.get_data(as_text=True)  # the API never serves the kept text
    wait_finished(keeping.client, batch_id)

    items = rows(keeping.settings, "SELECT status, cv_text FROM batch_items WHERE batch_id = :b ORDER BY item_index", b=batch_id)
    assert [(item["status"], item["cv_text"]) for item in items] == [("done", c["cv_text"]) for c in candidates]
    kept = rows(keeping.settings, "SELECT cv_text FROM match_cv_texts WHERE task_id = :t", t=task_id)
    assert kept == [{"cv_text": DISTINCTIVE_CV}]

    assert keeping.client.delete(f"/api/match/{task_id}", headers=AUTH).status_code == 204
    assert rows(keeping.settings, "SELECT * FROM match_cv_texts WHERE task_id = :t", t=task_id) == []
    assert keeping.client.delete(f"/api/batches/{batch_id}", headers=AUTH).status_code == 204
    assert rows(keeping.settings, "SELECT * FROM batch_items WHERE batch_id = :b", b=batch_id) == []


def test_a_match_task_delivered_again_after_the_delete_does_not_bring_the_match_back(keeping: KeepingStack) -> None:
    body = {"job_id": "J01", "candidate_id": "redelivered", "candidate_name": CANDIDATE_NAME, "cv_text": DISTINCTIVE_CV}
    response = keeping.client.post("/api/match", headers=AUTH, json=body)
    assert response.status_code == 200
    task_id = response.get_json()["task_id"]
    assert keeping.client.delete(f"/api/match/{task_id}", headers=AUTH).status_code == 204

    # What the broker does when a worker died after storing but before acknowledging: the same task again.
    celery = create_celery(keeping.settings)
    celery.AsyncResult(task_id).forget()  # so that waiting below waits for the second run, not the first's answer
    again = celery.send_task(MATCH_TASK, kwargs={"request": {**body, "job": None}}, task_id=task_id)
    assert again.get(timeout=120)["status"] == "done"  # the worker scored it once more

    assert rows(keeping.settings, "SELECT * FROM match_results WHERE task_id = :t", t=task_id) == []
    assert rows(keeping.settings, "SELECT * FROM match_cv_texts WHERE task_id = :t", t=task_id) == []
    assert_error(keeping.client.get(f"/api/match/{task_id}", headers=AUTH), 404, "match_not_found")
    assert f"request {task_id} was finished or deleted before this delivery: nothing stored" in keeping.log.read_text()


# -- retention ----------------------------------------------------------------------------------


def add_aged_results(db: Engine, *, created_at: str, tag: str) -> tuple[str, str]:
    """A batch of two pending items (CV text still in them) and a finished match with kept text, dated `created_at`."""
    batch_id, task_id = f"batch-{tag}", f"match-{tag}"
    items = [
        batch_store.NewItem(index=i, candidate_id=c["candidate_id"], candidate_name=c["candidate_name"],
                            cv_text=c["cv_text"], cv_sha256=cv_fingerprint(c["cv_text"]))
        for i, c in enumerate(sample_candidates(2))
    ]
    with write_transaction(db) as connection:
        batch_store.create_batch(connection, batch_id=batch_id, job_id="J01", job={"title": "t"}, items=items, chunk_size=8)
        repository.record_match_queued(
            connection, task_id=task_id, job_id="J01", job_title="t", candidate_id="c", candidate_name="C", cv_sha256="0"
        )
        repository.record_match_outcome(connection, task_id=task_id, outcome={"grade": "Low Match"}, cv_text="kept CV text")
        connection.execute(text("UPDATE batches SET created_at = :at WHERE batch_id = :b"), {"at": created_at, "b": batch_id})
        connection.execute(text("UPDATE match_results SET created_at = :at WHERE task_id = :t"), {"at": created_at, "t": task_id})
    return batch_id, task_id


def present(db: Engine, batch_id: str, task_id: str) -> dict[str, int]:
    """How many rows of each kind are left of one batch and one match."""
    keys = {"batches": ("batch_id", batch_id), "batch_items": ("batch_id", batch_id),
            "match_results": ("task_id", task_id), "match_cv_texts": ("task_id", task_id)}
    with db.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT COUNT(*) FROM {table} WHERE {column} = :k"), {"k": key}).scalar_one())
            for table, (column, key) in keys.items()
        }


EVERYTHING = {"batches": 1, "batch_items": 2, "match_results": 1, "match_cv_texts": 1}
NOTHING = dict.fromkeys(EVERYTHING, 0)


def purge_command(database_url: str, cwd: Path, *args: str, retention_days: int = 30) -> str:
    """Run `python -m shared.retention purge` (away from the project's .env) and return what it printed."""
    env = {**os.environ, "DATABASE_URL": database_url, "RETENTION_DAYS": str(retention_days)}
    done = subprocess.run(
        [sys.executable, "-m", "shared.retention", "purge", *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=True,
    )
    return done.stdout


@pytest.mark.parametrize("kind", DATABASES)
def test_purge_command_deletes_only_what_is_older_than_retention(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as database_url:  # no worker purges this one
        db = create_db_engine(database_url)
        init_db(db, PROJECT_ROOT / "seed")
        old = add_aged_results(db, created_at=OLD, tag="old")
        recent = add_aged_results(db, created_at=batch_store.utc_now(-29 * 86_400), tag="recent")

        assert "would purge 1 match results and 1 batches (2 items)" in purge_command(database_url, tmp_path, "--dry-run")
        assert present(db, *old) == EVERYTHING
        assert "kept forever, nothing purged" in purge_command(database_url, tmp_path, retention_days=0)
        assert present(db, *old) == EVERYTHING

        assert "purged 1 match results and 1 batches (2 items)" in purge_command(database_url, tmp_path)
        assert present(db, *old) == NOTHING
        assert present(db, *recent) == EVERYTHING
        assert "purged 0 match results and 0 batches (0 items)" in purge_command(database_url, tmp_path)  # idempotent
        db.dispose()


def test_a_running_worker_purges_expired_results_periodically(keeping: KeepingStack) -> None:
    db = create_db_engine(keeping.settings.database_url)
    old = add_aged_results(db, created_at=OLD, tag="periodic-old")
    recent = add_aged_results(db, created_at=batch_store.utc_now(), tag="periodic-recent")
    wait_for(lambda: present(db, *old) == NOTHING, timeout=30, what="the worker's purge")  # RETENTION_SWEEP_SECONDS=1
    assert present(db, *recent) == EVERYTHING
    assert "retention: purged 1 match results and 1 batches (2 items)" in keeping.log.read_text()


# -- logs and task events -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", DATABASES)
def test_database_errors_never_show_the_values_of_a_statement(kind: str, tmp_path: Path) -> None:
    # Celery logs a retried task's database error at INFO; its text must not carry CV data.
    with fresh_database(kind, tmp_path) as database_url:
        db = create_db_engine(database_url)
        init_db(db, PROJECT_ROOT / "seed")
        with pytest.raises(SQLAlchemyError) as caught, write_transaction(db) as connection:
            connection.execute(
                text("INSERT INTO match_results (task_id, candidate_name, no_such_column) VALUES (:t, :name, 1)"),
                {"t": "x", "name": CANDIDATE_NAME},
            )
        assert "INSERT INTO match_results" in str(caught.value) and CANDIDATE_NAME not in str(caught.value)
        db.dispose()


@pytest.fixture
def api_process(settings: Settings, worker: subprocess.Popen[bytes], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The API under gunicorn (bin/api), on the session's Redis, database and worker; yields its URL and log."""
    port, log = free_port(), tmp_path / "api.log"
    process = start_api(
        {**worker_env(settings), "API_BIND": f"127.0.0.1:{port}", "API_PROCESSES": "1", "API_THREADS": "4"}, log_path=log
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_for(lambda: call(f"{url}/health")[0] == 200, timeout=60, what="gunicorn serving the API")
        yield url, log
    finally:
        stop_process(process)


class TaskEvents:
    """Every Celery event (what Flower shows) published on the stack's Redis while it runs."""

    def __init__(self, settings: Settings) -> None:
        self.events: list[dict[str, Any]] = []
        self._app = create_celery(settings)
        self._receiver: Any = None
        self._thread = threading.Thread(target=self._capture, daemon=True)

    def _capture(self) -> None:
        with self._app.connection_for_read() as connection:
            self._receiver = self._app.events.Receiver(connection, handlers={"*": self.events.append})
            self._receiver.capture(limit=None, timeout=None, wakeup=False)

    def __enter__(self) -> TaskEvents:
        self._thread.start()
        # A worker heartbeat arriving shows the subscription is live before any task is sent.
        wait_for(lambda: any(e["type"] == "worker-heartbeat" for e in self.events), timeout=30, what="a worker heartbeat event")
        return self

    def __exit__(self, *_: object) -> None:
        self._receiver.should_stop = True
        self._thread.join(timeout=10)


def test_logs_and_task_events_hold_no_cv_text_or_candidate_names(
    api_process: tuple[str, Path], settings: Settings, workdir: Path
) -> None:
    url, api_log = api_process
    batch_name = "Oktaviani Prasetyaningrum-Haldane"
    with TaskEvents(settings) as events:
        body = {"job_id": "J01", "candidate_id": "log-1", "candidate_name": CANDIDATE_NAME, "cv_text": DISTINCTIVE_CV}
        status, result = call(f"{url}/match", token=TOKEN, body=body)
        assert status == 200, result
        candidates = [{"candidate_id": "log-2", "candidate_name": batch_name, "cv_text": DISTINCTIVE_CV}]
        status, batch = call(f"{url}/batches", token=TOKEN, body={"job_id": "J01", "candidates": candidates})
        assert status == 202, batch
        wait_for(lambda: call(f"{url}/batches/{batch['batch_id']}", token=TOKEN)[1]["status"] == "completed",
                 timeout=120, what="the batch to complete")
        wait_for(lambda: any(e["type"] == "task-succeeded" and e["uuid"] == result["task_id"] for e in events.events),
                 timeout=30, what="the match's task-succeeded event")

    evidence = [e["text"] for section in result["breakdown"].values() for e in section["evidence"]]
    # The result really quotes the CV: a log line or event carrying it would be caught below.
    assert result["candidate_name"] == CANDIDATE_NAME and any("Zorbatrix" in quote for quote in evidence)
    personal = {CANDIDATE_NAME, CANDIDATE_NAME.upper(), batch_name, *DISTINCTIVE_WORDS, *(q for q in evidence if len(q) >= 30)}
    worker_log, served = (workdir / "worker.log").read_text(), api_log.read_text()
    seen = repr(events.events)
    for leak in personal:
        assert leak not in worker_log, f"worker log holds {leak!r}"
        assert leak not in served, f"API log holds {leak!r}"
        assert leak not in seen, f"a task event holds {leak!r}"

    # ... while the useful INFO lines are there: task id, timing and grade.
    assert f"Task cv_match.match_cv[{result['task_id']}] succeeded in" in worker_log
    assert f"{{'status': 'done', 'grade': '{result['grade']}'}}" in worker_log
    assert "POST /api/match HTTP/1.1\" 200" in served and "POST /api/batches HTTP/1.1\" 202" in served
    received = [e for e in events.events if e["type"] == "task-received" and e["uuid"] == result["task_id"]]
    assert [e["kwargs"] for e in received] == [MATCH_ARGUMENTS_SHOWN]
