"""Build the OpenAPI 3.1 document from the declared endpoints and their pydantic schemas."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.endpoints import EndpointSpec
from api.schemas import ErrorBody

_PATH_PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
# The schema of each response header an endpoint may document.
_HEADER_SCHEMAS: dict[str, dict[str, Any]] = {"Retry-After": {"type": "integer", "minimum": 1}}
# Real answers of a running stack, recorded by scripts/record_api_examples.py.
EXAMPLES_FILE = Path(__file__).with_name("openapi_examples.json")
# Answered by gunicorn before any view runs (api/gunicorn_conf.py gives them the error shape), so possible everywhere.
_SERVER_LIMITS = {
    414: "Request line (path and query string) longer than the server accepts",
    431: "Request headers larger than the server accepts",
}


def build_openapi(app: Flask, *, version: str) -> dict[str, Any]:
    """The OpenAPI document of every declared view of `app`."""
    specs = declared_operations(app)
    models = {ErrorBody} | {model for _, _, spec in specs for model in _models_of(spec)}
    keyed, components = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    refs = {model: keyed[(model, "validation")] for model in models}

    paths: dict[str, dict[str, Any]] = {}
    for path, method, spec in specs:
        operation = _operation(path, spec, refs, public=spec.is_public(app.config))
        paths.setdefault(path, {})[method] = _with_examples(operation, f"{method.upper()} {path}")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CV Match API",
            "version": version,
            "description": "Scores CVs against job postings in Indonesian and English: a semantic score and a "
            "TF-IDF keyword score side by side, with the evidence behind them.\n\n"
            "Every endpoint but health and these docs needs `Authorization: Bearer <APP_TOKEN>` (the token "
            "`make run` prints and writes to `.env`): press **Authorize**, paste the token, then **Execute** on any "
            "operation. The examples are real answers of a stack with the seeded jobs: sample CV C16, an "
            "Indonesian nurse's CV, against job J06. Ids of batches and matches in the examples are those of "
            "that stack: paste the ids your own POST calls return.",
        },
        "components": {
            "schemas": components.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
        "paths": paths,
    }


def declared_operations(app: Flask) -> list[tuple[str, str, EndpointSpec]]:
    """(OpenAPI path, lower-case method, spec) of every declared view of `app`."""
    operations = []
    for rule in app.url_map.iter_rules():
        spec: EndpointSpec | None = getattr(app.view_functions[rule.endpoint], "endpoint_spec", None)
        if spec is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations.append((_PATH_PARAMETER.sub(r"{\1}", rule.rule), method.lower(), spec))
    return operations


@lru_cache(maxsize=1)
def recorded_examples() -> dict[str, Any]:
    """{"common": {status: examples}, "operations": {"POST /api/match": {"request", "parameters", "responses"}}}."""
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _with_examples(operation: dict[str, Any], key: str) -> dict[str, Any]:
    """`operation` with its recorded examples: the request body's, its parameters' and one per answer it documents."""
    examples = recorded_examples()
    recorded = examples["operations"].get(key, {})
    for parameter in operation.get("parameters", []):
        if parameter["name"] in recorded.get("parameters", {}):
            parameter["example"] = recorded["parameters"][parameter["name"]]
    if "requestBody" in operation and "request" in recorded:
        operation["requestBody"]["content"]["application/json"]["examples"] = recorded["request"]
    for status, response in operation["responses"].items():
        answers = recorded.get("responses", {}).get(status) or examples["common"].get(status)
        for media_type, media in response.get("content", {}).items():
            if answers and media_type == "application/json":
                media["examples"] = answers
            elif answers and media_type == "text/csv":
                media["example"] = next(iter(answers.values()))["value"]
    return operation


def _models_of(spec: EndpointSpec) -> list[type[BaseModel]]:
    models = [model for _, model in spec.responses.values() if model is not None]
    return models + [m for m in (spec.body, spec.query) if m is not None]


def _operation(path: str, spec: EndpointSpec, refs: dict[type[BaseModel], dict[str, Any]], *, public: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": spec.summary, "tags": [spec.tag], "responses": {}}
    parameters = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "enum": list(spec.path_values[name])} if name in spec.path_values else {"type": "string", "minLength": 1}}
        for name in re.findall(r"{([a-z_]+)}", path)
    ]
    if spec.query is not None:
        schema = spec.query.model_json_schema()
        for name, field in schema["properties"].items():
            parameters.append({"name": name, "in": "query", "required": name in schema.get("required", []), "schema": field})
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": refs[spec.body]}}}
    if public:
        operation["security"] = []
    for status, (description, model) in sorted(spec.responses.items()):
        response: dict[str, Any] = {"description": description}
        if model is not None:
            response["content"] = {"application/json": {"schema": refs[model]}}
        elif status in spec.content_types:
            declared = spec.content_types[status]
            media_types = (declared,) if isinstance(declared, str) else declared
            response["content"] = {
                media_type: {"schema": {"type": "object"} if media_type == "application/json" else {"type": "string"}}
                for media_type in media_types
            }
        if status in spec.headers:
            response["headers"] = {
                name: {"description": description, "schema": _HEADER_SCHEMAS.get(name, {"type": "string"})}
                for name, description in spec.headers[status].items()
            }
        operation["responses"][str(status)] = response
    for status, description in _SERVER_LIMITS.items():
        operation["responses"][str(status)] = {"description": description, "content": {"application/json": {"schema": refs[ErrorBody]}}}
    operation["responses"] = dict(sorted(operation["responses"].items()))
    return operation
