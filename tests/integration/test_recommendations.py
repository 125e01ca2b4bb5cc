"""Jobs for one CV through the API, a real Redis, a real worker and the real offline model."""
from __future__ import annotations

import os
import signal
import subprocess

import pytest
from flask.testing import FlaskClient

from api.app import create_app
from shared.config import PROJECT_ROOT, Settings
from tests.integration.test_api_basics import assert_error
from tests.integration.test_match import answer_once_scored
from tests.support.processes import free_port

pytestmark = pytest.mark.usefixtures("worker")

CVS = PROJECT_ROOT / "data" / "sample" / "cvs"


def body(cv: str, **overrides: object) -> dict[str, object]:
    return {"candidate_id": cv, "candidate_name": f"Candidate {cv}", "cv_text": (CVS / f"{cv}.txt").read_text(), **overrides}


def test_the_best_seeded_jobs_for_a_nurse_cv_with_the_scores_of_single_matches(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post("/api/recommendations", headers=auth, json=body("C16", limit=3))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()

    assert (answer["candidate_id"], answer["jobs_considered"], answer["language"]) == ("C16", 32, "id")
    assert answer["cv_sections_found"] and answer["model"]["name"] == "use-multilingual-v3"
    results = answer["results"]
    assert [r["rank"] for r in results] == [1, 2, 3]
    scores = [r["score_comparison"]["semantic_score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert results[0]["job"]["job_id"] == "J06" and results[0]["job"]["title"] == "Perawat Pelaksana Rawat Inap"
    assert all(r["job"]["industry"] == "Healthcare" for r in results)
    for result in results:  # each job explained, the CV's reading said once
        assert result["breakdown"]["skills"]["evidence"] and result["qualifications"] is not None
        assert "language" not in result and "model" not in result
    single = client.post("/api/match", headers=auth, json=body("C16", job_id="J06")).get_json()
    assert single["score_comparison"]["semantic_score"] == pytest.approx(scores[0], abs=0.01)
    assert single["grade"] == results[0]["grade"] and single["qualifications"] == results[0]["qualifications"]

    stored = client.get(f"/api/recommendations/{answer['task_id']}", headers=auth)
    assert stored.status_code == 200 and stored.get_json() == answer
    assert_error(client.get(f"/api/match/{answer['task_id']}", headers=auth), 404, "match_not_found")
    assert client.delete(f"/api/recommendations/{answer['task_id']}", headers=auth).status_code == 204
    assert_error(client.get(f"/api/recommendations/{answer['task_id']}", headers=auth), 404, "recommendations_not_found")


def test_filters_and_weights(client: FlaskClient, auth: dict[str, str]) -> None:
    weights = {"skills": 0.6, "experience": 0.2, "education": 0.2}
    answer = client.post(
        "/api/recommendations", headers=auth, json=body("C01", industry="it", language="en", limit=50, weights=weights)
    ).get_json()
    assert answer["jobs_considered"] == len(answer["results"]) >= 1
    assert {(r["job"]["industry"], r["job"]["language"]) for r in answer["results"]} == {("IT", "en")}
    assert all(r["weights"] == weights for r in answer["results"])
    nothing = client.post("/api/recommendations", headers=auth, json=body("C01", industry="Astronomy")).get_json()
    assert (nothing["jobs_considered"], nothing["results"]) == (0, [])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"limit": 0}, "limit"), ({"limit": 51}, "limit"), ({"limit": "3"}, "limit"), ({"language": "fr"}, "language"),
     ({"job_id": "J01"}, "job_id"), ({"weights": {"skills": 1, "experience": 1, "education": 1}}, "weights")],
)
def test_bad_requests_are_400_naming_the_field(client: FlaskClient, auth: dict[str, str], overrides: dict, field: str) -> None:  # type: ignore[type-arg]
    error = assert_error(client.post("/api/recommendations", headers=auth, json=body("C01", **overrides)), 400, "validation_error")
    assert field in [f["field"] for f in error["details"]["fields"]]


def test_an_unreadable_cv_is_422_and_nothing_is_queued(client: FlaskClient, auth: dict[str, str]) -> None:
    assert_error(client.post("/api/recommendations", headers=auth, json=body("C01", cv_text="  12 34 ")), 422, "cv_text_unreadable")


def test_timeout_answers_504_with_a_result_url_and_the_answer_arrives_later(
    settings: Settings, auth: dict[str, str], worker: subprocess.Popen[bytes]
) -> None:
    impatient = create_app(settings.model_copy(update={"match_timeout_seconds": 1.0})).test_client()
    os.killpg(worker.pid, signal.SIGSTOP)
    try:
        error = assert_error(impatient.post("/api/recommendations", headers=auth, json=body("C04", limit=2)), 504, "match_timeout")
        result_url = error["details"]["result_url"]
        assert result_url == f"/api/recommendations/{error['details']['task_id']}"
        assert impatient.get(result_url, headers=auth).status_code == 202
        assert_error(impatient.delete(result_url, headers=auth), 409, "recommendations_not_finished")
    finally:
        os.killpg(worker.pid, signal.SIGCONT)
    response = answer_once_scored(impatient, result_url, auth)
    assert response.status_code == 200 and len(response.get_json()["results"]) == 2


def test_broker_down_is_503(settings: Settings, auth: dict[str, str]) -> None:
    dead_broker = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0", "result_backend_url": None})
    response = create_app(dead_broker).test_client().post("/api/recommendations", headers=auth, json=body("C01"))
    assert_error(response, 503, "broker_unavailable")
    assert response.headers["Retry-After"]
