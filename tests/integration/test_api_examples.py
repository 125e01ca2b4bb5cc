"""The OpenAPI document's examples (api/openapi_examples.json, recorded by scripts/record_api_examples.py):
one for every request body and every JSON answer, each valid for its schema, and still true of the
running stack: the request examples, sent as Swagger UI's "try it out" sends them, give the recorded answers.

When a change to scoring or to an answer's shape makes these fail, rerun the recorder against `make run`.
"""
from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import BaseModel

from api.openapi import declared_operations, recorded_examples
from api.schemas import ErrorBody

pytestmark = pytest.mark.usefixtures("worker")
RERUN = "examples out of date: rerun scripts/record_api_examples.py against `make run`"


def test_every_request_body_and_json_answer_has_an_example(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    without: list[str] = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and not body.get("examples"):
                without.append(f"{method.upper()} {path} request")
            for status, response in operation["responses"].items():
                media = response.get("content", {}).get("application/json", {})
                if "$ref" in media.get("schema", {}) and not media.get("examples"):
                    without.append(f"{method.upper()} {path} {status}")
    assert without == []
    match = document["paths"]["/api/match"]["post"]
    assert {"queue_full", "broker_unavailable", "database_unavailable"} <= set(match["responses"]["503"]["content"]["application/json"]["examples"])
    csv = document["paths"]["/api/batches/{batch_id}/results.csv"]["get"]["responses"]["200"]["content"]["text/csv"]["example"]
    assert csv.splitlines()[0].startswith("rank,") and len(csv.splitlines()) == 4  # a header and the three candidates
    jobs_parameters = {p["name"]: p.get("example") for p in document["paths"]["/api/jobs"]["get"]["parameters"]}
    assert jobs_parameters["industry"] == "healthcare" and jobs_parameters["limit"] == 2


def test_every_example_is_valid_for_its_schema_and_names_a_real_operation(app: Flask) -> None:
    operations = {f"{method.upper()} {path}": spec for path, method, spec in declared_operations(app)}
    examples = recorded_examples()
    assert set(examples["operations"]) <= set(operations)
    for key, recorded in examples["operations"].items():
        spec = operations[key]
        for example in recorded.get("request", {}).values():
            assert spec.body is not None, key
            spec.body.model_validate(example["value"])
        for status, answers in recorded.get("responses", {}).items():
            model: type[BaseModel] | None = spec.responses[int(status)][1]
            for name, example in answers.items():
                if model is None:
                    assert isinstance(example["value"], str), (key, status, name)
                    continue
                model.model_validate(example["value"])
                if model is ErrorBody and name != "only_personal_data":
                    assert example["value"]["error"]["code"] == name, (key, status)  # named after its code
        path_names = {part[1:-1] for part in key.split(" ", 1)[1].split("/") if part.startswith("{")}
        query_names = set(spec.query.model_fields) if spec.query is not None else set()
        assert set(recorded.get("parameters", {})) <= path_names | query_names, key
    for status, answers in examples["common"].items():
        for name, example in answers.items():
            assert ErrorBody.model_validate(example["value"]).error.code == name, status


def request_examples(key: str) -> dict[str, Any]:
    return {name: example["value"] for name, example in recorded_examples()["operations"][key]["request"].items()}


def recorded_answer(key: str, status: int, name: str) -> Any:
    return recorded_examples()["operations"][key]["responses"][str(status)][name]["value"]


def test_the_match_examples_give_the_recorded_results(client: FlaskClient, auth: dict[str, str]) -> None:
    for name, body in request_examples("POST /api/match").items():
        answer = client.post("/api/match", json=body, headers=auth)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        live, recorded = answer.get_json(), recorded_answer("POST /api/match", 200, name)
        assert live["grade"] == recorded["grade"], RERUN
        assert live["score_comparison"]["semantic_score"] == pytest.approx(recorded["score_comparison"]["semantic_score"], abs=1.0), RERUN
        assert [s["name"] for s in live["matched_skills"]] == [s["name"] for s in recorded["matched_skills"]], RERUN
        assert live["qualifications"] == recorded["qualifications"], RERUN


def test_the_recommendations_examples_give_the_recorded_jobs(client: FlaskClient, auth: dict[str, str]) -> None:
    for name, body in request_examples("POST /api/recommendations").items():
        answer = client.post("/api/recommendations", json=body, headers=auth)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        ranked = [result["job"]["job_id"] for result in answer.get_json()["results"]]
        recorded = recorded_answer("POST /api/recommendations", 200, name)
        assert ranked == [result["job"]["job_id"] for result in recorded["results"]], RERUN


def test_the_batch_example_finishes_as_recorded(client: FlaskClient, auth: dict[str, str]) -> None:
    (body,) = request_examples("POST /api/batches").values()
    accepted = client.post("/api/batches", json=body, headers=auth)
    assert accepted.status_code == 202, accepted.get_data(as_text=True)[:300]
    deadline = time.monotonic() + 120
    while (batch := client.get(accepted.get_json()["status_url"], headers=auth).get_json())["status"] not in {"completed", "completed_with_errors"}:
        assert time.monotonic() < deadline, batch["status"]
        time.sleep(0.5)
    recorded = recorded_answer("GET /api/batches/{batch_id}", 200, "completed")
    assert batch["status"] == recorded["status"] == "completed"
    ranked = [(result["candidate_id"], result["grade"]) for result in batch["results"]]
    assert ranked == [(result["candidate_id"], result["grade"]) for result in recorded["results"]], RERUN
