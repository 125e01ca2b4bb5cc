"""What the API's views use, built once per app from its settings."""
from __future__ import annotations

from dataclasses import dataclass

import redis
from celery import Celery
from flask import current_app
from sqlalchemy import Engine

from shared.config import Settings
from shared.db import create_db_engine
from shared.queue import create_celery, create_redis
from shared.readiness import WorkerRegistry


@dataclass(frozen=True)
class ApiServices:
    """Settings, database, Celery client and Redis of one app."""

    settings: Settings
    db: Engine
    celery: Celery
    redis: redis.Redis
    workers: WorkerRegistry

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiServices:
        """Connect lazily: nothing here talks to Redis or the database until a request does."""
        client = create_redis(settings)
        return cls(
            settings=settings,
            db=create_db_engine(settings.database_url),
            celery=create_celery(settings),
            redis=client,
            workers=WorkerRegistry(client, ttl_seconds=settings.worker_ready_ttl_seconds),
        )


def services() -> ApiServices:
    """The services of the current app."""
    return current_app.extensions["cv_match"]  # type: ignore[no-any-return]
