"""Deployment files, checked here where no Docker engine runs: the compose file validates, the
Dockerfiles lint clean, containers run the entrypoints `make run` uses, and the API image's
requirements alone are enough to run the API."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

from shared.config import PROJECT_ROOT

ENTRYPOINTS = {"bin/api", "bin/worker", "bin/flower", "bin/init-db"}
COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_compose_file_validates(tmp_path: Path) -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (make test installs Debian's package when run as root)")
    for name in ("docker-compose.yml", "Dockerfile.api", "Dockerfile.worker"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    shutil.copy(PROJECT_ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config", "-q"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_dockerfiles_lint_clean() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    result = subprocess.run([str(hadolint), "Dockerfile.api", "Dockerfile.worker"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_service_runs_an_entrypoint_that_make_run_starts() -> None:
    run_script = (PROJECT_ROOT / "scripts" / "run_local.sh").read_text()
    started_by_make_run = {script for script in ENTRYPOINTS if re.search(rf"^{script}\b", run_script, re.MULTILINE)}
    assert started_by_make_run == ENTRYPOINTS
    ours = {name: service for name, service in COMPOSE["services"].items() if "image" in service and service["image"].startswith("cv-match")}
    assert set(ours) == {"init-db", "api", "worker", "flower"}
    for name, service in ours.items():
        assert service["command"] in ([script] for script in ENTRYPOINTS), name


def test_services_have_healthchecks_restart_policies_and_wait_for_healthy_dependencies() -> None:
    services = COMPOSE["services"]
    for name, service in services.items():
        if name != "init-db":
            assert "healthcheck" in service and service["restart"] == "unless-stopped", name
    assert services["redis"]["command"][1:3] == ["--appendonly", "yes"]
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}
        assert services[name]["depends_on"]["init-db"] == {"condition": "service_completed_successfully"}
    assert {port.split(":")[-1] for name in services for port in services[name].get("ports", [])} == {"5000", "5555"}
    assert set(COMPOSE["volumes"]) == {"redis-data", "db-data", "model-cache", "models"}


def test_images_run_as_non_root_and_the_api_image_has_no_torch() -> None:
    for dockerfile in ("Dockerfile.api", "Dockerfile.worker"):
        text = (PROJECT_ROOT / dockerfile).read_text()
        assert re.search(r"^USER 10001$", text, re.MULTILINE), dockerfile
    api_requirements = (PROJECT_ROOT / "requirements" / "api.txt").read_text().lower()
    assert not re.search(r"^(torch|sentence-transformers|spacy|scikit-learn|numpy)\b", api_requirements, re.MULTILINE)
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", ".git", "models", "instance"} <= set(ignored)


def test_the_api_runs_from_its_own_requirements_alone(tmp_path: Path) -> None:
    """A fresh venv with only requirements/api.txt (what Dockerfile.api installs) serves health and jobs."""
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(PROJECT_ROOT / "requirements" / "api.txt")], check=True, timeout=600)
    probe = (
        "import sys\n"
        "from shared.config import Settings\nfrom shared.db import create_db_engine, init_db\nfrom api.app import create_app\n"
        f"settings = Settings(_env_file=None, app_token='{'t' * 24}', database_url='sqlite:///{tmp_path / 'api.db'}')\n"
        "init_db(create_db_engine(settings.database_url), settings.seed_dir)\n"
        "client = create_app(settings).test_client()\n"
        "assert client.get('/api/health').get_json()['database'] == {'reachable': True, 'writable': True, 'reason': None}\n"
        f"assert client.get('/api/jobs/J01', headers={{'Authorization': 'Bearer {'t' * 24}'}}).status_code == 200\n"
        "print(sorted(m for m in ('torch', 'numpy', 'spacy', 'sklearn', 'sentence_transformers') if m in sys.modules))\n"
    )
    # The project itself is put on the path, as `COPY shared/ api/` does in the image.
    result = subprocess.run([str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
