"""Which worker processes have their model loaded: announced by the worker, read by /api/health.

Each worker child process writes one Redis key with a time-to-live after loading its model
and refreshes it while it lives, so a crashed process drops out by itself.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import redis

_KEY_PREFIX = "cv_match:worker:"


class WorkerRegistry:
    """Announce and list ready worker processes."""

    def __init__(self, client: redis.Redis, *, ttl_seconds: int) -> None:
        self._client = client
        self._ttl = ttl_seconds

    def announce(self, process_id: str, info: dict[str, Any]) -> None:
        """Mark a process ready for the next `ttl_seconds`."""
        payload = {**info, "process": process_id, "seen_at": time.time()}
        self._client.set(_KEY_PREFIX + process_id, json.dumps(payload), ex=self._ttl)

    def withdraw(self, process_id: str) -> None:
        """Remove a process that is shutting down."""
        self._client.delete(_KEY_PREFIX + process_id)

    def ready(self) -> list[dict[str, Any]]:
        """Every process announced within its time-to-live."""
        keys = list(self._client.scan_iter(match=_KEY_PREFIX + "*", count=100))
        values = self._client.mget(keys) if keys else []
        return [json.loads(value) for value in values if value]

    def keep_announcing(self, process_id: str, info: dict[str, Any]) -> threading.Event:
        """Announce now and every third of the TTL from a daemon thread; set the returned event to stop."""
        stop = threading.Event()
        self.announce(process_id, info)

        def refresh() -> None:
            while not stop.wait(self._ttl / 3):
                try:
                    self.announce(process_id, info)
                except redis.RedisError:
                    pass  # Redis is down; the key expires and health shows it until Redis is back.

        threading.Thread(target=refresh, name="readiness", daemon=True).start()
        return stop
