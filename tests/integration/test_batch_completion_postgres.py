"""The last two chunks of a batch stored at the same instant on PostgreSQL still finish the batch.

Under READ COMMITTED each chunk's transaction sees the other's items as pending until the other
commits; if both check "anything pending?" before either commits, neither marks the batch finished
and it stays `running` at 100 % for good (issue 13). SQLite is not tested here: BEGIN IMMEDIATE
already runs the two transactions one after the other.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from shared import batch_store
from shared.config import Settings
from shared.db import create_db_engine, init_db, write_transaction
from tests.integration.conftest import fresh_database

BATCHES = 60
OUTCOME = {"score_comparison": {"semantic_score": 0.5}}


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An engine on a fresh PostgreSQL database with the schema; skips when PostgreSQL is unreachable."""
    with fresh_database("postgresql", tmp_path_factory.mktemp("postgres")) as url:
        engine = create_db_engine(url)
        init_db(engine, Settings(_env_file=None).seed_dir)
        yield engine
        engine.dispose()


@pytest.fixture
def items_stored_together(postgres: Engine) -> Iterator[threading.Barrier]:
    """Hold each transaction right after its item UPDATE until the other one has made its own.

    This is what two chunk tasks finishing at once do; without it the second would usually start
    after the first committed and the race would hardly ever show.
    """
    barrier = threading.Barrier(2, timeout=10)

    def wait_for_the_other(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE batch_items"):
            barrier.wait()

    event.listen(postgres, "after_cursor_execute", wait_for_the_other)
    yield barrier
    event.remove(postgres, "after_cursor_execute", wait_for_the_other)


def two_chunk_batch(engine: Engine, batch_id: str) -> list[batch_store.ChunkTask]:
    """A batch of two candidates, one chunk task each."""
    items = [batch_store.NewItem(index, f"c{index}", f"Candidate {index}", "cv text", f"sha{index}") for index in (0, 1)]
    with write_transaction(engine) as connection:
        return batch_store.create_batch(connection, batch_id=batch_id, job_id=None, job={"title": "Engineer"}, items=items, chunk_size=1)


def store_chunk(engine: Engine, task: batch_store.ChunkTask) -> int:
    """What a chunk task does once scored: store its outcomes in a write transaction."""
    with write_transaction(engine) as connection:
        return batch_store.store_outcomes(connection, task.batch_id, [(index, OUTCOME) for index in task.item_indexes])


def test_two_chunks_stored_at_once_finish_the_batch(postgres: Engine, items_stored_together: threading.Barrier) -> None:
    batch_ids = [f"race-{number:03d}" for number in range(BATCHES)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        for batch_id in batch_ids:
            first, second = two_chunk_batch(postgres, batch_id)
            stored = [future.result() for future in (pool.submit(store_chunk, postgres, first), pool.submit(store_chunk, postgres, second))]
            assert stored == [1, 1]

    with postgres.connect() as connection:
        summaries = [batch_store.batch_summary(connection, batch_id) for batch_id in batch_ids]
    stuck = [s["batch_id"] for s in summaries if s is None or s["finished_at"] is None or s["status"] != "completed"]
    assert not stuck, f"{len(stuck)} of {BATCHES} batches never finished: {stuck[:5]}"
    assert all(s["progress"] == 100.0 and s["done"] == 2 for s in summaries if s is not None)


def test_a_batch_left_unfinished_by_the_race_is_finished_by_the_sweep(postgres: Engine) -> None:
    two_chunk_batch(postgres, "stuck")
    with write_transaction(postgres) as connection:
        batch_store.mark_started(connection, "stuck")
        batch_store.store_outcomes(connection, "stuck", [(0, OUTCOME), (1, OUTCOME)])
        connection.execute(text("UPDATE batches SET finished_at = NULL WHERE batch_id = 'stuck'"))  # as the race left it
        assert batch_store.batch_summary(connection, "stuck")["status"] == "running"
    running = two_chunk_batch(postgres, "still-running")
    with write_transaction(postgres) as connection:
        batch_store.mark_started(connection, "still-running")
    store_chunk(postgres, running[0])

    with write_transaction(postgres) as connection:
        assert batch_store.finish_stuck_batches(connection) == 1
    with postgres.connect() as connection:
        stuck, other = batch_store.batch_summary(connection, "stuck"), batch_store.batch_summary(connection, "still-running")
        last_item = connection.execute(text("SELECT MAX(finished_at) FROM batch_items WHERE batch_id = 'stuck'")).scalar_one()
    assert stuck["status"] == "completed" and stuck["finished_at"] is not None
    assert batch_store.iso(last_item) == stuck["finished_at"]
    assert other["status"] == "running"  # one item still pending
