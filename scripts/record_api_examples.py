"""Record the OpenAPI document's examples from a running stack into api/openapi_examples.json.

    make run                                     # in one terminal
    .venv/bin/python scripts/record_api_examples.py [BASE_URL]   # default http://127.0.0.1:5000

The examples are real answers: the project's sample CVs (data/sample/cvs: C16, an Indonesian nurse's CV, and
two more) against the seeded job J06, and every error a running stack gives when asked (a bad field, an
unknown job, a CV without letters, a batch still running, ...). The answers of a stack with a part missing
(no worker, a full queue, Redis or the database unreachable) come from the API itself, built in this
process on the same settings with that part taken away. Only a worker raising on a CV is written out,
with the message the API gives for it. The token comes from APP_TOKEN or .env, as for scripts/smoke_test.sh.
Rerun it when answers change shape or score: tests/integration/test_api_examples.py sends the request
examples and compares the answers.
"""
from __future__ import annotations

import argparse
import json
import os
import time
import urllib.error
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import redis
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OUTPUT = PROJECT_ROOT / "api" / "openapi_examples.json"
SAMPLE_CVS = PROJECT_ROOT / "data" / "sample" / "cvs"
JOB_ID = "J06"  # Perawat Pelaksana Rawat Inap, a seeded Indonesian posting
CANDIDATES = (("C16", "Dewi Anggraini Putri"), ("C17", "Siti Nurhaliza Rahman"), ("C06", "Siti Rahmawati Nasution"))
_SOME_TASK_ID = "0d5e4f9a-3c1b-4a57-9d0e-6f2b8c7a1e43"
# A database of the stack's Redis that no worker reads, emptied before and after.
_IDLE_REDIS_DB = 15
_UNOPENABLE_DATABASE = "sqlite:////nonexistent-folder/cv_match.db"


class Recorder:
    """Calls one running API and keeps its answers as named OpenAPI examples per operation and status."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.operations: dict[str, dict[str, Any]] = {}
        # The answers any operation can give, by status: no token, the server's limits, an outage.
        self.common: dict[str, dict[str, Any]] = {}

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(
        self, method: str, path: str, *, body: Any = None, raw: bytes | None = None, content_type: str = "application/json",
        token: str | None = "", headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One request; the status and the JSON answer (or the text for anything else)."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if token is not None:
            request.add_header("Authorization", f"Bearer {token or self.token}")
        if data is not None:
            request.add_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, kind, payload = response.status, response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as error:
            status, kind, payload = error.code, error.headers.get_content_type(), error.read()
        if kind == "application/json":
            return status, json.loads(payload)
        return status, payload.decode()

    def expect(self, operation: str, status: int, name: str, summary: str, method: str, path: str, **kwargs: Any) -> Any:
        """Make the call, insist on `status`, and keep its answer as example `name` of `operation`."""
        got, answer = self.call(method, path, **kwargs)
        if got != status:
            raise SystemExit(f"{method} {path}: expected {status}, got {got}: {str(answer)[:500]}")
        self.keep(operation, status, name, summary, answer)
        return answer

    def keep(self, operation: str, status: int, name: str, summary: str, value: Any) -> None:
        responses = self.operations.setdefault(operation, {}).setdefault("responses", {})
        responses.setdefault(str(status), {})[name] = {"summary": summary, "value": value}

    def request_example(self, operation: str, name: str, summary: str, value: Any) -> None:
        self.operations.setdefault(operation, {}).setdefault("request", {})[name] = {"summary": summary, "value": value}

    def parameters(self, operation: str, **values: Any) -> None:
        self.operations.setdefault(operation, {}).setdefault("parameters", {}).update(values)


def read_token() -> str:
    """APP_TOKEN from the environment, else from the project's .env."""
    if os.environ.get("APP_TOKEN"):
        return os.environ["APP_TOKEN"]
    env_file = PROJECT_ROOT / ".env"
    for line in env_file.read_text().splitlines() if env_file.exists() else []:
        if line.startswith("APP_TOKEN="):
            return line.split("=", 1)[1].strip()
    raise SystemExit("no token: set APP_TOKEN or run `make run` once to create .env")


def candidate(cv_id: str, name: str) -> dict[str, str]:
    return {"candidate_id": cv_id, "candidate_name": name, "cv_text": (SAMPLE_CVS / f"{cv_id}.txt").read_text()}


def error(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def record_jobs(recorder: Recorder) -> None:
    recorder.parameters("GET /api/jobs", industry="healthcare", limit=2)
    recorder.expect("GET /api/jobs", 200, "healthcare", "The first two healthcare jobs", "GET", "/api/jobs?industry=healthcare&limit=2")
    recorder.expect("GET /api/jobs", 400, "validation_error", "limit=0", "GET", "/api/jobs?limit=0")
    recorder.parameters("GET /api/jobs/{job_id}", job_id=JOB_ID)
    recorder.expect("GET /api/jobs/{job_id}", 200, "seeded_job", f"Seeded job {JOB_ID}", "GET", f"/api/jobs/{JOB_ID}")
    recorder.expect("GET /api/jobs/{job_id}", 404, "job_not_found", "An id no job has", "GET", "/api/jobs/J99")


def record_scoring_errors(recorder: Recorder, operation: str, path: str, body: dict[str, Any]) -> None:
    """The input errors that POST /api/match and POST /api/recommendations share."""
    bad_weights = {**body, "weights": {"skills": 0.5, "experience": 0.5, "education": 0.5}}
    recorder.expect(operation, 400, "validation_error", "Weights adding up to 1.5", "POST", path, body=bad_weights)
    recorder.expect(operation, 400, "invalid_json", "A body cut short", "POST", path, raw=b'{"candidate_id": "C16",')
    recorder.expect(operation, 413, "cv_text_too_long", "A CV text over MAX_CV_CHARS", "POST", path,
                    body={**body, "cv_text": "Perawat " * 12_600})
    recorder.expect(operation, 415, "unsupported_media_type", "A form-encoded body", "POST", path,
                    raw=b"candidate_id=C16", content_type="application/x-www-form-urlencoded")
    recorder.expect(operation, 422, "cv_text_unreadable", "A scan whose text was never extracted", "POST", path,
                    body={**body, "cv_text": "0812 3456 7890 / 2019 - 2023 / ---- ||| ...."})
    recorder.expect(operation, 422, "cv_text_empty", "Only whitespace", "POST", path, body={**body, "cv_text": " \n\t "})
    # The one answer no healthy or broken part gives on demand: the worker raising on a CV.
    recorder.keep(operation, 500, "scoring_failed", "The worker raised on this CV (it is in the worker's log)",
                  error("scoring_failed", "the worker failed to score this CV; it has been logged", task_id=_SOME_TASK_ID))


def record_stored_answer(recorder: Recorder, kind: str, created: dict[str, Any], scored_again: dict[str, Any]) -> None:
    """GET and DELETE /api/<kind>/{task_id}: the stored answer, a stored refusal, unknown ids, a delete.

    `scored_again` is a second answer to delete, with the body that asked for it under "request".
    """
    get, delete = f"GET /api/{kind}/{{task_id}}", f"DELETE /api/{kind}/{{task_id}}"
    not_found = "match_not_found" if kind == "match" else "recommendations_not_found"
    recorder.parameters(get, task_id=created["task_id"])
    recorder.parameters(delete, task_id=scored_again["task_id"])
    recorder.expect(get, 200, "stored", "The stored answer, as POST gave it", "GET", f"/api/{kind}/{created['task_id']}")
    recorder.expect(get, 404, not_found, "An id that was never given or was deleted", "GET", f"/api/{kind}/{_SOME_TASK_ID}")
    recorder.keep(get, 500, "scoring_failed", "The worker raised on it",
                  error("scoring_failed", "the worker failed to score this CV; it has been logged", task_id=created["task_id"]))
    # A CV of nothing but the candidate's name and phone passes the API's check, then the worker refuses it.
    name_only = {**scored_again["request"], "cv_text": "Dewi Anggraini Putri\n0812 2145 7730\nDewi Anggraini Putri, Cimahi",
                 "candidate_name": "Dewi Anggraini Putri"}
    refused = recorder.expect(f"POST /api/{kind}", 422, "only_personal_data", "Nothing left to score once the name is out",
                              "POST", f"/api/{kind}", body=name_only)
    recorder.expect(get, 422, "only_personal_data", "The worker refused the CV", "GET", f"/api/{kind}/{refused['error']['details']['task_id']}")
    got, answer = recorder.call("DELETE", f"/api/{kind}/{scored_again['task_id']}")
    if got != 204:
        raise SystemExit(f"DELETE /api/{kind}/…: expected 204, got {got}: {str(answer)[:300]}")
    recorder.expect(delete, 404, not_found, "Already deleted", "DELETE", f"/api/{kind}/{scored_again['task_id']}")


def record_broken_parts(recorder: Recorder, match_body: dict[str, Any], recommendations_body: dict[str, Any]) -> None:
    """The answers of a stack with a part missing, from the API itself run in this process.

    No worker (a Redis database no worker reads): 504 match_timeout, then 202 while queued and 409 on
    delete; a queue already at MAX_QUEUE_DEPTH: queue_full; Redis unreachable: broker_unavailable; a
    database that cannot be opened: database_unavailable; a small MAX_REQUEST_BYTES: payload_too_large.
    """
    from api.app import create_app
    from shared.config import get_settings
    from shared.db import create_db_engine, init_db

    settings = get_settings()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "cv_match.db"
        init_db(create_db_engine(f"sqlite:///{database}"), settings.seed_dir)
        idle_redis = settings.redis_url.rsplit("/", 1)[0] + f"/{_IDLE_REDIS_DB}"
        redis.Redis.from_url(idle_redis).flushdb()
        base = {"database_url": f"sqlite:///{database}", "redis_url": idle_redis, "match_timeout_seconds": 1.0}

        def client(**overrides: Any) -> FlaskClient:
            return create_app(settings.model_copy(update={**base, **overrides})).test_client()

        try:
            for kind, body in (("match", match_body), ("recommendations", recommendations_body)):
                path = f"/api/{kind}"
                timed_out = keep_local(recorder, f"POST {path}", 504, "match_timeout", "No worker answered within MATCH_TIMEOUT_SECONDS",
                                       client().post(path, json=body, headers=recorder.auth))
                result_url = timed_out["error"]["details"]["result_url"]
                keep_local(recorder, f"GET {path}/{{task_id}}", 202, "queued", "Still waiting for a worker",
                           client().get(result_url, headers=recorder.auth))
                keep_local(recorder, f"DELETE {path}/{{task_id}}", 409, f"{kind}_not_finished", "Still queued: delete it once finished",
                           client().delete(result_url, headers=recorder.auth))
                keep_local(recorder, f"POST {path}", 503, "queue_full", "MAX_QUEUE_DEPTH requests already wait; nothing was stored",
                           client(max_queue_depth=1).post(path, json=body, headers=recorder.auth))
                keep_local(recorder, f"POST {path}", 503, "broker_unavailable", "Redis is unreachable",
                           client(redis_url="redis://127.0.0.1:1/0", broker_timeout_seconds=0.2).post(path, json=body, headers=recorder.auth))
                keep_local(recorder, f"POST {path}", 503, "database_unavailable", "The database cannot be opened",
                           client(database_url=_UNOPENABLE_DATABASE).post(path, json=body, headers=recorder.auth))
                long_body = {**body, "cv_text": over_ten_thousand_chars(body["cv_text"])}
                keep_local(recorder, f"POST {path}", 413, "payload_too_large", "A body over MAX_REQUEST_BYTES",
                           client(max_request_bytes=10_000).post(path, json=long_body, headers=recorder.auth))
            batch = {"job_id": JOB_ID, "candidates": [{**candidate(*c), "cv_text": over_ten_thousand_chars(candidate(*c)["cv_text"])}
                                                       for c in CANDIDATES]}
            keep_local(recorder, "POST /api/batches", 413, "payload_too_large", "A body over MAX_REQUEST_BYTES",
                       client(max_request_bytes=10_000).post("/api/batches", json=batch, headers=recorder.auth))
            common_outage = client(database_url=_UNOPENABLE_DATABASE).get("/api/jobs", headers=recorder.auth)
            if common_outage.status_code != 503:
                raise SystemExit(f"GET /api/jobs without a database: expected 503, got {common_outage.status_code}")
            recorder.common["503"] = {"database_unavailable": {"summary": "The database cannot be opened", "value": common_outage.get_json()}}
        finally:
            redis.Redis.from_url(idle_redis).flushdb()


def over_ten_thousand_chars(text: str) -> str:
    """`text` repeated past 10,000 characters: a body over the smallest MAX_REQUEST_BYTES, a CV under MAX_CV_CHARS."""
    return text * (10_000 // len(text) + 1)


def keep_local(recorder: Recorder, operation: str, status: int, name: str, summary: str, answer: TestResponse) -> Any:
    """Keep an in-process answer like a served one: it must have `status`."""
    if answer.status_code != status:
        raise SystemExit(f"{operation} ({name}): expected {status}, got {answer.status_code}: {answer.get_data(as_text=True)[:300]}")
    body = answer.get_json()
    recorder.keep(operation, status, name, summary, body)
    return body


def record_match(recorder: Recorder) -> dict[str, Any]:
    body = {"job_id": JOB_ID, **candidate(*CANDIDATES[0])}
    inline = {
        "job": {
            "title": "Perawat ICU",
            "description": "Rumah sakit swasta di Bandung mencari perawat untuk ruang ICU dewasa.",
            "requirements": ["S1 Keperawatan dan Ners", "STR aktif", "Minimal 2 tahun pengalaman di ruang rawat inap atau ICU",
                             "Sertifikat BTCLS"],
            "required_skills": ["Nursing Care", "BLS | BTCLS"],
            "min_experience_years": 2,
            "education_level": "S1",
        },
        **candidate(*CANDIDATES[0]),
        "weights": {"skills": 0.5, "experience": 0.3, "education": 0.2},
    }
    operation = "POST /api/match"
    recorder.request_example(operation, "seeded_job", f"An Indonesian nurse's CV (sample C16) against seeded job {JOB_ID}", body)
    recorder.request_example(operation, "inline_job", "The same CV against a posting sent with the request, with own weights", inline)
    created = recorder.expect(operation, 200, "seeded_job", f"C16 against {JOB_ID}", "POST", "/api/match", body=body)
    recorder.expect(operation, 200, "inline_job", "C16 against an inline posting", "POST", "/api/match", body=inline)
    recorder.expect(operation, 404, "job_not_found", "A job_id no job has", "POST", "/api/match", body={**body, "job_id": "J99"})
    record_scoring_errors(recorder, operation, "/api/match", body)
    again = {**recorder.call("POST", "/api/match", body={**body, "candidate_id": "C16-copy"})[1], "request": body}
    record_stored_answer(recorder, "match", created, again)
    return body


def record_recommendations(recorder: Recorder) -> dict[str, Any]:
    body = {**candidate(*CANDIDATES[0]), "limit": 3}
    filtered = {**candidate(*CANDIDATES[0]), "industry": "healthcare", "language": "id", "limit": 3}
    operation = "POST /api/recommendations"
    recorder.request_example(operation, "best_three", "The three seeded jobs that fit sample CV C16 best", body)
    recorder.request_example(operation, "healthcare_in_indonesian", "Only healthcare jobs posted in Indonesian", filtered)
    created = recorder.expect(operation, 200, "best_three", "The best three of all seeded jobs", "POST", "/api/recommendations", body=body)
    recorder.expect(operation, 200, "healthcare_in_indonesian", "Healthcare jobs in Indonesian", "POST", "/api/recommendations",
                    body=filtered)
    record_scoring_errors(recorder, operation, "/api/recommendations", body)
    again = {**recorder.call("POST", "/api/recommendations", body={**body, "candidate_id": "C16-copy"})[1], "request": body}
    record_stored_answer(recorder, "recommendations", created, again)
    return body


def wait_until_finished(recorder: Recorder, batch_id: str) -> None:
    for _ in range(600):
        status, batch = recorder.call("GET", f"/api/batches/{batch_id}")
        if status == 200 and batch["status"] in {"completed", "completed_with_errors"}:
            return
        time.sleep(0.5)
    raise SystemExit(f"batch {batch_id} did not finish in 5 minutes")


def record_batches(recorder: Recorder) -> None:
    body = {"job_id": JOB_ID, "candidates": [candidate(*c) for c in CANDIDATES]}
    operation = "POST /api/batches"
    recorder.request_example(operation, "three_nurses", f"Three sample CVs (C16, C17, C06) against seeded job {JOB_ID}", body)
    accepted = recorder.expect(operation, 202, "accepted", "Three CVs accepted", "POST", "/api/batches", body=body)
    batch_id, path = accepted["batch_id"], f"/api/batches/{accepted['batch_id']}"
    # A larger batch, asked about at once, is still running: the 409 answers and a running status.
    everyone = {"job_id": JOB_ID, "candidates": [candidate(p.stem, f"Sample {p.stem}") for p in sorted(SAMPLE_CVS.glob("*.txt"))]}
    running = recorder.call("POST", "/api/batches", body=everyone)[1]
    running_path = f"/api/batches/{running['batch_id']}"
    recorder.expect(f"GET {'/api/batches/{batch_id}'}/results.csv", 409, "batch_not_finished", "Asked for while it runs",
                    "GET", f"{running_path}/results.csv")
    recorder.expect("GET /api/batches/{batch_id}/audit", 409, "batch_not_finished", "Asked for while it runs", "GET", f"{running_path}/audit")
    recorder.expect("GET /api/batches/{batch_id}", 200, "in_progress", "Still being scored: progress, no results yet", "GET", running_path)

    duplicate = {"job_id": JOB_ID, "candidates": [candidate(*CANDIDATES[0]), candidate(*CANDIDATES[0])]}
    recorder.expect(operation, 400, "duplicate_candidate_ids", "The same candidate_id twice", "POST", "/api/batches", body=duplicate)
    recorder.expect(operation, 400, "validation_error", "A candidate without cv_text", "POST", "/api/batches",
                    body={"job_id": JOB_ID, "candidates": [{"candidate_id": "C16", "candidate_name": "Dewi"}]})
    recorder.expect(operation, 404, "job_not_found", "A job_id no job has", "POST", "/api/batches", body={**body, "job_id": "J99"})
    too_many = {"job_id": JOB_ID, "candidates": [{"candidate_id": f"c{i}", "candidate_name": "x", "cv_text": "x"} for i in range(501)]}
    recorder.expect(operation, 413, "batch_too_large", "More than BATCH_MAX_CANDIDATES candidates", "POST", "/api/batches", body=too_many)
    recorder.expect(operation, 415, "unsupported_media_type", "A CSV upload instead of JSON", "POST", "/api/batches",
                    raw=b"candidate_id,cv_text\n", content_type="text/csv")

    wait_until_finished(recorder, batch_id)
    recorder.parameters("GET /api/batches/{batch_id}", batch_id=batch_id)
    recorder.expect("GET /api/batches/{batch_id}", 200, "completed", "Finished: results ranked by semantic_score", "GET", path)
    recorder.expect("GET /api/batches/{batch_id}", 200, "qualified_only", "qualified=true: only those meeting every requirement",
                    "GET", f"{path}?qualified=true")
    recorder.expect("GET /api/batches/{batch_id}", 400, "validation_error", "min_grade=excellent", "GET", f"{path}?min_grade=excellent")
    unknown = "/api/batches/00000000-0000-4000-8000-000000000000"
    for suffix in ("", "/results.csv", "/audit"):
        recorder.expect(f"GET /api/batches/{{batch_id}}{suffix}", 404, "batch_not_found", "An id no batch has", "GET", unknown + suffix)
    recorder.parameters("GET /api/batches/{batch_id}/results.csv", batch_id=batch_id)
    recorder.expect("GET /api/batches/{batch_id}/results.csv", 200, "csv", "One row per candidate", "GET", f"{path}/results.csv")
    recorder.expect("GET /api/batches/{batch_id}/results.csv", 400, "validation_error", "qualified=maybe", "GET",
                    f"{path}/results.csv?qualified=maybe")
    recorder.parameters("GET /api/batches/{batch_id}/audit", batch_id=batch_id)
    recorder.expect("GET /api/batches/{batch_id}/audit", 200, "audit", "What blind screening found", "GET", f"{path}/audit")
    recorder.parameters("GET /api/batches", limit=2)
    recorder.expect("GET /api/batches", 200, "recent", "The two newest batches", "GET", "/api/batches?limit=2")
    recorder.expect("GET /api/batches", 400, "validation_error", "limit=-1", "GET", "/api/batches?limit=-1")
    recorder.parameters("DELETE /api/batches/{batch_id}", batch_id=running["batch_id"])
    recorder.call("DELETE", running_path)
    recorder.expect("DELETE /api/batches/{batch_id}", 404, "batch_not_found", "Already deleted", "DELETE", running_path)


def record_common(recorder: Recorder) -> None:
    """The answers any operation can give: no token, and the server's limits on the request line and headers."""
    for status, name, summary, kwargs in (
        (401, "unauthorized", "No or wrong token", {"token": None}),
        (414, "uri_too_long", "A query string of 5,000 characters", {"path": "/api/jobs?industry=" + "x" * 5000}),
        (431, "request_header_fields_too_large", "A 9,000-character header", {"headers": {"X-Padding": "x" * 9000}}),
    ):
        path = kwargs.pop("path", "/api/jobs")
        got, answer = recorder.call("GET", path, **kwargs)
        if got != status:
            raise SystemExit(f"GET {path[:40]}: expected {status}, got {got}")
        recorder.common[str(status)] = {name: {"summary": summary, "value": answer}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:5000")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"where to write them (default {OUTPUT.relative_to(PROJECT_ROOT)})")
    args = parser.parse_args()
    recorder = Recorder(args.base_url, read_token())
    recorder.expect("GET /api/health", 200, "ok", "A healthy stack", "GET", "/api/health", token=None)
    recorder.expect("GET /api/docs/{name}", 404, "not_found", "A file the docs page does not have", "GET", "/api/docs/missing.js")
    record_jobs(recorder)
    record_broken_parts(recorder, record_match(recorder), record_recommendations(recorder))
    record_batches(recorder)
    record_common(recorder)
    document = {"common": dict(sorted(recorder.common.items())), "operations": dict(sorted(recorder.operations.items()))}
    args.output.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {args.output}: {sum(len(o.get('responses', {})) for o in recorder.operations.values())} "
          f"response statuses in {len(recorder.operations)} operations")


if __name__ == "__main__":
    main()
