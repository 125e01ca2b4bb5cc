"""The worker's Celery app: `celery -A worker.celery_app worker -E`."""
from __future__ import annotations

from shared.config import get_settings
from shared.queue import create_celery

app = create_celery(get_settings(), include=("worker.tasks", "worker.runtime", "worker.requeue", "worker.retention"))
