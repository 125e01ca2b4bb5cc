"""Run a job now and then every few seconds from a daemon thread of the worker's main process.

A job that fails because Redis or the database is away is logged and tried again next time.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import redis
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)

# The pool forks new children from this process (one replaces a child that died). A child forked while a
# job's thread is inside SQLite inherits SQLite's mutexes locked and hangs at its first database call,
# for good: a job's run and a fork never overlap.
_no_fork_while_running = threading.Lock()
os.register_at_fork(
    before=_no_fork_while_running.acquire,
    after_in_parent=_no_fork_while_running.release,
    after_in_child=_no_fork_while_running.release,
)


def run_periodically(name: str, job: Callable[[], object], *, every_seconds: float) -> threading.Thread:
    """Start a daemon thread that runs `job` now and then every `every_seconds`; returns the thread."""

    def loop() -> None:
        pause = threading.Event()  # never set: a wait that cannot be cut short by a signal
        while True:
            try:
                with _no_fork_while_running:
                    job()
            except (redis.RedisError, SQLAlchemyError, OSError) as error:
                logger.warning("%s skipped: %s", name, error)
            pause.wait(every_seconds)

    thread = threading.Thread(target=loop, name=name, daemon=True)
    thread.start()
    return thread
