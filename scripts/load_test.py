"""Load test: concurrent clients on POST /api/match for a bounded time, against the real stack.

Usage:
  python -m scripts.load_test                  # its own stack with the .env.example settings; 30 clients, 60 s
  python -m scripts.load_test --clients 30 --duration 60 --max-requests 5000 --output load.json
  python -m scripts.load_test --during-batch 500      # the same while a 500-CV batch is being scored
  python -m scripts.load_test --base-url http://127.0.0.1:5000 --token "$APP_TOKEN"   # a stack already running
  make load

Without --base-url it starts the processes `make run` starts, on free loopback ports in a temporary
folder: a private redis-server, a SQLite file, a Celery worker on the offline model use-multilingual-v3
(WORKER_CONCURRENCY processes) and `bin/api` (gunicorn). Settings come from .env.example; the
environment overrides them (`WORKER_CONCURRENCY=1 make load`).

Each client sends a sample CV against a seeded job (J01-J10), waits for the answer and sends the next;
after a 503 it first waits Retry-After seconds, as a well-behaved client does. The run stops after
--duration seconds or --max-requests requests, whichever comes first; loopback addresses only.
Prints p50/p95/p99 of the answered matches, the throughput and the mix of statuses and error codes,
and writes them as JSON.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from dotenv import dotenv_values

from shared.config import PROJECT_ROOT
from shared.queue import queue_depth
from shared.sample_data import sample_candidates
from tests.support.served_stack import served_stack

MODEL = "use-multilingual-v3"
JOB_IDS = [f"J{number:02d}" for number in range(1, 11)]
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The settings a report names, so that its numbers can be read against the stack that produced them.
REPORTED_SETTINGS = (
    "WORKER_CONCURRENCY", "TORCH_THREADS", "BATCH_CHUNK_SIZE", "API_PROCESSES", "API_THREADS",
    "MAX_QUEUE_DEPTH", "MATCH_TIMEOUT_SECONDS",
)


@dataclass(frozen=True)
class Outcome:
    """One request: its status and error code, or the connection error that stopped it."""

    status: int | None
    seconds: float
    code: str | None = None
    retry_after: str | None = None
    connection_error: str | None = None

    @property
    def kind(self) -> str:
        """How the error mix counts it: "200", "503 queue_full", "connection_error TimeoutError"."""
        if self.status is None:
            return f"connection_error {self.connection_error}"
        return f"{self.status} {self.code}" if self.code else str(self.status)


@dataclass(frozen=True)
class LocalStack:
    """A stack started by `local_stack`: where the API listens, its token and its settings."""

    base_url: str
    token: str
    env: dict[str, str]
    broker: redis.Redis = field(repr=False)

    def matches_waiting(self) -> int:
        """How many sync matches wait in this stack's Redis."""
        return queue_depth(self.broker)


def post_match(base_url: str, token: str, body: dict[str, Any], *, timeout: float) -> Outcome:
    """Send one POST /api/match and say how it ended."""
    request = urllib.request.Request(
        f"{base_url}/api/match", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return Outcome(response.status, time.perf_counter() - started)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return Outcome(error.code, time.perf_counter() - started, _error_code(raw), error.headers.get("Retry-After"))
    except OSError as error:  # refused, reset or timed out: what a load test must never see
        reason = getattr(error, "reason", error)
        return Outcome(None, time.perf_counter() - started, connection_error=type(reason).__name__)


def _error_code(raw: bytes) -> str:
    try:
        return str(json.loads(raw)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "not_the_error_shape"


@dataclass
class LoadRun:
    """What a run saw: every request's outcome, how long it took, and what a monitor sampled meanwhile."""

    outcomes: list[Outcome]
    seconds: float
    health_ms: list[float]
    queue_depths: list[int]
    health_failures: int = 0


def run_load(
    base_url: str, token: str, *, clients: int, duration: float, max_requests: int, timeout: float,
    waiting_matches: Callable[[], int] | None = None,
) -> LoadRun:
    """`clients` threads sending matches until `duration` seconds or `max_requests` requests.

    Meanwhile a monitor times GET /api/health twice a second (does the API still answer other
    requests?) and samples `waiting_matches` (how many matches wait in Redis), when given.
    """
    _refuse_non_loopback(base_url)
    candidates = sample_candidates(30)
    run = LoadRun([], 0.0, [], [])
    lock = threading.Lock()
    sent = 0
    deadline = time.monotonic() + duration
    finished = threading.Event()

    def client() -> None:
        nonlocal sent
        while time.monotonic() < deadline:
            with lock:
                if sent >= max_requests:
                    return
                number = sent
                sent += 1
            body = {"job_id": JOB_IDS[number % len(JOB_IDS)], **candidates[number % len(candidates)]}
            outcome = post_match(base_url, token, body, timeout=timeout)
            with lock:
                run.outcomes.append(outcome)
            if outcome.status == 503 and outcome.retry_after:
                time.sleep(max(0.0, min(float(outcome.retry_after), deadline - time.monotonic())))

    def monitor() -> None:
        while not finished.wait(0.5):
            started = time.perf_counter()
            try:
                _health(base_url)
            except OSError:  # no answer within the probe's timeout: counted as a failed probe
                run.health_failures += 1
            run.health_ms.append((time.perf_counter() - started) * 1000)
            if waiting_matches is not None:
                run.queue_depths.append(waiting_matches())

    started = time.perf_counter()
    with ThreadPoolExecutor(clients + 1) as pool:
        watching = pool.submit(monitor)
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
        finished.set()
        watching.result()
    run.seconds = time.perf_counter() - started
    return run


def summarise(run: LoadRun) -> dict[str, Any]:
    """Latency percentiles of the answered matches, throughput, the mix of statuses and error codes, and what the monitor saw."""
    answered = [o.seconds * 1000 for o in run.outcomes if o.status == 200]
    refused = [o.seconds * 1000 for o in run.outcomes if o.status == 503]
    return {
        "requests": len(run.outcomes),
        "seconds": round(run.seconds, 1),
        "answered_per_second": round(len(answered) / run.seconds, 1),
        "requests_per_second": round(len(run.outcomes) / run.seconds, 1),
        "latency_ms_answered": _percentiles(answered),
        "latency_ms_503": _percentiles(refused),
        "mix": dict(Counter(o.kind for o in run.outcomes).most_common()),
        "503_without_retry_after": sum(o.status == 503 and not o.retry_after for o in run.outcomes),
        "health_latency_ms": _percentiles(run.health_ms),
        "health_failures": run.health_failures,
        "queue_depth_max": max(run.queue_depths, default=None),
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    nearest_rank = {name: ordered[max(0, math.ceil(share * len(ordered)) - 1)] for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}
    return {name: round(value, 1) for name, value in {**nearest_rank, "max": ordered[-1]}.items()}


def _refuse_non_loopback(base_url: str) -> None:
    host = urllib.parse.urlsplit(base_url).hostname
    if host not in LOOPBACK_HOSTS:
        raise SystemExit(f"refusing to load-test {host!r}: loopback addresses only ({', '.join(sorted(LOOPBACK_HOSTS))})")


def stack_env() -> dict[str, str]:
    """The settings of .env.example, with the caller's environment on top, on the offline model."""
    example = {name: value for name, value in dotenv_values(PROJECT_ROOT / ".env.example").items() if value is not None}
    from_environment = {name: os.environ[name] for name in example if name in os.environ}
    return {**example, **from_environment, "MODEL_NAME": MODEL, "HF_HUB_OFFLINE": "1"}


@contextmanager
def local_stack(folder: Path, env: dict[str, str]) -> Iterator[LocalStack]:
    """Redis, a SQLite file, `WORKER_CONCURRENCY` worker processes and gunicorn (`bin/api`) on loopback, ready."""
    with served_stack(folder, token=secrets.token_urlsafe(32), env=env) as running:
        yield LocalStack(running.base_url, running.token, env, redis.Redis.from_url(running.settings.redis_url))


def _health(base_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base_url}/api/health", timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def _call(base_url: str, token: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base_url}{path}", data=None if body is None else json.dumps(body).encode(), method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def measure(base_url: str, token: str, args: argparse.Namespace, waiting_matches: Callable[[], int] | None = None) -> dict[str, Any]:
    """Run the load (after submitting a background batch if asked) and summarise it."""
    batch = None
    if args.during_batch:
        batch = _call(base_url, token, "POST", "/api/batches", {"job_id": "J01", "candidates": sample_candidates(args.during_batch)})
    run = run_load(
        base_url, token, clients=args.clients, duration=args.duration, max_requests=args.max_requests, timeout=args.timeout,
        waiting_matches=waiting_matches,
    )
    report = summarise(run)
    if batch is not None:
        state = _call(base_url, token, "GET", f"{batch['status_url']}?limit=1")
        # The sync numbers only describe "during a batch" if the batch was still being scored at the end.
        report["batch"] = {"total": state["total"], "done_at_end": state["done"], "status_at_end": state["status"]}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--max-requests", type=int, default=5000, help="stop after this many requests (default 5000)")
    parser.add_argument("--timeout", type=float, default=120.0, help="a client gives up on one request after this many seconds")
    parser.add_argument("--during-batch", type=int, default=0, metavar="CVS", help="first submit a batch of this many CVs")
    parser.add_argument("--base-url", help="a running stack (loopback only); by default the script starts its own")
    parser.add_argument("--token", help="APP_TOKEN of the running stack given by --base-url")
    parser.add_argument("--output", type=Path, help="JSON report (default bench/results/<time>-load.json)")
    parser.add_argument("--workdir", type=Path, help="keep the started stack's logs and database here (default: a temporary folder)")
    args = parser.parse_args()
    if args.base_url and not args.token:
        parser.error("--base-url needs --token")

    if args.base_url:
        report = {"stack": {"base_url": args.base_url}, **measure(args.base_url, args.token, args)}
    else:
        with tempfile.TemporaryDirectory() as temporary:
            folder = args.workdir or Path(temporary)
            folder.mkdir(parents=True, exist_ok=True)
            with local_stack(folder, stack_env()) as stack:
                settings = {name: stack.env[name] for name in REPORTED_SETTINGS if name in stack.env}
                report = {"stack": {"model": MODEL, **settings}, **measure(stack.base_url, stack.token, args, stack.matches_waiting)}
    report["run"] = {"clients": args.clients, "duration": args.duration, "max_requests": args.max_requests, "during_batch": args.during_batch}
    # Other work on the machine changes every number here; the load average says how busy it was.
    report["machine"] = {"cores": os.cpu_count(), "load_average_1_5_15_min_at_end": [round(v, 2) for v in os.getloadavg()]}

    output = args.output or PROJECT_ROOT / "bench" / "results" / time.strftime("%Y%m%d-%H%M%S-load.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(describe(report))
    print(f"written to {output}")


def describe(report: dict[str, Any]) -> str:
    """The report in a few human lines."""
    latency = report["latency_ms_answered"]
    lines = [
        f"stack: {report['stack']}",
        f"{report['run']['clients']} clients, {report['requests']} requests in {report['seconds']} s: "
        f"{report['answered_per_second']} answered matches/s",
        "answered, ms: " + (" / ".join(f"{name} {value}" for name, value in latency.items()) if latency else "none"),
        "mix: " + ", ".join(f"{kind}: {count}" for kind, count in report["mix"].items()),
    ]
    if report["latency_ms_503"]:
        lines.append("503, ms: " + " / ".join(f"{name} {value}" for name, value in report["latency_ms_503"].items()))
    lines.append("GET /api/health meanwhile, ms: " + " / ".join(f"{name} {value}" for name, value in report["health_latency_ms"].items())
                 + f"; failed (no answer within 5 s): {report['health_failures']}")
    if report["queue_depth_max"] is not None:
        lines.append(f"most matches waiting in Redis at once: {report['queue_depth_max']}")
    if "batch" in report:
        lines.append(f"background batch: {report['batch']}")
    lines.append(f"machine: {report['machine']}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
