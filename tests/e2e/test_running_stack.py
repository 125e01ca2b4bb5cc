"""Drive the stack that `make run` starts (scripts/run_local.sh) over HTTP, then stop it with Ctrl-C.

Everything is real and separate from the test process: an embedded Redis started by the
script, gunicorn, a Celery worker, Flower, a fresh env file and SQLite file. The default
MODEL_NAME cannot load offline, so this also shows the fallback being reported.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared.config import PROJECT_ROOT
from tests.support.http import fetch
from tests.support.processes import free_port, wait_for


@dataclass
class Stack:
    api: str
    flower: str
    token: str
    flower_auth: str
    process: subprocess.Popen[bytes]
    output: Path
    env_file: Path
    redis_url: str


def call(url: str, *, token: str | None = None, body: Any = None, basic: str | None = None) -> tuple[int, Any]:
    answer = fetch(url, token=token, body=body, basic=basic)
    return answer.status, answer.body


def setting(env_file: Path, name: str) -> str:
    line = next(line for line in env_file.read_text().splitlines() if line.startswith(f"{name}="))
    return line.split("=", 1)[1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("make-run")
    api_port, flower_port, redis_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "ENV_FILE": str(workdir / "env"),
        "RUN_DIR": str(workdir / "run"),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",  # nothing listens there: the script starts Redis
        "DATABASE_URL": f"sqlite:///{workdir / 'cv_match.db'}",
        "API_BIND": f"127.0.0.1:{api_port}",
        "FLOWER_PORT": str(flower_port),
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("MODEL_NAME", None)
    output = workdir / "make-run.log"
    process = subprocess.Popen(
        ["bash", str(PROJECT_ROOT / "scripts" / "run_local.sh")],
        env=env, stdout=output.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_for(lambda: "token:" in output.read_text(), timeout=180, what="make run to report a healthy stack")
        yield Stack(
            api=f"http://127.0.0.1:{api_port}/api",
            flower=f"http://127.0.0.1:{flower_port}",
            token=setting(workdir / "env", "APP_TOKEN"),
            flower_auth=setting(workdir / "env", "FLOWER_BASIC_AUTH"),
            process=process,
            output=output,
            env_file=workdir / "env",
            redis_url=env["REDIS_URL"],
        )
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_make_run_prints_urls_token_and_the_fallback(stack: Stack) -> None:
    printed = stack.output.read_text()
    assert "created" in printed and stack.token in printed and stack.api in printed
    assert "MODEL FALLBACK" in printed and "embedded" in printed
    assert len(stack.token) >= 32


def test_health_jobs_and_match_over_http(stack: Stack) -> None:
    status, health = call(f"{stack.api}/health")
    assert status == 200 and health["status"] == "ok"
    assert health["model"]["fallback"] is True and health["model"]["name"] == "use-multilingual-v3"

    status, page = call(f"{stack.api}/jobs?industry=Logistics&limit=2", token=stack.token)
    assert status == 200 and page["limit"] == 2 and len(page["items"]) == 2 and page["total"] >= 3

    status, job = call(f"{stack.api}/jobs/J06", token=stack.token)
    assert status == 200 and job["title"]

    cv = (PROJECT_ROOT / "data" / "sample" / "cvs" / "C16.txt").read_text()
    status, result = call(
        f"{stack.api}/match", token=stack.token, body={"job_id": "J06", "candidate_id": "C16", "candidate_name": "Budi", "cv_text": cv}
    )
    assert status == 200, result
    # C16 is annotated an excellent fit for J06 (5, 5, 4) and is in the validation split, which the
    # shipped calibration was not fitted on: whatever the calibration, not a Low Match.
    assert result["grade"] in {"High Match", "Medium Match"} and result["score_comparison"]["semantic_score"] >= 60
    assert result["model"]["fallback"] is True
    assert any(w.startswith("model_fallback") for w in result["warnings"])
    status, again = call(f"{stack.api}/match/{result['task_id']}", token=stack.token)
    assert status == 200 and again == result

    status, error = call(f"{stack.api}/jobs", token="not-the-token-at-all")
    assert status == 401 and error["error"]["code"] == "unauthorized"


def test_flower_requires_basic_auth(stack: Stack) -> None:
    assert call(stack.flower + "/")[0] == 401
    assert call(stack.flower + "/", basic=stack.flower_auth)[0] == 200


SMOKE_TEST = PROJECT_ROOT / "scripts" / "smoke_test.sh"
# The calls scripts/smoke_test.sh makes, in order, as "method path status" (<id>: the batch it submits).
SMOKE_CALLS = [
    "GET /api/health 200",
    "GET /api/jobs 200",
    "POST /api/match 200",
    "POST /api/batches 202",
    "GET /api/batches/<id> 200",
    "GET /api/batches/<id>/results.csv 200",
    "DELETE /api/batches/<id> 204",
    "GET /api/batches/<id> 404",
]


def run_smoke_test(base_url: str, *, cwd: Path = PROJECT_ROOT, script: Path = SMOKE_TEST, **env: str) -> subprocess.CompletedProcess[str]:
    """scripts/smoke_test.sh against `base_url` with only the token settings given here (none of the caller's)."""
    environment = {name: value for name, value in os.environ.items() if name not in {"APP_TOKEN", "ENV_FILE", "SMOKE_TIMEOUT"}}
    return subprocess.run(
        ["bash", str(script), base_url], env={**environment, **env}, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def call_lines(stdout: str) -> list[str]:
    """The smoke test's call lines as "ok|FAIL method path status", the batch id replaced by <id>."""
    lines = [line.split() for line in stdout.splitlines() if line.startswith(("ok ", "FAIL "))]
    return [re.sub(r"/api/batches/[0-9a-f-]{36}", "/api/batches/<id>", " ".join(words[:4])) for words in lines]


def assert_smoke_test_passed(run: subprocess.CompletedProcess[str], stack: Stack) -> None:
    """Exit 0, one ok line per call in order, the details that matter, and the batch really gone."""
    assert run.returncode == 0, run.stdout + run.stderr
    assert call_lines(run.stdout) == [f"ok {call}" for call in SMOKE_CALLS], run.stdout
    lines = run.stdout.splitlines()
    assert len(lines) == len(SMOKE_CALLS) + 1 and lines[-1] == f"smoke test passed: {stack.api.removesuffix('/api')}"
    assert "status ok" in lines[0] and "(fallback)" in lines[0]
    assert re.search(r"(High|Medium|Low) Match, semantic [0-9.]+, keyword [0-9.]+", lines[2])
    assert "completed, 3/3 scored" in lines[4] and "header + 3 rows" in lines[5] and "batch_not_found" in lines[7]
    batch = re.search(r"/api/batches/([0-9a-f-]{36})", lines[4])
    assert batch and call(f"{stack.api}/batches/{batch.group(1)}", token=stack.token)[0] == 404
    assert stack.token not in run.stdout + run.stderr


def test_smoke_test_passes_against_the_stack(stack: Stack) -> None:
    assert_smoke_test_passed(run_smoke_test(stack.api.removesuffix("/api"), APP_TOKEN=stack.token), stack)


def test_smoke_test_stops_at_a_wrong_token(stack: Stack) -> None:
    # APP_TOKEN wins over the env file, which holds the right one.
    run = run_smoke_test(stack.api.removesuffix("/api"), APP_TOKEN="a-wrong-token-of-some-length", ENV_FILE=str(stack.env_file))
    assert run.returncode == 1
    assert call_lines(run.stdout) == ["ok GET /api/health 200", "FAIL GET /api/jobs 401"], run.stdout
    assert run.stdout.splitlines()[-1].startswith("FAIL GET")  # nothing after the failing call
    assert '"unauthorized"' in run.stderr  # the failing answer's body


def test_smoke_test_reads_the_token_from_env_file(stack: Stack, tmp_path: Path) -> None:
    # Run from elsewhere: the sample CVs are found from the script's own place.
    assert_smoke_test_passed(run_smoke_test(stack.api.removesuffix("/api"), cwd=tmp_path, ENV_FILE=str(stack.env_file)), stack)


def test_smoke_test_reads_the_token_from_dot_env_in_the_project_root(stack: Stack, tmp_path: Path) -> None:
    # A copy of the project's layout, so that the real project root's .env is neither read nor written.
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(SMOKE_TEST, project / "scripts")
    (project / "data").symlink_to(PROJECT_ROOT / "data")
    shutil.copy(stack.env_file, project / ".env")
    run = run_smoke_test(stack.api.removesuffix("/api"), cwd=tmp_path, script=project / "scripts" / "smoke_test.sh")
    assert_smoke_test_passed(run, stack)


def test_smoke_test_without_a_token_exits_2(tmp_path: Path) -> None:
    env_file = tmp_path / "env"
    env_file.write_text("MODEL_NAME=use-multilingual-v3\nAPP_TOKEN=\n")
    for env in ({"ENV_FILE": str(env_file)}, {"ENV_FILE": str(tmp_path / "missing")}, {"ENV_FILE": str(env_file), "APP_TOKEN": ""}):
        run = run_smoke_test("http://127.0.0.1:9", **env)
        assert run.returncode == 2 and run.stdout == "", run
        assert "APP_TOKEN" in run.stderr and env["ENV_FILE"] in run.stderr


def example_names(examples: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(operation, status, example name) of every recorded answer, and (operation, "request", name) of every body."""
    names = {(key, "request", name) for key, operation in examples["operations"].items() for name in operation.get("request", {})}
    for key, operation in examples["operations"].items():
        names |= {(key, status, name) for status, answers in operation.get("responses", {}).items() for name in answers}
    return names | {("*", status, name) for status, answers in examples["common"].items() for name in answers}


def test_the_example_recorder_gives_the_committed_examples_again(stack: Stack, tmp_path: Path) -> None:
    output = tmp_path / "examples.json"
    environment = {**os.environ, "APP_TOKEN": stack.token, "REDIS_URL": stack.redis_url, "HF_HUB_OFFLINE": "1"}
    run = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "record_api_examples.py"), stack.api.removesuffix("/api"), "--output", str(output)],
        env=environment, cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    recorded, committed = json.loads(output.read_text()), json.loads((PROJECT_ROOT / "api" / "openapi_examples.json").read_text())
    assert example_names(recorded) == example_names(committed)
    match = ("POST /api/match", "200", "seeded_job")
    fresh, kept = (examples["operations"][match[0]]["responses"][match[1]][match[2]]["value"] for examples in (recorded, committed))
    assert fresh["grade"] == kept["grade"] and fresh["score_comparison"] == kept["score_comparison"]


def test_ctrl_c_stops_every_process(stack: Stack) -> None:
    os.killpg(stack.process.pid, signal.SIGINT)
    stack.process.wait(timeout=60)
    assert "stopped" in stack.output.read_text()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{stack.api}/health", timeout=2)
    leftovers = subprocess.run(["pgrep", "-g", str(stack.process.pid)], capture_output=True, text=True).stdout.split()
    assert leftovers == []
