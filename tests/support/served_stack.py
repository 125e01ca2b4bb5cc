"""The whole service as it is deployed, over HTTP on loopback: a private redis-server, a fresh SQLite
file, a Celery worker subprocess on the real offline model and gunicorn started through bin/api.

For tests that need a real socket (fuzzing, the log files of real processes) rather than Flask's
test client. Every process logs to its own file in the stack's folder.
"""
from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.config import Settings
from shared.db import create_db_engine, init_db
from shared.queue import create_redis
from shared.readiness import WorkerRegistry
from tests.support.processes import RedisServer, free_port, start_api, start_worker, stop_process, wait_for

MODEL = "use-multilingual-v3"


@dataclass(frozen=True)
class ServedStack:
    """A running stack: where the API answers, its token, and the folder holding every log file."""

    base_url: str
    token: str
    settings: Settings
    workdir: Path

    @property
    def log_files(self) -> list[Path]:
        """Every log file the stack's processes wrote."""
        return sorted(self.workdir.rglob("*.log"))


def _health_ok(base_url: str) -> bool:
    with urllib.request.urlopen(f"{base_url}/api/health", timeout=5) as response:
        return b'"status":"ok"' in response.read()


@contextmanager
def served_stack(
    workdir: Path, *, token: str, env: dict[str, str] | None = None, log_level: str = "INFO"
) -> Iterator[ServedStack]:
    """Start the stack in `workdir` with settings `env`, stop it afterwards.

    `log_level` applies to the worker and to every logger of the API process.

    Yields once /api/health says ok: the API answers and WORKER_CONCURRENCY worker processes have loaded their model.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    redis_server = RedisServer(workdir / "redis").start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        stack_env = {
            "MODEL_NAME": MODEL,
            "HF_HUB_OFFLINE": "1",
            "TORCH_THREADS": "1",
            "WORKER_READY_TTL_SECONDS": "10",
            **(env or {}),
            # The stack's own wiring wins over `env` (which may come from .env.example).
            "APP_TOKEN": token,
            "DATABASE_URL": f"sqlite:///{workdir / 'cv_match.db'}",
            "REDIS_URL": redis_server.url,
        }
        settings = Settings(_env_file=None, **{name.lower(): value for name, value in stack_env.items() if name.lower() in Settings.model_fields})
        init_db(create_db_engine(settings.database_url), settings.seed_dir)
        processes.append(start_worker(
            stack_env, log_path=workdir / "worker.log", name="stack", concurrency=settings.worker_concurrency, log_level=log_level
        ))
        registry = WorkerRegistry(create_redis(settings), ttl_seconds=settings.worker_ready_ttl_seconds)
        wait_for(lambda: len(registry.ready()) >= settings.worker_concurrency, timeout=240,
                 what=f"{settings.worker_concurrency} worker processes with their model loaded")
        base_url = f"http://127.0.0.1:{free_port()}"
        # Every logger of the API process (the app's, Celery's client, redis-py) at `log_level`, into api.log.
        logging_config = workdir / "api-logging.json"
        logging_config.write_text(json.dumps({"root": {"level": log_level.upper(), "handlers": ["console"]}}))
        api_env = {**stack_env, "GUNICORN_CMD_ARGS": f"--log-level {log_level.lower()} --log-config-json {logging_config}"}
        processes.append(start_api({**api_env, "API_BIND": base_url.removeprefix("http://")}, log_path=workdir / "api.log"))
        wait_for(lambda: _health_ok(base_url), timeout=60, what=f"gunicorn answering {base_url}/api/health with ok")
        yield ServedStack(base_url=base_url, token=token, settings=settings, workdir=workdir)
    finally:
        for process in reversed(processes):
            stop_process(process)
        redis_server.stop()
