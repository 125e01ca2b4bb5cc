"""Real parts for integration tests: a private Redis, a Celery worker subprocess on the real
offline model, a database, and the Flask app built by the factory.

Every test that uses the stack runs twice: on a temporary SQLite file and on a fresh PostgreSQL
database (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres, is used to
create and drop it). Without a reachable PostgreSQL the second variant is skipped, saying why.
"""
from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api.app import create_app
from shared.config import Settings
from shared.db import create_db_engine, init_db
from shared.queue import create_redis
from shared.readiness import WorkerRegistry
from tests.support.processes import RedisServer, start_worker, stop_process, wait_for

TOKEN = "integration-test-token-0123456789"
MODEL = "use-multilingual-v3"
DATABASES = ("sqlite", "postgresql")
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A new empty database of `kind` for one test stack, removed afterwards; skips if PostgreSQL is absent."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'cv_match.db'}"
        return
    admin_url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL} ({type(error.orig).__name__}): PostgreSQL variant skipped")
    name = f"cv_match_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def workdir(database_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stack's folder (logs, SQLite file); one per database variant."""
    return tmp_path_factory.mktemp(f"stack-{database_kind}")


@pytest.fixture(scope="session")
def database_url(database_kind: str, workdir: Path) -> Iterator[str]:
    with fresh_database(database_kind, workdir) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_kind: str, redis_server: RedisServer, database_url: str) -> Settings:
    # Each variant on its own Redis database, so one stack's worker never takes the other's tasks.
    redis_db = DATABASES.index(database_kind)
    settings = Settings(
        _env_file=None,
        app_token=TOKEN,
        database_url=database_url,
        redis_url=redis_server.url.rsplit("/", 1)[0] + f"/{redis_db}",
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
