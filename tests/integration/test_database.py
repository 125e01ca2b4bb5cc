"""Schema and seed on a real SQLite file: idempotent, WAL mode, busy timeout, seed content, file faults."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from shared.config import PROJECT_ROOT
from shared.db import ADDED_COLUMNS, create_db_engine, init_db, write_transaction
from shared.engine.jobs import split_alternatives
from shared.engine.skills import SkillCatalog
from tests.support.files import read_only

SEED = PROJECT_ROOT / "seed"


def test_init_db_is_idempotent(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'nested' / 'cv.db'}")
    first = init_db(engine, SEED)
    with engine.begin() as connection:
        connection.execute(text("UPDATE jobs SET title = 'Edited' WHERE job_id = 'J01'"))
    assert init_db(engine, SEED) == first >= 30
    with engine.connect() as connection:
        assert connection.execute(text("SELECT title FROM jobs WHERE job_id = 'J01'")).scalar_one() == "Edited"


def test_only_init_db_creates_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "cv.db"
    engine = create_db_engine(f"sqlite:///{path}")
    with pytest.raises(OperationalError):  # the API and the workers never start an empty database
        engine.connect()
    assert not path.exists()
    assert init_db(engine, SEED) >= 30 and path.exists()


def test_pooled_connections_follow_the_file_read_only_or_moved_away_and_back(tmp_path: Path) -> None:
    path = tmp_path / "cv.db"
    engine = create_db_engine(f"sqlite:///{path}")
    init_db(engine, SEED)
    held = [engine.connect() for _ in range(3)]  # several pooled connections, as in a busy API
    for connection in held:
        connection.execute(text("SELECT 1"))
        connection.close()

    def write() -> None:
        with write_transaction(engine) as connection:
            connection.execute(text("UPDATE jobs SET title = title WHERE job_id = 'J01'"))

    with read_only(path):
        with pytest.raises(OperationalError, match="readonly"):
            write()
        with engine.connect() as connection:  # reads go on
            assert connection.execute(text("SELECT COUNT(*) FROM jobs")).scalar_one() >= 30
    write()
    moved = path.rename(tmp_path / "elsewhere.db")
    with pytest.raises(OperationalError, match="unable to open"):
        write()
    assert not path.exists()
    moved.rename(path)
    write()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'cv.db'}")
    init_db(engine, SEED)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 30_000


def test_seed_jobs_are_varied_and_use_canonical_skills(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'cv.db'}")
    init_db(engine, SEED)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM jobs")).mappings().all()
    catalog = SkillCatalog.from_file(SEED / "skills.yaml")
    assert len({row["industry"] for row in rows}) >= 8
    languages = [row["language"] for row in rows]
    assert abs(languages.count("id") - languages.count("en")) <= 4
    alternatives_seen = nice_to_have_seen = 0
    for row in rows:
        must_have, nice_to_have = json.loads(row["required_skills"]), json.loads(row["nice_to_have_skills"])
        assert len(must_have) >= 3, row["job_id"]
        for entry in must_have + nice_to_have:
            assert all(option in catalog.skills for option in split_alternatives(entry)), (row["job_id"], entry)
        alternatives_seen += sum("|" in entry for entry in must_have + nice_to_have)
        nice_to_have_seen += bool(nice_to_have)
        assert json.loads(row["requirements"]) and row["description"]
        assert row["education_level"] in {"SMA", "D3", "S1", "S2", "S3"} and row["min_experience_years"] is not None
    assert alternatives_seen >= 5 and nice_to_have_seen >= 10  # where the postings say "or", "a plus", "diutamakan"


def test_init_db_adds_the_columns_an_older_schema_lacks(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'cv.db'}")
    init_db(engine, SEED)
    with engine.begin() as connection:
        for table, column, _ in ADDED_COLUMNS:
            connection.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        connection.exec_driver_sql("DELETE FROM jobs WHERE job_id = 'J01'")
    init_db(engine, SEED)
    with engine.connect() as connection:
        for table, column, _ in ADDED_COLUMNS:
            assert column in {c[1] for c in connection.exec_driver_sql(f"PRAGMA table_info({table})")}
        row = connection.execute(text("SELECT required_skills, nice_to_have_skills FROM jobs WHERE job_id = 'J02'")).one()
        assert json.loads(row.nice_to_have_skills) == []  # older rows get the default
        assert "Django | Flask" in connection.execute(text("SELECT required_skills FROM jobs WHERE job_id = 'J01'")).scalar_one()
