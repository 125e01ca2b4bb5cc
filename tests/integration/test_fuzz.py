"""Schemathesis against the served API: every operation in /api/openapi.json, with the token.

The schemathesis CLI drives gunicorn (bin/api) in front of a real worker on the offline model, a
private Redis and a SQLite file, with every check on: no server error (504, POST /api/match's
documented timeout, aside), documented status codes, content types and headers, bodies valid against
the documented schemas (errors included: the one error shape), invalid data refused, valid data
accepted, authentication enforced. tests/support/schemathesis.toml and tests/support/fuzz_hooks.py
say what the document cannot.

  FUZZ_EXAMPLES  examples per operation and phase (default 20: about a minute)
  FUZZ_SEED      the data generator's seed (default fixed, so a failure reproduces; "random" for a fresh one)

`make fuzz` runs 500 examples with a fresh seed.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.config import PROJECT_ROOT
from tests.support.served_stack import ServedStack, served_stack

TOKEN = "fuzz-test-token-0123456789abcdef"
SUPPORT = PROJECT_ROOT / "tests" / "support"
DEFAULT_SEED = "20261127"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedStack]:
    # A short match timeout: a worker busy with fuzzed batches answers 504 (documented) instead of stalling the run.
    with served_stack(tmp_path_factory.mktemp("fuzz"), token=TOKEN, env={"MATCH_TIMEOUT_SECONDS": "10"}) as running:
        yield running


def served_document(stack: ServedStack) -> dict[str, Any]:
    request = urllib.request.Request(f"{stack.base_url}/api/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)  # type: ignore[no-any-return]


def test_every_operation_answers_as_documented(stack: ServedStack, tmp_path: Path) -> None:
    # From a file: loaded from its URL, schemathesis would leave GET /api/openapi.json itself untested.
    document = served_document(stack)
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    operations = sum(len(methods) for methods in document["paths"].values())
    examples = int(os.environ.get("FUZZ_EXAMPLES", "20"))
    seed = os.environ.get("FUZZ_SEED", DEFAULT_SEED)
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(SUPPORT / "schemathesis.toml"), "--no-color",
        "run", str(tmp_path / "openapi.json"), "--url", stack.base_url,
        "--header", f"Authorization: Bearer {TOKEN}",
        "--checks", "all",
        "--max-examples", str(examples),
        "--request-timeout", "30",  # the API answers within MATCH_TIMEOUT_SECONDS (10 s); a hang is a failure
        "--generation-database", "none",
    ]
    if seed != "random":
        command += ["--seed", seed]
    run = subprocess.run(
        command,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(SUPPORT / "fuzz_hooks.py")},
        capture_output=True,
        text=True,
        timeout=120 + 15 * examples,
    )
    output = run.stdout + run.stderr
    print(output)  # schemathesis's summary, shown with pytest -s (make fuzz)
    assert run.returncode == 0, output[-8000:]
    assert "No issues found" in output, output[-8000:]
    assert re.search(rf"Selected: {operations}/{operations}\s+Tested: {operations}\b", output), output[-3000:]
