"""What each worker child process holds: the model, the engine and its database connection.

Loaded once per child process, after the fork (`worker_process_init`): never in the parent,
never per task. The process warms up on the seed jobs, then announces itself ready in Redis, which is what
`/api/health` counts.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass

from celery.signals import worker_process_init, worker_process_shutdown
from sqlalchemy import Engine

from shared.bootstrap import build_matcher, seed_jobs
from shared.config import Settings, get_settings
from shared.db import create_db_engine
from shared.engine.jobs import JobPosting
from shared.engine.matcher import Matcher
from shared.job_vectors import DatabaseJobVectors
from shared.queue import create_redis
from shared.readiness import WorkerRegistry

logger = logging.getLogger(__name__)


@dataclass
class WorkerRuntime:
    """The per-process state tasks use."""

    settings: Settings
    matcher: Matcher
    db: Engine
    process_id: str
    registry: WorkerRegistry
    stop_announcing: threading.Event


_runtime: WorkerRuntime | None = None
_lock = threading.Lock()


def current_runtime() -> WorkerRuntime:
    """This process's runtime, loading it on first use (pools without child processes need that)."""
    global _runtime
    with _lock:
        if _runtime is None:
            _runtime = _load(get_settings())
        return _runtime


def _load(settings: Settings) -> WorkerRuntime:
    if settings.cores_oversubscribed():
        logger.warning(
            "WORKER_CONCURRENCY=%s x TORCH_THREADS=%s exceeds %s cores: processes will compete for CPU",
            settings.worker_concurrency, settings.torch_threads, os.cpu_count(),
        )
    db = create_db_engine(settings.database_url)
    matcher = build_matcher(settings, job_vectors=DatabaseJobVectors(db))
    if settings.worker_warm_up:
        started = time.perf_counter()
        matcher.warm_up([JobPosting.from_dict(job) for job in seed_jobs(settings)], chunk_size=settings.batch_chunk_size)
        logger.info("worker warmed up in %.1f s", time.perf_counter() - started)
    process_id = f"{socket.gethostname()}:{os.getpid()}"
    registry = WorkerRegistry(create_redis(settings), ttl_seconds=settings.worker_ready_ttl_seconds)
    info = {"model": matcher.encoder.describe(), "calibration": matcher.calibration.describe()}
    stop = registry.keep_announcing(process_id, info)
    logger.info("worker process %s ready with model %s", process_id, matcher.encoder.name)
    return WorkerRuntime(settings, matcher, db, process_id, registry, stop)


@worker_process_init.connect
def _load_model_in_child(**_: object) -> None:
    current_runtime()


@worker_process_shutdown.connect
def _withdraw_on_shutdown(**_: object) -> None:
    if _runtime is not None:
        _runtime.stop_announcing.set()
        try:
            _runtime.registry.withdraw(_runtime.process_id)
        except Exception:  # shutting down; the key expires on its own
            logger.debug("could not withdraw %s", _runtime.process_id)
