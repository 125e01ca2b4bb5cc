"""Real parts for integration tests: a private Redis, a Celery worker subprocess on the real
offline model, a temporary SQLite file, and the Flask app built by the factory."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.app import create_app
from shared.config import Settings
from shared.db import create_db_engine, init_db
from shared.queue import create_redis
from shared.readiness import WorkerRegistry
from tests.support.processes import RedisServer, start_worker, stop_process, wait_for

TOKEN = "integration-test-token-0123456789"
MODEL = "use-multilingual-v3"


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(workdir / "redis").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def settings(workdir: Path, redis_server: RedisServer) -> Settings:
    settings = Settings(
        _env_file=None,
        app_token=TOKEN,
        database_url=f"sqlite:///{workdir / 'cv_match.db'}",
        redis_url=redis_server.url,
        model_name=MODEL,
        match_timeout_seconds=60,
        worker_ready_ttl_seconds=10,
    )
    init_db(create_db_engine(settings.database_url), settings.seed_dir)
    return settings


def worker_env(settings: Settings) -> dict[str, str]:
    """The environment a worker subprocess needs to use the same Redis, database and model."""
    return {
        "APP_TOKEN": TOKEN,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "MODEL_NAME": settings.model_name,
        "WORKER_READY_TTL_SECONDS": str(settings.worker_ready_ttl_seconds),
        "HF_HUB_OFFLINE": "1",
        "TORCH_THREADS": "1",
    }


def ready_processes(settings: Settings) -> list[dict[str, object]]:
    return WorkerRegistry(create_redis(settings), ttl_seconds=settings.worker_ready_ttl_seconds).ready()


@pytest.fixture(scope="session")
def worker(settings: Settings, workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(worker_env(settings), log_path=workdir / "worker.log", name="integration")
    wait_for(lambda: ready_processes(settings), timeout=120, what="a worker process with its model loaded")
    yield process
    stop_process(process)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Flask:
    return create_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
