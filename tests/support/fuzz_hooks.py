"""Schemathesis hooks for the fuzz run (loaded through SCHEMATHESIS_HOOKS by tests/integration/test_fuzz.py).

A batch's candidate_id values must be unique, a rule JSON Schema cannot state ("unique by one key" is
not expressible) and that the API documents with its 400 answer. Without this filter, schema-valid
batches with repeated ids would be reported as valid data rejected.
"""
from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    """Keep every case but a batch whose candidates repeat a candidate_id (every phase calls this hook)."""
    if case.operation.label != "POST /api/batches":
        return True
    body: Any = case.body
    candidates = body.get("candidates") if isinstance(body, dict) else None
    if not isinstance(candidates, list):
        return True
    ids = [candidate.get("candidate_id") for candidate in candidates if isinstance(candidate, dict)]
    return len(ids) == len({repr(candidate_id) for candidate_id in ids})
