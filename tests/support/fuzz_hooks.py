"""Schemathesis hooks for the fuzz run (loaded through SCHEMATHESIS_HOOKS by tests/integration/test_fuzz.py).

Two rules of the request bodies JSON Schema cannot state, which the API documents with its 400 answer:
a batch's candidate_id values must be unique ("unique by one key" is not expressible), and a request's
`weights` must add up to 1 (a sum over properties is not either). Without these hooks, schema-valid
bodies that break them would be reported as valid data rejected.
"""
from __future__ import annotations

from typing import Any

import schemathesis

_WEIGHTED = ("POST /api/batches", "POST /api/match", "POST /api/recommendations")
_SECTIONS = ("skills", "experience", "education")


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    """Drop a batch whose candidates repeat a candidate_id, and a body whose weights do not add up to 1.

    Every phase calls this hook; the coverage phase, which builds its bodies from the schema's
    boundaries, passes no body through `map_body`.
    """
    if case.operation.label not in _WEIGHTED or not isinstance(case.body, dict):
        return True
    return _ids_unique(case.body.get("candidates")) and _weights_add_up(case.body.get("weights"))


def _ids_unique(candidates: Any) -> bool:
    if not isinstance(candidates, list):
        return True
    ids = [candidate.get("candidate_id") for candidate in candidates if isinstance(candidate, dict)]
    return len(ids) == len({repr(candidate_id) for candidate_id in ids})


def _weights_add_up(weights: Any) -> bool:
    """False only for three weights in [0, 1] (schema-valid) whose sum is not 1."""
    values = _section_weights(weights)
    return values is None or abs(sum(values) - 1.0) <= 1e-6


def _section_weights(weights: Any) -> list[float] | None:
    """The three weights when `weights` is a schema-valid object of them, else None (the schema's to judge)."""
    if not isinstance(weights, dict) or set(weights) != set(_SECTIONS):
        return None
    values = [weights[name] for name in _SECTIONS]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in values):
        return None
    return values


@schemathesis.hook
def map_body(context: schemathesis.HookContext, body: Any) -> Any:
    """Scale generated section weights (three numbers in [0, 1]) so that they add up to 1, as the API requires.

    Rescaled rather than filtered: few generated triples add up to 1, and dropping the rest would leave
    the match operation with too few valid bodies to test.
    """
    if context.operation is None or context.operation.label not in _WEIGHTED or not isinstance(body, dict):
        return body
    values = _section_weights(body.get("weights"))
    if values is None:
        return body
    total = sum(values)
    scaled = [v / total for v in values] if total > 0 else [0.4, 0.4, 0.2]
    scaled[-1] = max(0.0, 1.0 - scaled[0] - scaled[1])  # the sum is 1 up to rounding in the last place
    return {**body, "weights": dict(zip(_SECTIONS, scaled))}


@schemathesis.hook
def before_add_examples(context: schemathesis.HookContext, examples: list[schemathesis.Case]) -> None:
    """The examples phase combines the documented examples without calling `filter_case`: apply it here too."""
    examples[:] = [case for case in examples if filter_case(context, case)]
