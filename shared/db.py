"""Database access for the API, the worker and the tools: engine, schema and seed.

Plain SQLAlchemy Core over a SQLite file by default. SQLite runs in WAL mode with a
busy timeout, so the API's reads and the workers' writes neither block nor fail each other.

Only `init_db` creates the SQLite file. Everything else opens it read-write without creating it,
and a pooled connection is replaced when the file it opened is no longer the file at the path
(moved away, deleted, replaced) or its write permission changed: so a missing or read-only file
fails requests cleanly instead of silently starting an empty database or writing into a file
nobody will read again, and the service recovers by itself once the file is back.

Usage:
  python -m shared.db init-db        # apply seed/schema.sql and seed/jobs_seed.sql (idempotent)
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError

from shared.config import Settings, get_settings

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "cv_match_immediate"
_FILE_STATE = "cv_match_sqlite_file"
_POSTGRES_READ_ONLY_TRANSACTION = "25006"
# SQLite primary result codes that pass by themselves or by an operator's fix of the file, not of the
# code: busy, locked, out of memory, read-only, I/O error, disk full, cannot open (missing file), protocol.
# SQLITE_ERROR (a missing table or column, a broken statement), CORRUPT and NOTADB do not.
_SQLITE_TRANSIENT = {5, 6, 7, 8, 10, 13, 14, 15}
# PostgreSQL SQLSTATEs of the same kind: connection exceptions, insufficient resources (disk full, too many
# connections), operator intervention (shutdown, starting up), system errors, serialization failures and
# deadlocks, lock not available, read-only transaction.
_POSTGRES_TRANSIENT_CLASSES = ("08", "53", "57", "58", "40")
_POSTGRES_TRANSIENT_STATES = {"55P03", _POSTGRES_READ_ONLY_TRANSACTION}
# Statements in the seed files end with ";" at the end of a line; literals never do.
# Columns added to tables after their first release, as (table, column, definition): seed/schema.sql has them
# for new databases, init_db adds them to older ones.
ADDED_COLUMNS = (
    ("jobs", "nice_to_have_skills", "TEXT NOT NULL DEFAULT '[]'"),
    ("batches", "weights_json", "TEXT"),
    ("match_results", "kind", "TEXT NOT NULL DEFAULT 'match'"),
)
_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?$", re.MULTILINE)


@dataclass(frozen=True)
class DatabaseStatus:
    """What /api/health says about the database."""

    reachable: bool
    writable: bool
    reason: str | None = None


def create_db_engine(database_url: str) -> Engine:
    """An engine for `database_url`; for SQLite, WAL mode and a busy timeout on every connection.

    Statement parameters never appear in errors or logs (`hide_parameters`): they hold CV texts,
    candidate names and results, and a database error is logged by Celery's retry line at INFO.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        # A plain postgresql:// URL would ask SQLAlchemy for psycopg2; the project ships psycopg 3.
        return create_engine(url.set(drivername="postgresql+psycopg"), pool_pre_ping=True, hide_parameters=True)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    path = None
    if url.database and url.database != ":memory:":
        path = Path(url.database).resolve()
        url = url.set(database=_sqlite_uri(path, writable=True), query={**url.query, "uri": "true"})
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if path is not None:

        @event.listens_for(engine, "do_connect")
        def _open_as_the_file_allows(_dialect, record, cargs, _cparams) -> None:  # type: ignore[no-untyped-def]
            # Read-only when the file cannot be written: asked for read-write, SQLite may hand out a
            # read-write descriptor it kept open from a closed connection, and writes would go through.
            state = _file_state(path)
            record.info[_FILE_STATE] = state
            cargs[0] = _sqlite_uri(path, writable=state is None or state[2])

        @event.listens_for(engine, "checkout")
        def _same_file_as_when_opened(_dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
            # A connection keeps the file it opened, with the access it had: after a move, a delete or a
            # chmod it would go on as if nothing happened. SQLAlchemy reconnects when this raises.
            if record.info.get(_FILE_STATE) != _file_state(path):
                raise DisconnectionError(f"the database file {path} was moved, removed or changed permissions")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # A write transaction takes the write lock up front: a deferred one that reads first and
        # writes later fails at once with "database is locked" when another writer got in between,
        # and the busy timeout cannot help it.
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _sqlite_uri(path: Path, *, writable: bool) -> str:
    """The SQLite URI that opens `path` without ever creating it (init_db does that)."""
    return f"file:{quote(str(path))}?mode={'rw' if writable else 'ro'}"


def _file_state(path: Path) -> tuple[int, int, bool] | None:
    """Which file is at `path` (device, inode) and whether this process may write it; None if none is."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino, os.access(path, os.W_OK)


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite engine from `create_db_engine`; None for other databases and in-memory SQLite."""
    database = engine.url.database or ""
    if engine.url.get_backend_name() != "sqlite" or not database.startswith("file:"):
        return None
    return Path(unquote(database.removeprefix("file:").split("?", 1)[0]))


def is_read_only_error(error: BaseException) -> bool:
    """True when the database refused a write because it is read-only (the file, its mount, the server)."""
    driver_error = getattr(error, "orig", error)
    sqlite_code = getattr(driver_error, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return bool(sqlite_code & 0xFF == sqlite3.SQLITE_READONLY)  # the primary code of every SQLITE_READONLY_* variant
    return getattr(driver_error, "sqlstate", None) == _POSTGRES_READ_ONLY_TRANSACTION


def is_transient_error(error: BaseException) -> bool:
    """True when a database error may pass with time or an operator's fix (locked, busy, connection lost,
    server down, read-only, disk full, a missing file); False when the same statement will fail again
    (a missing table or column, a broken statement, a corrupt file).
    """
    if getattr(error, "connection_invalidated", False):
        return True
    driver_error = getattr(error, "orig", error)
    sqlite_code = getattr(driver_error, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in _SQLITE_TRANSIENT
    sqlstate = getattr(driver_error, "sqlstate", None)
    if sqlstate is None:  # no answer from a server at all: refused, timed out, dropped
        return True
    return sqlstate[:2] in _POSTGRES_TRANSIENT_CLASSES or sqlstate in _POSTGRES_TRANSIENT_STATES


def database_status(engine: Engine) -> DatabaseStatus:
    """Can the database be read, and written? Writes nothing: the probe updates no row and rolls back."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1 FROM jobs LIMIT 1"))
    except SQLAlchemyError as error:
        logger.warning("database check failed: %s: %s", type(error).__name__, getattr(error, "orig", error))
        return DatabaseStatus(reachable=False, writable=False, reason="the database cannot be opened or queried")
    # A transaction of its own: on SQLite, one that read first could fail to write for a reason other than read-only.
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            connection.execute(text("UPDATE jobs SET job_id = job_id WHERE 1 = 0"))
            transaction.rollback()
    except SQLAlchemyError as error:
        logger.warning("database write check failed: %s: %s", type(error).__name__, getattr(error, "orig", error))
        reason = "the database is read-only" if is_read_only_error(error) else "the database refuses writes"
        return DatabaseStatus(reachable=True, writable=False, reason=reason)
    return DatabaseStatus(reachable=True, writable=True)


def write_transaction(engine: Engine) -> AbstractContextManager[Connection]:
    """A transaction that writes (BEGIN IMMEDIATE on SQLite); commits on success, rolls back on error."""
    return engine.execution_options(**{_IMMEDIATE: True}).begin()


def sql_statements(script: str) -> list[str]:
    """Split a seed SQL file into statements (each ends with ';' at the end of a line)."""
    statements = []
    for chunk in _STATEMENT_END.split(script):
        lines = [line for line in chunk.strip().splitlines() if not line.lstrip().startswith("--")]
        if "".join(lines).strip():
            statements.append("\n".join(lines))
    return statements


def _add_missing_columns(connection: Connection) -> None:
    """Give a database made by an earlier schema.sql the columns added since (CREATE TABLE IF NOT EXISTS keeps old tables)."""
    inspector = inspect(connection)
    for table, column, definition in ADDED_COLUMNS:
        if column not in {c["name"] for c in inspector.get_columns(table)}:
            connection.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def init_db(engine: Engine, seed_dir: Path) -> int:
    """Apply the schema and the seed jobs; safe to run any number of times.

    Returns:
        The number of jobs in the database afterwards.
    """
    path = sqlite_file(engine)
    if path is not None:  # the one place that creates the file (an empty file is an empty SQLite database)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    with write_transaction(engine) as connection:
        for statement in sql_statements((seed_dir / "schema.sql").read_text(encoding="utf-8")):
            connection.exec_driver_sql(statement)
        _add_missing_columns(connection)
        for statement in sql_statements((seed_dir / "jobs_seed.sql").read_text(encoding="utf-8")):
            connection.exec_driver_sql(statement)
        count = connection.exec_driver_sql("SELECT COUNT(*) FROM jobs").scalar_one()
    return int(count)


def main(argv: list[str] | None = None) -> int:
    """`init-db`: apply schema and seed to DATABASE_URL."""
    parser = argparse.ArgumentParser(prog="python -m shared.db", description="CV Match database commands")
    parser.add_argument("command", choices=["init-db"])
    parser.parse_args(argv)
    settings: Settings = get_settings()
    count = init_db(create_db_engine(settings.database_url), settings.seed_dir)
    print(f"database ready at {make_url(settings.database_url).render_as_string(hide_password=True)}: {count} jobs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
