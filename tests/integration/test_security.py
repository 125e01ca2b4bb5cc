"""Security over real HTTP: headers, the body limit, CORS, the token kept out of logs and answers,
Flower behind basic auth, containers without root.

The stack is the deployed one (gunicorn through bin/api, a Celery worker on the offline model, a
private Redis, a SQLite file), every process logging at DEBUG into files.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import yaml

from api.security_headers import API_POLICY
from shared.config import PROJECT_ROOT
from tests.support.processes import free_port, stop_process, wait_for
from tests.support.served_stack import ServedStack, served_stack

TOKEN = "security-test-token-6f1c2a9e0b7d4c38"
BODY_LIMIT = 10_000
ALLOWED_ORIGIN = "https://hr.example.id"
CV = (PROJECT_ROOT / "data" / "sample" / "cvs" / "C25.txt").read_text()


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.body)  # type: ignore[no-any-return]


def call(
    stack: ServedStack, method: str, path: str, *, token: str | None = TOKEN, body: object = None,
    raw: bytes | None = None, headers: dict[str, str] | None = None, chunked: bool = False,
) -> Answer:
    """One HTTP request to the stack, on its own connection."""
    address = urlsplit(stack.base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=90)
    sent = {**(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    if payload is not None:
        sent.setdefault("Content-Type", "application/json")
    try:
        if chunked:
            # A body without Content-Length: the limit must hold while the body streams in.
            connection.request(method, path, body=iter([payload[i:i + 4096] for i in range(0, len(payload or b""), 4096)]),
                               headers=sent, encode_chunked=True)
        else:
            connection.request(method, path, body=payload, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def assert_error_shape(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status, answer.body[:500]
    assert answer.headers.get_content_type() == "application/json"
    error = answer.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedStack]:
    settings = {"MAX_REQUEST_BYTES": str(BODY_LIMIT), "CORS_ORIGINS": ALLOWED_ORIGIN}
    with served_stack(tmp_path_factory.mktemp("security"), token=TOKEN, env=settings, log_level="DEBUG") as running:
        yield running


@pytest.fixture(scope="module")
def finished_batch(stack: ServedStack) -> dict[str, str]:
    """A small scored batch: its status and CSV carry candidates' names and results."""
    candidates = [{"candidate_id": "C25", "candidate_name": "Hendra Wijaya", "cv_text": CV[:4000]}]
    accepted = call(stack, "POST", "/api/batches", body={"job_id": "J09", "candidates": candidates})
    assert accepted.status == 202, accepted.body
    urls: dict[str, str] = accepted.json()
    wait_for(lambda: call(stack, "GET", urls["status_url"]).json()["finished_at"], timeout=120, what="the batch to finish")
    return urls


# -- headers ------------------------------------------------------------------------------------


def test_every_json_answer_carries_the_security_headers(stack: ServedStack, finished_batch: dict[str, str]) -> None:
    match = {"job_id": "J09", "candidate_id": "C25", "candidate_name": "Hendra Wijaya", "cv_text": CV[:4000]}
    answers = {
        "health": call(stack, "GET", "/api/health", token=None),
        "jobs": call(stack, "GET", "/api/jobs?limit=2"),
        "match": call(stack, "POST", "/api/match", body=match),
        "batch": call(stack, "GET", finished_batch["status_url"]),
        "batch csv": call(stack, "GET", finished_batch["results_csv_url"]),
        "openapi": call(stack, "GET", "/api/openapi.json"),
        "401": call(stack, "GET", "/api/jobs", token=None),
        "400": call(stack, "POST", "/api/match", body={"job_id": "J09"}),
        "404": call(stack, "GET", "/api/no-such-thing"),
        "405": call(stack, "DELETE", "/api/jobs"),
        "415": call(stack, "POST", "/api/match", raw=b"job_id=J09", headers={"Content-Type": "text/plain"}),
        "preflight": call(stack, "OPTIONS", "/api/match", token=None,
                          headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"}),
    }
    assert answers["match"].status == 200 and answers["batch csv"].status == 200, answers["match"].body[:300]
    for name, answer in answers.items():
        headers = answer.headers
        assert headers["X-Content-Type-Options"] == "nosniff", name
        assert headers["X-Frame-Options"] == "DENY", name
        assert headers["Referrer-Policy"] == "no-referrer", name
        assert headers["Content-Security-Policy"] == API_POLICY, name
        assert headers["Cache-Control"] == "no-store", name  # results and names are personal data
    assert "default-src 'none'" in API_POLICY and "frame-ancestors 'none'" in API_POLICY


def test_docs_page_policy_allows_only_this_origins_files(stack: ServedStack) -> None:
    page = call(stack, "GET", "/api/docs", token=None)
    assert page.status == 200 and page.headers.get_content_type() == "text/html"
    directives = dict(part.strip().split(" ", 1) for part in page.headers["Content-Security-Policy"].split(";"))
    assert directives == {
        "default-src": "'none'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
        "connect-src": "'self'", "frame-ancestors": "'none'", "base-uri": "'none'", "form-action": "'none'",
    }
    html = page.body.decode()
    # Nothing inline for the policy to allow: every script and stylesheet is a file of this origin.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/api/docs/swagger-ui-bundle.js">', '<script src="/api/docs/docs.js">'
    ]
    assert "<style" not in html and " style=" not in html and not re.search(r"\son[a-z]+=", html)
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    asset = call(stack, "GET", "/api/docs/swagger-ui-bundle.js", token=None)
    assert asset.status == 200 and asset.headers["Content-Security-Policy"] == API_POLICY
    assert asset.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        ("/api/jobs?industry=" + "x" * 5000, {}, 414, "uri_too_long"),
        ("/api/jobs", {"X-Padding": "x" * 9000}, 431, "request_header_fields_too_large"),
    ],
    ids=["request line too long", "header too large"],
)
def test_answers_from_gunicorn_itself_use_the_error_shape_and_headers(
    stack: ServedStack, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    answer = call(stack, "GET", path, headers=headers)
    assert_error_shape(answer, status, code)
    assert answer.headers["Content-Security-Policy"] == API_POLICY and answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Cache-Control"] == "no-store" and answer.headers["X-Frame-Options"] == "DENY"


# -- body limit -------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_is_413_in_the_error_shape(stack: ServedStack, chunked: bool) -> None:
    body = {"job_id": "J09", "candidate_id": "C25", "candidate_name": "Hendra", "cv_text": "Gudang " * (BODY_LIMIT // 7 + 1)}
    answer = call(stack, "POST", "/api/match", body=body, chunked=chunked)
    assert_error_shape(answer, 413, "payload_too_large")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_without_the_token_a_large_body_is_refused_before_it_is_read(stack: ServedStack) -> None:
    answer = call(stack, "POST", "/api/batches", token=None, raw=b"x" * (BODY_LIMIT * 5))
    assert_error_shape(answer, 401, "unauthorized")


# -- CORS ---------------------------------------------------------------------------------------


def test_cors_answers_only_the_configured_origins(stack: ServedStack) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Authorization, Content-Type"}
    allowed = call(stack, "OPTIONS", "/api/match", token=None, headers={"Origin": ALLOWED_ORIGIN, **preflight})
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert "Access-Control-Allow-Credentials" not in allowed.headers  # a Bearer token, no cookies
    # http://localhost:3000 is a default origin: configuring CORS_ORIGINS replaces the defaults.
    for origin in ("https://evil.example", "http://localhost:3000", "https://hr.example.id.evil.example", "null"):
        refused = call(stack, "OPTIONS", "/api/match", token=None, headers={"Origin": origin, **preflight})
        assert "Access-Control-Allow-Origin" not in refused.headers, origin
        simple = call(stack, "GET", "/api/jobs?limit=1", headers={"Origin": origin})
        assert simple.status == 200 and "Access-Control-Allow-Origin" not in simple.headers, origin
    assert call(stack, "GET", "/api/jobs?limit=1", headers={"Origin": ALLOWED_ORIGIN}).headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


# -- the token ----------------------------------------------------------------------------------


def test_the_token_appears_in_no_log_no_answer_and_no_store(stack: ServedStack, finished_batch: dict[str, str]) -> None:
    wrong_tokens = [TOKEN[:-1], TOKEN[: len(TOKEN) // 2], TOKEN + "0", TOKEN.upper(), "another-token-entirely-12345678"]
    secrets = [TOKEN, *wrong_tokens]
    answers: list[Answer] = []
    match = {"job_id": "J09", "candidate_id": "C25", "candidate_name": "Hendra Wijaya", "cv_text": CV[:3000]}
    answers.append(call(stack, "POST", "/api/match", body=match))
    answers.append(call(stack, "GET", "/api/jobs/J09"))
    answers.append(call(stack, "GET", finished_batch["results_csv_url"]))
    answers.append(call(stack, "POST", "/api/match", body={**match, "cv_text": ""}))  # 422 from the API
    answers.append(call(stack, "GET", "/api/match/no-such-task"))  # 404
    assert [answer.status for answer in answers] == [200, 200, 200, 422, 404]
    for wrong in wrong_tokens:
        for method, path in (("GET", "/api/jobs"), ("POST", "/api/match"), ("GET", "/api/batches"), ("GET", "/api/no-such-thing")):
            answer = call(stack, method, path, token=wrong, body=match if method == "POST" else None)
            assert_error_shape(answer, 401, "unauthorized")
            answers.append(answer)
        basic = base64.b64encode(f"api:{wrong}".encode()).decode()
        answers.append(call(stack, "GET", "/api/jobs", token=None, headers={"Authorization": f"Basic {basic}"}))
        answers.append(call(stack, "GET", "/api/jobs", token=None, headers={"Authorization": wrong}))  # no scheme
    assert all(answer.status == 401 for answer in answers[5:])

    for answer in answers:
        seen = answer.body.decode("utf-8", "replace") + str(answer.headers)
        for secret in secrets:
            assert secret not in seen, (answer.status, seen[:300])
    logs = {path.name: path.read_text(errors="replace") for path in stack.log_files}
    assert {"api.log", "worker.log"} <= set(logs)
    assert "[DEBUG]" in logs["api.log"] and "DEBUG/" in logs["worker.log"]  # the most verbose level really ran
    assert "POST /api/match" in logs["api.log"] and "/api/jobs" in logs["api.log"]  # the requests were logged
    for name, text in logs.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} appears in {name}"
    # Nor does it reach the broker or the database.
    broker = redis.Redis.from_url(stack.settings.redis_url)
    stored = b"".join(broker.dump(key) or b"" for key in broker.scan_iter())
    assert stored and TOKEN.encode() not in stored
    assert TOKEN.encode() not in (stack.workdir / "cv_match.db").read_bytes()


# -- Flower -------------------------------------------------------------------------------------


def flower_env(stack: ServedStack, port: int, basic_auth: str | None) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # bin/flower runs `celery`
    env = {**os.environ, "PATH": path, "REDIS_URL": stack.settings.redis_url, "FLOWER_PORT": str(port), "FLOWER_ADDRESS": "127.0.0.1"}
    env.pop("FLOWER_BASIC_AUTH", None)
    if basic_auth is not None:
        env["FLOWER_BASIC_AUTH"] = basic_auth
    return env


@pytest.mark.parametrize("basic_auth", [None, "", "admin:change-me", "admin:", ":secret-password", "admin", "ok:pw,viewer:"])
def test_flower_refuses_to_start_without_real_credentials(stack: ServedStack, tmp_path: Path, basic_auth: str | None) -> None:
    run = subprocess.run([str(PROJECT_ROOT / "bin" / "flower")], env=flower_env(stack, free_port(), basic_auth),
                         cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert run.returncode == 1 and "refusing to start Flower" in run.stderr


def test_flower_answers_401_without_the_right_credentials(stack: ServedStack, tmp_path: Path) -> None:
    port = free_port()
    credentials = "hr-admin:flower-password-4821"
    log = tmp_path / "flower.log"
    process = subprocess.Popen([str(PROJECT_ROOT / "bin" / "flower")], env=flower_env(stack, port, credentials),
                               cwd=tmp_path, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)

    def flower(path: str, user_password: str | None, method: str = "GET") -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Authorization": "Basic " + base64.b64encode(user_password.encode()).decode()} if user_password else {}
        try:
            connection.request(method, path, body=b"{}" if method == "POST" else None, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    try:
        wait_for(lambda: flower("/", None)[0], timeout=60, what=f"Flower on port {port}")
        pages = [("GET", p) for p in ("/", "/workers", "/tasks", "/broker", "/api/workers", "/api/tasks", "/api/queues/length")]
        # Flower's API can start tasks and shut workers down.
        actions = [("POST", "/api/task/async-apply/cv_match.match_cv"), ("POST", "/api/worker/shutdown/stack@localhost")]
        for method, path in pages + actions:
            for user_password in (None, "hr-admin:wrong-password", "hr-admin:", credentials.upper()):
                assert flower(path, user_password, method)[0] == 401, (path, user_password)
        assert flower("/", credentials)[0] == 200 and flower("/api/workers", credentials)[0] == 200

        # Flower serves /metrics (and /healthcheck) without credentials by design: counts, task names and
        # worker names, never a task's arguments.
        name = "Flower Probe Candidate"
        match = {"job_id": "J09", "candidate_id": "FLOWER-1", "candidate_name": name, "cv_text": CV[:2000]}
        answer = call(stack, "POST", "/api/match", body=match)
        assert answer.status == 200
        task_id = answer.json()["task_id"]
        tasks = wait_for(lambda: task_id in (listing := flower("/api/tasks", credentials)[1]) and listing, timeout=30, what="Flower to record the match task")
        assert name not in tasks and CV[:40] not in tasks  # even behind credentials, arguments are withheld
        status, metrics = flower("/metrics", None)
        assert status == 200 and "cv_match.match_cv" in metrics
        assert name not in metrics and "FLOWER-1" not in metrics and CV[:40] not in metrics
    finally:
        stop_process(process)
    assert process.returncode is not None, log.read_text()[-2000:]


# -- containers ---------------------------------------------------------------------------------


def test_containers_run_as_a_non_root_user() -> None:
    for dockerfile in ("Dockerfile.api", "Dockerfile.worker"):
        users = re.findall(r"^USER\s+(\S+)", (PROJECT_ROOT / dockerfile).read_text(), re.MULTILINE)
        assert users and users[-1] not in {"root", "0", "0:0"}, dockerfile  # the last USER is the one that runs
    services = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())["services"]
    for name, service in services.items():
        assert str(service.get("user", "")).split(":")[0] not in {"root", "0"}, name
        assert not service.get("privileged") and not service.get("cap_add"), name
