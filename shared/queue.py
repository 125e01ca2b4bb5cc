"""The Celery app and Redis client, built from settings, for both the API and the worker.

The API only sends tasks by name (`MATCH_TASK`), so it never imports the task code or torch.
Sync matches and batch chunks travel in two queues, and workers always take a waiting match
first: a client waiting on POST /api/match waits at most for the chunks being scored right now,
never behind a whole batch.
"""
from __future__ import annotations

import json

import redis
from celery import Celery
from kombu import Exchange, Queue

from shared.config import Settings

MATCH_TASK = "cv_match.match_cv"
RECOMMEND_TASK = "cv_match.recommend_for_cv"
BATCH_TASK = "cv_match.score_batch_chunk"
MATCH_QUEUE = "cv_match"
BATCH_QUEUE = "cv_match_batches"
# In the order workers serve them (kombu's "priority" queue order: the first non-empty queue wins).
QUEUES = (MATCH_QUEUE, BATCH_QUEUE)
# What Celery's logs and task events (Flower) show of a match task's arguments instead of the CV and the candidate.
MATCH_ARGUMENTS_SHOWN = "{'request': '<candidate and CV text withheld>'}"
# Where kombu's Redis transport keeps messages a worker took but has not acknowledged yet.
_UNACKED_HASH = "unacked"


def create_celery(settings: Settings, *, include: tuple[str, ...] = ()) -> Celery:
    """A Celery app whose broker, result backend and timeouts come from `settings`."""
    app = Celery("cv_match", broker=settings.redis_url, backend=settings.celery_result_backend, include=list(include))
    timeout = settings.broker_timeout_seconds
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # Declared as Celery would create them on the fly; a worker consumes them all, in this order.
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
        task_default_queue=MATCH_QUEUE,
        task_routes={BATCH_TASK: {"queue": BATCH_QUEUE}},
        result_expires=settings.result_ttl_seconds,
        # A task is acknowledged after it ran, so a worker that dies mid-task hands it back.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        worker_send_task_events=True,
        task_send_sent_event=True,
        broker_connection_retry_on_startup=True,
        # Keep trying a lost Redis for as long as it takes (Celery's default gives up after 100 attempts
        # and the worker exits); the worker then carries on by itself once Redis is back.
        broker_connection_max_retries=None,
        # A child that replaces a dead one loads the model and warms up before it reports for work;
        # Celery's default of 4 s would kill every replacement before it is ready, forever.
        worker_proc_alive_timeout=settings.worker_process_start_timeout_seconds,
        broker_transport_options={
            "socket_connect_timeout": timeout,
            "socket_timeout": max(5.0, timeout),
            "visibility_timeout": settings.task_visibility_timeout_seconds,
            # How often a worker looks for tasks taken by a dead worker whose visibility timeout
            # ran out (kombu's default is every 100 s); the scan is one cheap sorted-set range.
            "unacked_restore_interval": max(1, min(10, settings.task_visibility_timeout_seconds // 5)),
            "unacked_restore_throttle": 1,
            "queue_order_strategy": "priority",
        },
        redis_socket_connect_timeout=timeout,
        # The default result-backend policy retries a lost Redis for about 20 s; the API must
        # answer 503 within about two seconds, and recovers on its own once Redis is back.
        result_backend_transport_options={
            "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
        },
        worker_hijack_root_logger=False,
    )
    return app


def create_redis(settings: Settings) -> redis.Redis:
    """A Redis client on the broker's URL with short timeouts (health checks, readiness)."""
    timeout = settings.broker_timeout_seconds
    return redis.Redis.from_url(
        settings.redis_url, socket_connect_timeout=timeout, socket_timeout=max(2.0, timeout), decode_responses=True
    )


def queue_depth(client: redis.Redis, queue: str = MATCH_QUEUE) -> int:
    """How many tasks wait in `queue`, not counting those a worker has taken: one LLEN."""
    return int(client.llen(queue))


def task_ids_in_broker(client: redis.Redis) -> set[str]:
    """Ids of the tasks Redis holds for us in any queue: waiting, or taken by a worker and not yet acknowledged."""
    ids = {json.loads(raw)["headers"]["id"] for queue in QUEUES for raw in client.lrange(queue, 0, -1)}
    for raw in client.hvals(_UNACKED_HASH):
        message = json.loads(raw)[0]
        ids.add(message["headers"]["id"])
    return ids
