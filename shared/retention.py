"""Retention: match results and batches older than RETENTION_DAYS are deleted, with everything they hold.

Age counts from when the request arrived (`created_at`). A batch goes as a whole, finished or not:
an item still pending after RETENTION_DAYS is stuck, and its CV text is the most sensitive thing
kept. Deletes are idempotent, so two purges at once do no harm. Workers purge periodically
(worker/retention.py); by hand:

  python -m shared.retention purge [--dry-run]
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from shared.config import get_settings
from shared.db import create_db_engine, write_transaction

_EXPIRED_MATCHES = "SELECT task_id FROM match_results WHERE created_at < :cutoff"
_EXPIRED_BATCHES = "SELECT batch_id FROM batches WHERE created_at < :cutoff"


@dataclass(frozen=True)
class PurgeCounts:
    """How many rows a purge removed (or would remove)."""

    match_results: int
    batches: int
    batch_items: int

    def describe(self) -> str:
        """For logs and the command's output."""
        return f"{self.match_results} match results and {self.batches} batches ({self.batch_items} items)"


def retention_cutoff(days: int, *, now: datetime) -> str | None:
    """The stored timestamp before which results are expired, or None when `days` is 0 (keep forever).

    Timestamps are stored as UTC `YYYY-MM-DD HH:MM:SS` text, which compares in time order.
    """
    if days < 0:
        raise ValueError(f"retention days must be 0 (keep forever) or more, not {days}")
    if days == 0:
        return None
    return (now.astimezone(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")


def expired_counts(connection: Connection, cutoff: str) -> PurgeCounts:
    """What a purge with this cutoff would remove."""
    params = {"cutoff": cutoff}
    return PurgeCounts(
        match_results=connection.execute(text(f"SELECT COUNT(*) FROM ({_EXPIRED_MATCHES}) expired"), params).scalar_one(),
        batches=connection.execute(text(f"SELECT COUNT(*) FROM ({_EXPIRED_BATCHES}) expired"), params).scalar_one(),
        batch_items=connection.execute(
            text(f"SELECT COUNT(*) FROM batch_items WHERE batch_id IN ({_EXPIRED_BATCHES})"), params
        ).scalar_one(),
    )


def purge_expired(connection: Connection, cutoff: str) -> PurgeCounts:
    """Delete match results (with any kept CV text) and batches (with their items) created before `cutoff`."""
    params = {"cutoff": cutoff}
    connection.execute(text(f"DELETE FROM match_cv_texts WHERE task_id IN ({_EXPIRED_MATCHES})"), params)
    matches = connection.execute(text("DELETE FROM match_results WHERE created_at < :cutoff"), params).rowcount
    items = connection.execute(text(f"DELETE FROM batch_items WHERE batch_id IN ({_EXPIRED_BATCHES})"), params).rowcount
    batches = connection.execute(text("DELETE FROM batches WHERE created_at < :cutoff"), params).rowcount
    return PurgeCounts(match_results=int(matches), batches=int(batches), batch_items=int(items))


def main(argv: list[str] | None = None) -> int:
    """`purge [--dry-run]`: delete (or count) what is older than RETENTION_DAYS in DATABASE_URL."""
    parser = argparse.ArgumentParser(prog="python -m shared.retention", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["purge"])
    parser.add_argument("--dry-run", action="store_true", help="count what would be purged, delete nothing")
    args = parser.parse_args(argv)
    settings = get_settings()
    cutoff = retention_cutoff(settings.retention_days, now=datetime.now(timezone.utc))
    if cutoff is None:
        print("RETENTION_DAYS=0: results are kept forever, nothing purged")
        return 0
    db = create_db_engine(settings.database_url)
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    if args.dry_run:
        with db.connect() as connection:
            print(f"would purge {expired_counts(connection, cutoff).describe()} created before {cutoff} UTC from {where}")
        return 0
    with write_transaction(db) as connection:
        counts = purge_expired(connection, cutoff)
    print(f"purged {counts.describe()} created before {cutoff} UTC from {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
