"""HR batches through the API, a real Redis and a real worker process."""
from __future__ import annotations

import csv
import io
import time

import pytest
from flask.testing import FlaskClient

from tests.integration.test_api_basics import assert_error
from shared.sample_data import sample_candidates
from tests.support.qualification_cvs import DATA_ENGINEER_CV, ENGINEERING_JOB, FRESH_GRADUATE_CV

pytestmark = pytest.mark.usefixtures("worker")


def wait_finished(client: FlaskClient, auth: dict[str, str], status_url: str, timeout: float = 180) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while True:
        state = client.get(status_url, headers=auth).get_json()
        if state["status"] in ("completed", "completed_with_errors"):
            return state  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"batch not finished: {state}"
        time.sleep(0.2)


def test_batch_of_50_mixed_cvs_completes_ranked_and_the_csv_matches(client: FlaskClient, auth: dict[str, str]) -> None:
    candidates = sample_candidates(50)
    response = client.post("/api/batches", headers=auth, json={"job_id": "J01", "candidates": candidates})
    assert response.status_code == 202
    accepted = response.get_json()
    assert accepted["total"] == 50 and accepted["rejected"] == 0
    assert response.headers["Location"] == accepted["status_url"] == f"/api/batches/{accepted['batch_id']}"

    state = wait_finished(client, auth, accepted["status_url"])
    assert (state["status"], state["total"], state["done"], state["failed"], state["progress"]) == ("completed", 50, 50, 0, 100.0)
    assert state["created_at"] <= state["started_at"] <= state["finished_at"]
    results = state["results"]
    scores = [r["score_comparison"]["semantic_score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert [r["rank"] for r in results] == list(range(1, 51))
    assert {r["candidate_id"] for r in results} == {c["candidate_id"] for c in candidates}
    assert {r["language"] for r in results} >= {"id", "en"}
    assert results[0]["candidate_id"].startswith("C01")  # the strong backend CV leads the backend job

    page = client.get(f"{accepted['status_url']}?limit=10&offset=10", headers=auth).get_json()
    assert [r["rank"] for r in page["results"]] == list(range(11, 21))
    assert page["results"] == results[10:20]

    exported = client.get(accepted["results_csv_url"], headers=auth)
    assert exported.mimetype == "text/csv" and "attachment" in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert len(rows) == 50
    for row, result in zip(rows, results):
        assert row["candidate_id"] == result["candidate_id"] and int(row["rank"]) == result["rank"]
        assert float(row["semantic_score"]) == result["score_comparison"]["semantic_score"]
        assert float(row["keyword_score"]) == result["score_comparison"]["keyword_score"]
        assert float(row["skills_score"]) == result["breakdown"]["skills"]["score"]
        assert row["grade"] == result["grade"]
        assert row["matched_skills"] == "; ".join(s["name"] for s in result["matched_skills"])

    listed = client.get("/api/batches?limit=5", headers=auth).get_json()
    assert accepted["batch_id"] in {b["batch_id"] for b in listed["items"]} and listed["total"] >= 1


def test_a_bad_cv_fails_alone_and_the_batch_completes_with_errors(client: FlaskClient, auth: dict[str, str]) -> None:
    candidates = sample_candidates(4)
    candidates[1]["cv_text"] = "   "
    candidates[3]["cv_text"] = "=HYPERLINK(\"http://x\") 123 456"
    candidates[3]["candidate_name"] = "=cmd|' /C calc'!A0"
    accepted = client.post("/api/batches", headers=auth, json={"job_id": "J06", "candidates": candidates}).get_json()
    assert accepted["rejected"] == 2
    state = wait_finished(client, auth, accepted["status_url"])
    assert (state["status"], state["done"], state["failed"]) == ("completed_with_errors", 2, 2)
    assert [(f["index"], f["error"]["code"]) for f in state["failures"]] == [(1, "cv_text_empty"), (3, "cv_text_unreadable")]
    rows = list(csv.DictReader(io.StringIO(client.get(accepted["results_csv_url"], headers=auth).get_data(as_text=True))))
    assert [row["status"] for row in rows] == ["done", "done", "failed", "failed"]
    assert rows[3]["candidate_name"].startswith("'=")  # no formula reaches the spreadsheet


def test_inline_job_batch(client: FlaskClient, auth: dict[str, str]) -> None:
    job = {"title": "Gudang", "description": "Mengelola gudang dan persediaan barang.", "requirements": "Minimal SMA\nPengalaman gudang"}
    accepted = client.post("/api/batches", headers=auth, json={"job": job, "candidates": sample_candidates(3)}).get_json()
    state = wait_finished(client, auth, accepted["status_url"])
    assert state["job_id"] is None and state["job_title"] == "Gudang" and state["done"] == 3


def test_unfinished_batch_has_no_csv_yet_and_unknown_batch_is_404(client: FlaskClient, auth: dict[str, str]) -> None:
    accepted = client.post("/api/batches", headers=auth, json={"job_id": "J02", "candidates": sample_candidates(40)}).get_json()
    early = client.get(accepted["status_url"], headers=auth).get_json()
    if early["status"] in ("queued", "running"):
        assert early["results"] == [] and early["finished_at"] is None
        assert_error(client.get(accepted["results_csv_url"], headers=auth), 409, "batch_not_finished")
    wait_finished(client, auth, accepted["status_url"])
    assert_error(client.get("/api/batches/nope", headers=auth), 404, "batch_not_found")
    assert_error(client.get("/api/batches/nope/results.csv", headers=auth), 404, "batch_not_found")


@pytest.mark.parametrize(
    ("body", "status", "code", "detail"),
    [
        ({"job_id": "J01", "candidates": []}, 400, "validation_error", "candidates"),
        ({"job_id": "J01"}, 400, "validation_error", "candidates"),
        ({"job_id": "J01", "candidates": "not a list"}, 400, "validation_error", "candidates"),
        ({"job_id": "J01", "candidates": [{"candidate_id": "a", "candidate_name": "A", "cv_text": "x"},
                                          {"candidate_id": "b", "candidate_name": "B"}]}, 400, "validation_error", "candidates[1].cv_text"),
        ({"job_id": "J01", "candidates": [{"candidate_id": 7, "candidate_name": "A", "cv_text": "x"}]}, 400, "validation_error",
         "candidates[0].candidate_id"),
        ({"job_id": "J99", "candidates": [{"candidate_id": "a", "candidate_name": "A", "cv_text": "x"}]}, 404, "job_not_found", None),
    ],
)
def test_bad_batches_get_errors_naming_index_and_field(
    client: FlaskClient, auth: dict[str, str], body: dict, status: int, code: str, detail: str | None  # type: ignore[type-arg]
) -> None:
    error = assert_error(client.post("/api/batches", headers=auth, json=body), status, code)
    if detail is not None:
        assert detail in [f["field"] for f in error["details"]["fields"]]


def test_duplicate_ids_and_oversize_batches_are_refused(client: FlaskClient, auth: dict[str, str]) -> None:
    candidates = sample_candidates(3)
    candidates[2]["candidate_id"] = candidates[0]["candidate_id"]
    error = assert_error(client.post("/api/batches", headers=auth, json={"job_id": "J01", "candidates": candidates}), 400, "duplicate_candidate_ids")
    assert error["details"]["duplicates"] == {candidates[0]["candidate_id"]: [0, 2]}
    tiny = [{"candidate_id": str(i), "candidate_name": "A", "cv_text": "Perawat"} for i in range(501)]
    error = assert_error(client.post("/api/batches", headers=auth, json={"job_id": "J01", "candidates": tiny}), 413, "batch_too_large")
    assert error["details"] == {"limit": 500, "received": 501}


def test_hr_filters_a_batch_to_the_qualified_and_well_graded_keeping_the_ranks(client: FlaskClient, auth: dict[str, str]) -> None:
    weights = {"skills": 0.5, "experience": 0.3, "education": 0.2}
    candidates = [
        {"candidate_id": "meets", "candidate_name": "Ratna", "cv_text": DATA_ENGINEER_CV},
        {"candidate_id": "short", "candidate_name": "Andi", "cv_text": FRESH_GRADUATE_CV},
        *sample_candidates(4),
    ]
    body = {"job": ENGINEERING_JOB, "candidates": candidates, "weights": weights}
    accepted = client.post("/api/batches", headers=auth, json=body).get_json()
    everyone = wait_finished(client, auth, accepted["status_url"])
    results = {r["candidate_id"]: r for r in everyone["results"]}
    assert everyone["results_total"] == 6 and (everyone["qualified"], everyone["min_grade"]) == (None, None)
    for result in results.values():
        assert result["weights"] == weights
        sections = result["breakdown"]
        assert result["score_comparison"]["semantic_score"] == pytest.approx(
            sum(weight * sections[name]["score"] for name, weight in weights.items()), abs=0.006
        )
    assert results["meets"]["qualifications"]["all_met"] is True
    assert {m["requirement"]: m["via"] for m in results["meets"]["matched_skills"]}["SQL"] == "PostgreSQL"
    assert results["short"]["qualifications"]["all_met"] is False

    qualified = client.get(f"{accepted['status_url']}?qualified=true", headers=auth).get_json()
    assert {r["candidate_id"] for r in qualified["results"]} == {c for c, r in results.items() if r["qualifications"]["all_met"]}
    assert all(r["rank"] == results[r["candidate_id"]]["rank"] for r in qualified["results"])
    assert qualified["failures"] == [] and qualified["results_total"] == len(qualified["results"])

    medium_up = {c for c, r in results.items() if r["grade"] != "Low Match" and r["qualifications"]["all_met"]}
    page = client.get(f"{accepted['status_url']}?qualified=true&min_grade=medium&limit=1", headers=auth).get_json()
    assert page["results_total"] == len(medium_up) and len(page["results"]) == min(1, len(medium_up))
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"{accepted['results_csv_url']}?qualified=true", headers=auth).get_data(as_text=True)
    )))
    assert [row["candidate_id"] for row in rows] == [r["candidate_id"] for r in qualified["results"]]
    assert rows[0]["all_met"] == "true" and rows[0]["required_skills_total"] == "5"


BAD_FILTERS = [("qualified=perhaps", "qualified"), ("min_grade=excellent", "min_grade"), ("min_grade=High%20Match", "min_grade")]


def test_bad_filters_are_400_naming_the_parameter(client: FlaskClient, auth: dict[str, str]) -> None:
    accepted = client.post("/api/batches", headers=auth, json={"job_id": "J01", "candidates": sample_candidates(1)}).get_json()
    wait_finished(client, auth, accepted["status_url"])  # leaves no work behind for the next module's busy-worker test
    for query, field in BAD_FILTERS:
        for url in (accepted["status_url"], accepted["results_csv_url"]):
            error = assert_error(client.get(f"{url}?{query}", headers=auth), 400, "validation_error")
            assert [f["field"] for f in error["details"]["fields"]] == [field], (url, query)


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"skills": 0.5, "experience": 0.5, "education": 0.5}, "weights"),
        ({"skills": 1.2, "experience": -0.2, "education": 0.0}, "weights.experience"),
        ({"skills": 0.4, "experience": 0.4, "education": 0.2, "title": 0.0}, "weights.title"),
        ({"skills": 0.5, "experience": 0.5}, "weights.education"),
        ({"skills": "0.4", "experience": 0.4, "education": 0.2}, "weights.skills"),
    ],
)
def test_bad_weights_are_400_naming_the_field(
    client: FlaskClient, auth: dict[str, str], weights: dict, field: str  # type: ignore[type-arg]
) -> None:
    for url, body in (("/api/batches", {"job_id": "J01", "candidates": sample_candidates(1)}), ("/api/match", sample_candidates(1)[0] | {"job_id": "J01"})):
        error = assert_error(client.post(url, headers=auth, json={**body, "weights": weights}), 400, "validation_error")
        assert field in [f["field"] for f in error["details"]["fields"]]
