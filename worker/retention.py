"""The worker's periodic purge of results older than RETENTION_DAYS (see shared/retention.py).

Every worker's main process tries when it starts and then every RETENTION_SWEEP_SECONDS; a lease
in Redis lets one worker of the deployment purge per interval, so workers do not repeat each
other's deletes (which are idempotent anyway).
"""
from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timezone

import redis
from celery.signals import worker_ready
from sqlalchemy import Engine

from shared.config import Settings, get_settings
from shared.db import create_db_engine, write_transaction
from shared.queue import create_redis
from shared.retention import PurgeCounts, purge_expired, retention_cutoff
from worker.periodic import run_periodically

logger = logging.getLogger(__name__)

LEASE_KEY = "cv_match:retention-lease"


def purge_if_due(settings: Settings, db: Engine, client: redis.Redis, *, holder: str) -> PurgeCounts | None:
    """Purge expired results unless another worker holds this interval's lease; None when skipped."""
    cutoff = retention_cutoff(settings.retention_days, now=datetime.now(timezone.utc))
    if cutoff is None:
        return None
    lease_seconds = max(1, int(settings.retention_sweep_seconds))
    if not client.set(LEASE_KEY, holder, nx=True, ex=lease_seconds):
        return None
    with write_transaction(db) as connection:
        counts = purge_expired(connection, cutoff)
    if counts.match_results or counts.batches:
        logger.info("retention: purged %s created before %s UTC", counts.describe(), cutoff)
    return counts


@worker_ready.connect
def _purge_while_the_worker_lives(sender: object, **_: object) -> None:
    """Purge now and every RETENTION_SWEEP_SECONDS from a daemon thread of the worker's main process."""
    settings = get_settings()
    if settings.retention_days == 0:
        logger.info("retention: RETENTION_DAYS=0, results are kept forever")
        return
    db, client = create_db_engine(settings.database_url), create_redis(settings)
    holder = f"{socket.gethostname()}:{os.getpid()}"
    run_periodically(
        "retention purge", lambda: purge_if_due(settings, db, client, holder=holder), every_seconds=settings.retention_sweep_seconds
    )
