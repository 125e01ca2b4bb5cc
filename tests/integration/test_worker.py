"""The worker loads its model once per child process, after the fork, never per task."""
from __future__ import annotations

import subprocess
from pathlib import Path

from flask.testing import FlaskClient

from shared.config import PROJECT_ROOT, Settings
from tests.integration.conftest import ready_processes


def test_model_loads_once_in_the_child_not_in_the_parent_nor_per_task(
    client: FlaskClient, auth: dict[str, str], worker: subprocess.Popen[bytes], workdir: Path, settings: Settings
) -> None:
    cv = (PROJECT_ROOT / "data" / "sample" / "cvs" / "C13.txt").read_text()
    for index in range(5):
        body = {"job_id": "J05", "candidate_id": f"c{index}", "candidate_name": "Agus", "cv_text": cv}
        assert client.post("/api/match", headers=auth, json=body).status_code == 200

    log = (workdir / "worker.log").read_text()
    loads = [line for line in log.splitlines() if "engine ready: model=" in line]
    assert len(loads) == 1, loads  # one child process, one load, however many tasks
    assert "ForkPoolWorker" in loads[0] and "MainProcess" not in loads[0]

    ready = ready_processes(settings)
    assert len(ready) == 1
    child_pid = int(str(ready[0]["process"]).rsplit(":", 1)[1])
    assert child_pid != worker.pid  # announced by the forked child, not by the parent
    assert ready[0]["model"]["name"] == "use-multilingual-v3"  # type: ignore[index]


def test_job_embeddings_are_kept_in_the_database_for_every_worker(
    client: FlaskClient, auth: dict[str, str], settings: Settings
) -> None:
    from sqlalchemy import text

    from shared.db import create_db_engine

    cv = (PROJECT_ROOT / "data" / "sample" / "cvs" / "C22.txt").read_text()
    assert client.post("/api/match", headers=auth, json={"job_id": "J08", "candidate_id": "x", "candidate_name": "X", "cv_text": cv}).status_code == 200
    with create_db_engine(settings.database_url).connect() as connection:
        rows = connection.execute(text("SELECT model_name, vectors FROM job_embeddings")).all()
    assert rows and {row.model_name for row in rows} == {"use-multilingual-v3"}
    assert all(set(__import__("json").loads(row.vectors)) == {"skills", "experience", "education"} for row in rows)
