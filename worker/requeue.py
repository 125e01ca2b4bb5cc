"""Find batch items that are pending in the database but whose task Redis lost, and enqueue them again;
finish batches whose items are all stored but that were never marked finished.

Runs in every worker's main process when it starts and then every REQUEUE_SWEEP_SECONDS, so no
item stays pending while a worker is alive. By hand, without loading any model:

  python -m worker.requeue
"""
from __future__ import annotations

import argparse
import logging

import redis
from celery import Celery
from celery.signals import worker_ready
from sqlalchemy import Engine

from shared import batch_store
from shared.config import Settings, get_settings
from shared.db import create_db_engine, write_transaction
from shared.queue import BATCH_TASK, create_celery, create_redis, task_ids_in_broker
from worker.periodic import run_periodically

logger = logging.getLogger(__name__)


def requeue_lost_items(settings: Settings, db: Engine, celery: Celery, client: redis.Redis) -> int:
    """Enqueue again every pending item whose task is neither queued nor being worked on; returns how many."""
    live = task_ids_in_broker(client)
    with write_transaction(db) as connection:
        finished = batch_store.finish_stuck_batches(connection)
        tasks = batch_store.items_missing_from_broker(
            connection,
            live_task_ids=live,
            enqueued_before=batch_store.utc_now(-settings.requeue_grace_seconds),
            chunk_size=settings.batch_chunk_size,
        )
    for task in tasks:
        celery.send_task(BATCH_TASK, kwargs={"batch_id": task.batch_id, "item_indexes": list(task.item_indexes)}, task_id=task.task_id)
    if finished:
        logger.warning("marked %d batches finished whose items were all stored", finished)
    count = sum(len(task.item_indexes) for task in tasks)
    if count:
        logger.warning("re-enqueued %d pending batch items whose task Redis no longer held", count)
    return count


@worker_ready.connect
def _sweep_while_the_worker_lives(sender: object, **_: object) -> None:
    """Sweep now and every REQUEUE_SWEEP_SECONDS from a daemon thread of the worker's main process."""
    settings = get_settings()
    db, celery, client = create_db_engine(settings.database_url), create_celery(settings), create_redis(settings)
    run_periodically(
        "requeue sweep", lambda: requeue_lost_items(settings, db, celery, client), every_seconds=settings.requeue_sweep_seconds
    )


def main(argv: list[str] | None = None) -> int:
    """Run one sweep now and print how many items were enqueued again."""
    parser = argparse.ArgumentParser(prog="python -m worker.requeue", description=__doc__.splitlines()[0])
    parser.add_argument("--now", action="store_true", help="ignore REQUEUE_GRACE_SECONDS (items just enqueued too)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if args.now:
        settings = settings.model_copy(update={"requeue_grace_seconds": 0.0})
    count = requeue_lost_items(settings, create_db_engine(settings.database_url), create_celery(settings), create_redis(settings))
    print(f"re-enqueued {count} pending batch items")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
