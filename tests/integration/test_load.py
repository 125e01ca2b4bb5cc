"""Backpressure and load: sync matches go before batch chunks; over MAX_QUEUE_DEPTH a match is
refused at once with 503 queue_full and Retry-After while what was accepted still completes; and
30 clients for 60 s against gunicorn see nothing but 200 and that documented 503.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from api.app import create_app
from scripts.load_test import LocalStack, local_stack, run_load, stack_env, summarise
from shared.config import Settings
from shared.db import create_db_engine
from shared.queue import create_redis, queue_depth, task_ids_in_broker
from shared.sample_data import sample_candidates
from tests.integration.test_api_basics import assert_error
from tests.support.processes import wait_for


def match_request(app: Flask, auth: dict[str, str], candidate: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    """POST /api/match from a fresh test client (one per thread): status and body."""
    response = app.test_client().post("/api/match", headers=auth, json={"job_id": "J01", **candidate})
    return response.status_code, response.get_json()


def stored_candidates(settings: Settings, candidate_ids: list[str]) -> set[str]:
    with create_db_engine(settings.database_url).connect() as connection:
        rows = connection.execute(text("SELECT candidate_id FROM match_results"))
        return {row.candidate_id for row in rows} & set(candidate_ids)


def pool_children(worker: subprocess.Popen[bytes]) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True, check=True).stdout
    return [int(pid) for pid in found.split()]


def test_matches_over_the_bound_get_503_at_once_and_accepted_ones_complete(
    settings: Settings, worker: subprocess.Popen[bytes], auth: dict[str, str]
) -> None:
    bound = 3
    app = create_app(settings.model_copy(update={"max_queue_depth": bound}))
    broker = create_redis(settings)
    candidates = [{**c, "candidate_id": f"backpressure-{i}"} for i, c in enumerate(sample_candidates(8))]
    already_in_broker = task_ids_in_broker(broker)
    assert queue_depth(broker) == 0
    # Only the pool process stops: the worker takes one task to it, then (prefetch 1) takes no more, like a busy worker.
    busy = pool_children(worker)
    for pid in busy:
        os.kill(pid, signal.SIGSTOP)
    accepted: list[Future[tuple[int, dict]]] = []  # type: ignore[type-arg]
    pool = ThreadPoolExecutor(len(candidates))
    try:
        while queue_depth(broker) < bound:
            accepted.append(pool.submit(match_request, app, auth, candidates[len(accepted)]))
            wait_for(lambda: len(task_ids_in_broker(broker) - already_in_broker) == len(accepted), timeout=10,
                     what=f"match {len(accepted)} in Redis")
        assert len(accepted) == bound + 1  # one taken by the busy worker, `bound` waiting

        refused = candidates[len(accepted):len(accepted) + 3]
        client = app.test_client()
        for candidate in refused:
            started = time.monotonic()
            response = client.post("/api/match", headers=auth, json={"job_id": "J01", **candidate})
            error = assert_error(response, 503, "queue_full")
            assert time.monotonic() - started < 2.0
            assert int(response.headers["Retry-After"]) >= 1
            assert error["details"] == {"waiting": bound, "max_queue_depth": bound}
        # Recommendations wait on the same workers in the same queue: refused the same way, nothing stored.
        recommendation = {**refused[0], "candidate_id": "backpressure-recommendations"}
        assert_error(client.post("/api/recommendations", headers=auth, json=recommendation), 503, "queue_full")
        # Batches are durable background work in their own queue: accepted even now.
        batch = client.post("/api/batches", headers=auth, json={"job_id": "J01", "candidates": sample_candidates(2)})
        assert batch.status_code == 202
        assert queue_depth(broker) == bound
    finally:
        for pid in busy:
            os.kill(pid, signal.SIGCONT)
    outcomes = [future.result(timeout=120) for future in accepted]
    pool.shutdown()
    assert [status for status, _ in outcomes] == [200] * len(accepted)
    assert {body["candidate_id"] for _, body in outcomes} == {c["candidate_id"] for c in candidates[: len(accepted)]}
    # Nothing accepted is lost, nothing refused was stored.
    asked = [c["candidate_id"] for c in candidates] + ["backpressure-recommendations"]
    assert stored_candidates(settings, asked) == {c["candidate_id"] for c in candidates[: len(accepted)]}
    status_url = batch.get_json()["status_url"]
    finished = wait_for(lambda: (s := client.get(status_url, headers=auth).get_json())["status"] == "completed" and s,
                        timeout=60, what="the batch accepted while the queue was full")
    assert finished["done"] == 2


def test_openapi_documents_the_503_and_its_retry_after(client: FlaskClient, auth: dict[str, str]) -> None:
    answer = client.get("/api/openapi.json", headers=auth).get_json()["paths"]["/api/match"]["post"]["responses"]["503"]
    assert "queue_full" in answer["description"] and "broker_unavailable" in answer["description"]
    assert answer["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}


def test_a_sync_match_does_not_wait_behind_a_whole_batch(
    client: FlaskClient, auth: dict[str, str], worker: subprocess.Popen[bytes], settings: Settings
) -> None:
    size = 2 * settings.batch_chunk_size  # two chunks: the worker scores one while the other waits in Redis
    batch = client.post("/api/batches", headers=auth, json={"job_id": "J01", "candidates": sample_candidates(size)})
    assert batch.status_code == 202
    status_url = batch.get_json()["status_url"]
    match = client.post("/api/match", headers=auth, json={"job_id": "J02", **sample_candidates(1)[0]})
    assert match.status_code == 200
    assert client.get(status_url, headers=auth).get_json()["done"] < size  # served before the waiting chunk
    wait_for(lambda: client.get(status_url, headers=auth).get_json()["status"] == "completed", timeout=120, what="the batch")


@pytest.fixture(scope="module")
def shipped_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """Gunicorn (`bin/api`), a worker, a private Redis and a SQLite file, with the settings of .env.example."""
    with local_stack(tmp_path_factory.mktemp("load"), stack_env()) as stack:
        yield stack


def test_30_clients_for_60_seconds_see_only_200_or_documented_backpressure(shipped_stack: LocalStack) -> None:
    run = run_load(shipped_stack.base_url, shipped_stack.token, clients=30, duration=60, max_requests=5000, timeout=90,
                   waiting_matches=shipped_stack.matches_waiting)
    report = summarise(run)
    assert set(report["mix"]) <= {"200", "503 queue_full"}, report
    assert report["503_without_retry_after"] == 0, report
    assert report["mix"].get("200", 0) >= 30, report
    # The 30 waiting clients hold gunicorn threads, not a place in its queue: other requests still get through.
    assert report["health_failures"] == 0, report
