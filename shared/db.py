"""Database access for the API, the worker and the tools: engine, schema and seed.

Plain SQLAlchemy Core over a SQLite file by default. SQLite runs in WAL mode with a
busy timeout, so the API's reads and the workers' writes neither block nor fail each other.

Usage:
  python -m shared.db init-db        # apply seed/schema.sql and seed/jobs_seed.sql (idempotent)
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from contextlib import AbstractContextManager

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from shared.config import Settings, get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
_IMMEDIATE = "cv_match_immediate"
# Statements in the seed files end with ";" at the end of a line; literals never do.
_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?$", re.MULTILINE)


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
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(database_url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)

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

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # A write transaction takes the write lock up front: a deferred one that reads first and
        # writes later fails at once with "database is locked" when another writer got in between,
        # and the busy timeout cannot help it.
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


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


def init_db(engine: Engine, seed_dir: Path) -> int:
    """Apply the schema and the seed jobs; safe to run any number of times.

    Returns:
        The number of jobs in the database afterwards.
    """
    with write_transaction(engine) as connection:
        for name in ("schema.sql", "jobs_seed.sql"):
            for statement in sql_statements((seed_dir / name).read_text(encoding="utf-8")):
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
