"""POST /api/match and GET /api/match/<task_id> through a real Redis and a real worker process."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse
from sqlalchemy import text

from api.app import create_app
from shared.config import PROJECT_ROOT, Settings
from shared.db import create_db_engine
from tests.integration.test_api_basics import assert_error
from tests.support.processes import free_port
from tests.support.qualification_cvs import DATA_ENGINEER_CV, ENGINEERING_JOB, FRESH_GRADUATE_CV

pytestmark = pytest.mark.usefixtures("worker")

CVS = PROJECT_ROOT / "data" / "sample" / "cvs"


def match_body(cv: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {"candidate_id": cv, "candidate_name": f"Candidate {cv}", "cv_text": (CVS / f"{cv}.txt").read_text()}
    return {**body, **overrides}


def answer_once_scored(client: FlaskClient, result_url: str, auth: dict[str, str], timeout: float = 60) -> TestResponse:
    """GET a result URL until it no longer answers 202 (still queued), or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    response = client.get(result_url, headers=auth)
    while response.status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.1)
        response = client.get(result_url, headers=auth)
    return response


def stored_row(settings: Settings, task_id: str) -> dict[str, object]:
    with create_db_engine(settings.database_url).connect() as connection:
        row = connection.execute(text("SELECT * FROM match_results WHERE task_id = :t"), {"t": task_id}).one()
    return dict(row._mapping)


def test_indonesian_cv_against_english_job(client: FlaskClient, auth: dict[str, str], settings: Settings) -> None:
    # C19 is in the validation split (training.prepare_data, seed 13): its grade is a prediction, not a fitted value.
    response = client.post("/api/match", headers=auth, json=match_body("C19", job_id="J07"))
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert (result["candidate_id"], result["candidate_name"], result["job_id"]) == ("C19", "Candidate C19", "J07")
    assert result["language"] == "id" and result["grade"] == "High Match"
    scores = result["score_comparison"]
    # Both on the annotators' scale: across languages the keywords hardly meet, the embeddings do.
    assert scores["semantic_score"] > scores["keyword_score"]
    assert scores["semantic_cosine"] > scores["keyword_cosine"] >= 0
    assert scores["improvement"] == pytest.approx(scores["semantic_score"] - scores["keyword_score"], abs=0.01)
    assert set(result["breakdown"]) == {"skills", "experience", "education"}
    assert any(m["name"] == "Classroom Management" and m["cv_form"] == "pengelolaan kelas" for m in result["matched_skills"])
    assert result["model"]["name"] == "use-multilingual-v3"
    row = stored_row(settings, result["task_id"])
    assert row["status"] == "done" and row["grade"] == result["grade"] and row["semantic_score"] == scores["semantic_score"]
    cv_text = (CVS / "C19.txt").read_text()
    assert row["cv_sha256"] == hashlib.sha256(cv_text.encode()).hexdigest()
    assert cv_text not in str(row) and cv_text.splitlines()[0] not in str(row)  # only evidence sentences, not the CV


def test_english_cv_against_indonesian_job_and_unrelated_cv(client: FlaskClient, auth: dict[str, str]) -> None:
    nurse_job = client.post("/api/match", headers=auth, json=match_body("C17", job_id="J06")).get_json()
    # Both CVs are in the validation split: the shipped calibration was not fitted on these pairs.
    unrelated = client.post("/api/match", headers=auth, json=match_body("C03", job_id="J06")).get_json()
    assert nurse_job["language"] == "en"
    assert nurse_job["score_comparison"]["semantic_score"] > unrelated["score_comparison"]["semantic_score"] + 20
    assert unrelated["grade"] == "Low Match"


def test_inline_job(client: FlaskClient, auth: dict[str, str]) -> None:
    job = {
        "title": "Perawat ICU",
        "description": "Merawat pasien kritis di ruang ICU rumah sakit swasta.",
        "requirements": ["Minimal D3 Keperawatan", "Memiliki STR aktif", "Pengalaman 2 tahun di ICU"],
        "education_level": "D3",
    }
    result = client.post("/api/match", headers=auth, json=match_body("C16", job=job)).get_json()
    assert result["job_id"] is None
    assert result["breakdown"]["education"]["level_required"] == "D3"


def test_a_match_reports_qualifications_and_uses_the_requests_weights(client: FlaskClient, auth: dict[str, str]) -> None:
    weights = {"skills": 0.2, "experience": 0.2, "education": 0.6}
    body = {"job": ENGINEERING_JOB, "candidate_id": "meets", "candidate_name": "Ratna", "cv_text": DATA_ENGINEER_CV}
    meets = client.post("/api/match", headers=auth, json={**body, "weights": weights}).get_json()
    short = client.post("/api/match", headers=auth, json={**body, "candidate_id": "short", "cv_text": FRESH_GRADUATE_CV}).get_json()

    assert meets["qualifications"]["all_met"] is True and meets["qualifications"]["required_skills"]["total"] == 5
    assert meets["weights"] == weights
    assert meets["score_comparison"]["semantic_score"] == pytest.approx(
        sum(weight * meets["breakdown"][name]["score"] for name, weight in weights.items()), abs=0.006
    )
    assert short["weights"] == {"skills": 0.4, "experience": 0.4, "education": 0.2}
    assert short["qualifications"]["experience"] == {"required_years": 3.0, "found_years": 0.0, "met": False}
    assert short["qualifications"]["all_met"] is False
    assert {m["name"]: m["level"] for m in short["missing_skills"]}["Kubernetes"] == "nice_to_have"


def test_unknown_job_is_404(client: FlaskClient, auth: dict[str, str]) -> None:
    assert_error(client.post("/api/match", headers=auth, json=match_body("C01", job_id="J999")), 404, "job_not_found")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"job_id": "J01", "candidate_name": "A", "cv_text": "x"}, ["candidate_id"]),
        ({"job_id": "J01", "candidate_id": 12, "candidate_name": "A", "cv_text": "x"}, ["candidate_id"]),
        ({"job_id": "J01", "candidate_id": "1", "candidate_name": "A", "cv_text": ["x"]}, ["cv_text"]),
        ({"job_id": "J01", "candidate_id": "", "candidate_name": "", "cv_text": "x"}, ["candidate_id", "candidate_name"]),
        ({"candidate_id": "1", "candidate_name": "A", "cv_text": "x"}, ["body"]),
        ({"job_id": "J01", "job": {"title": "t", "description": "d", "requirements": []}, "candidate_id": "1", "candidate_name": "A", "cv_text": "x"}, ["body"]),
        ({"job": {"title": "t"}, "candidate_id": "1", "candidate_name": "A", "cv_text": "x"}, ["job.description", "job.requirements"]),
        ({"job_id": "J01", "candidate_id": "1", "candidate_name": "A", "cv_text": "x", "cv": "y"}, ["cv"]),
        ([1, 2, 3], ["body"]),
    ],
)
def test_validation_errors_name_each_field(client: FlaskClient, auth: dict[str, str], body: object, fields: list[str]) -> None:
    error = assert_error(client.post("/api/match", headers=auth, json=body), 400, "validation_error")
    assert sorted(f["field"] for f in error["details"]["fields"]) == sorted(fields)


@pytest.mark.parametrize(("cv_text", "code"), [("", "cv_text_empty"), ("  \n\t ", "cv_text_empty"), ("123 456 --- 2019", "cv_text_unreadable")])
def test_cv_that_cannot_be_scored_is_422(client: FlaskClient, auth: dict[str, str], cv_text: str, code: str) -> None:
    error = assert_error(client.post("/api/match", headers=auth, json=match_body("C01", job_id="J01", cv_text=cv_text)), 422, code)
    assert error["details"] == {"field": "cv_text"}


def test_oversize_body_and_oversize_cv_are_413(client: FlaskClient, auth: dict[str, str], settings: Settings) -> None:
    huge = "Python developer. " * (settings.max_request_bytes // 10)
    assert_error(client.post("/api/match", headers=auth, json=match_body("C01", job_id="J01", cv_text=huge)), 413, "payload_too_large")
    long_cv = "a" * (settings.max_cv_chars + 1)
    assert_error(client.post("/api/match", headers=auth, json=match_body("C01", job_id="J01", cv_text=long_cv)), 413, "cv_text_too_long")


def test_non_json_is_415_and_broken_json_is_400(client: FlaskClient, auth: dict[str, str]) -> None:
    assert_error(client.post("/api/match", headers=auth, data="job_id=J01", content_type="text/plain"), 415, "unsupported_media_type")
    assert_error(client.post("/api/match", headers=auth, data="{not json", content_type="application/json"), 400, "invalid_json")


def test_timeout_answers_504_and_the_result_arrives_later(
    settings: Settings, auth: dict[str, str], worker: subprocess.Popen[bytes]
) -> None:
    impatient = create_app(settings.model_copy(update={"match_timeout_seconds": 1.0})).test_client()
    os.killpg(worker.pid, signal.SIGSTOP)  # a worker that cannot answer in time
    try:
        response = impatient.post("/api/match", headers=auth, json=match_body("C04", job_id="J02"))
        error = assert_error(response, 504, "match_timeout")
        task_id, result_url = error["details"]["task_id"], error["details"]["result_url"]
        assert result_url == f"/api/match/{task_id}"
        pending = impatient.get(result_url, headers=auth)
        assert pending.status_code == 202
        assert pending.get_json() == {"task_id": task_id, "status": "queued", "result_url": result_url}
    finally:
        os.killpg(worker.pid, signal.SIGCONT)
    response = answer_once_scored(impatient, result_url, auth)
    assert response.status_code == 200
    assert response.get_json()["task_id"] == task_id and response.get_json()["candidate_id"] == "C04"


def test_stored_result_is_fetched_by_task_id(client: FlaskClient, auth: dict[str, str]) -> None:
    created = client.post("/api/match", headers=auth, json=match_body("C07", job_id="J03")).get_json()
    fetched = client.get(f"/api/match/{created['task_id']}", headers=auth)
    assert fetched.status_code == 200 and fetched.get_json() == created
    assert_error(client.get("/api/match/no-such-task", headers=auth), 404, "match_not_found")


def test_broker_down_is_503_within_two_seconds(settings: Settings, auth: dict[str, str]) -> None:
    dead_broker = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0", "result_backend_url": None})
    client = create_app(dead_broker).test_client()
    started = time.monotonic()
    response = client.post("/api/match", headers=auth, json=match_body("C01", job_id="J01"))
    elapsed = time.monotonic() - started
    error = assert_error(response, 503, "broker_unavailable")
    assert elapsed < 2.5 and response.headers["Retry-After"]
    assert error["details"] == {}
    health = client.get("/api/health").get_json()
    assert health["status"] == "degraded" and health["broker"] == {"reachable": False} and health["workers"]["ready"] == 0
