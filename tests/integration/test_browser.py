"""The API from a real browser: headless Chromium (Debian's package, which `make tools` installs), driven by
Playwright, against the served stack (gunicorn, a Celery worker on the real offline model, Redis, SQLite).

- A frontend on another local origin, listed in CORS_ORIGINS, calls POST /api/match with the token and
  gets the result; an origin not listed cannot read the answer.
- /api/docs (Swagger UI) loads without a token and without breaking its Content-Security-Policy; after
  Authorize, "Execute" on GET /api/jobs shows the jobs on the page.

Without Chromium or Playwright the tests say so and skip.
"""
from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from shared.config import PROJECT_ROOT
from tests.support.processes import free_port
from tests.support.served_stack import ServedStack, served_stack

TOKEN = "browser-test-token-5b8e1f0c7a2d4e69"
CHROMIUM = next((path for path in (shutil.which("chromium"), "/usr/bin/chromium") if path and Path(path).exists()), None)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed (make install)")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium here: `make tools` installs Debian's chromium package (needs root and apt)"
)
FRONTEND_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A recruiter's frontend</title></head>
<body><h1>Frontend test page</h1><p>Served from its own origin; it calls the CV Match API with fetch.</p></body></html>
"""
# What a frontend does: the call the README's "From a frontend" shows.
FETCH_MATCH = """async ([apiBase, token, body]) => {
  try {
    const response = await fetch(`${apiBase}/api/match`, {
      method: "POST",
      headers: {"Authorization": `Bearer ${token}`, "Content-Type": "application/json"},
      body: JSON.stringify(body),
    });
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {error: String(error)};
  }
}"""


@pytest.fixture(scope="module")
def frontend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A static page on its own port: origin http://127.0.0.1:<port> (allowed) and http://localhost:<port> (not)."""
    folder = tmp_path_factory.mktemp("frontend")
    (folder / "index.html").write_text(FRONTEND_PAGE)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def stack(frontend: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedStack]:
    with served_stack(tmp_path_factory.mktemp("browser"), token=TOKEN, env={"CORS_ORIGINS": f"http://127.0.0.1:{frontend}"}) as running:
        yield running


@pytest.fixture(scope="module")
def browser(stack: ServedStack) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: the tests may run as root (CI), where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_a_frontend_on_an_allowed_origin_calls_post_api_match(stack: ServedStack, frontend: int, browser: Any) -> None:
    cv = (PROJECT_ROOT / "data" / "sample" / "cvs" / "C16.txt").read_text()
    body = {"job_id": "J06", "candidate_id": "C16", "candidate_name": "Dewi Anggraini Putri", "cv_text": cv}
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{frontend}/index.html")
    answer = page.evaluate(FETCH_MATCH, [stack.base_url, TOKEN, body])
    assert answer.get("status") == 200, answer
    result = answer["body"]
    assert result["job_id"] == "J06" and result["candidate_id"] == "C16" and result["task_id"]
    assert result["grade"] in {"High Match", "Medium Match", "Low Match"} and 0 <= result["score_comparison"]["semantic_score"] <= 100
    assert {"skills", "experience", "education"} == set(result["breakdown"])

    # The same call from an origin CORS_ORIGINS does not list: the browser withholds the answer.
    other = browser.new_page()
    other.goto(f"http://localhost:{frontend}/index.html")
    refused = other.evaluate(FETCH_MATCH, [stack.base_url, TOKEN, body])
    assert "status" not in refused and "Failed to fetch" in refused["error"], refused


def test_swagger_ui_authorizes_and_runs_get_api_jobs(stack: ServedStack, browser: Any) -> None:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    sent: list[dict[str, str]] = []
    page.on("request", lambda request: sent.append(request.headers) if request.url.startswith(f"{stack.base_url}/api/jobs") else None)
    elsewhere: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url) if not request.url.startswith(stack.base_url) else None)

    page.goto(f"{stack.base_url}/api/docs")
    page.get_by_role("heading", name="CV Match API").wait_for()
    page.locator("button.authorize").first.click()
    page.locator(".auth-container input").fill(TOKEN)
    page.locator(".auth-btn-wrapper button.authorize").click()
    page.locator(".auth-btn-wrapper button.btn-done").click()

    operation = page.locator(".opblock-get").filter(has=page.locator('[data-path="/api/jobs"]'))
    operation.locator(".opblock-summary").click()
    operation.locator("button.execute").click()
    answer = operation.locator(".live-responses-table .response")
    answer.locator(".response-col_status").get_by_text("200").wait_for(timeout=30_000)
    shown = answer.locator(".response-col_description").inner_text()
    assert '"job_id": "J06"' in shown and '"total": 3' in shown  # the prefilled example: industry=healthcare, limit=2

    assert sent and sent[-1].get("authorization") == f"Bearer {TOKEN}"
    assert elsewhere == []  # nothing from a CDN or validator
    assert problems == []  # no Content-Security-Policy violation, no script error
