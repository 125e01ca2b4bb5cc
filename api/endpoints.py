"""Declared endpoints: one decorator validates a view's input and documents it for OpenAPI.

The same pydantic models parse requests and build /api/openapi.json, so the document cannot
drift from what the code accepts.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from api.errors import APIError

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class EndpointSpec:
    """What /api/openapi.json says about one view."""

    summary: str
    tag: str
    responses: dict[int, tuple[str, type[BaseModel] | None]]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    public: bool = False
    content_types: dict[int, str | tuple[str, ...]] = field(default_factory=dict)
    headers: dict[int, dict[str, str]] = field(default_factory=dict)
    # A Flask config key: the view needs no token while that setting is true (the docs and DOCS_PUBLIC).
    public_if: str | None = None
    # The only values a path parameter takes, documented as its enum.
    path_values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def is_public(self, config: Mapping[str, Any]) -> bool:
        """True when this view answers without a token under `config`."""
        return self.public or (self.public_if is not None and bool(config.get(self.public_if)))


def endpoint(
    summary: str,
    *,
    tag: str,
    responses: dict[int, tuple[str, type[BaseModel] | None]],
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    public: bool = False,
    content_types: dict[int, str | tuple[str, ...]] | None = None,
    headers: dict[int, dict[str, str]] | None = None,
    public_if: str | None = None,
    path_values: dict[str, tuple[str, ...]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a view: parse `body`/`query` into models passed as keyword arguments, and document it.

    `content_types` gives the media type (or types) of a status answered without a model.
    `headers` documents response headers by status: {503: {"Retry-After": "what it means"}}.
    `public_if` names a Flask config key that makes the view public while it is true; `path_values`
    lists the only values of a path parameter.
    """
    spec = EndpointSpec(summary, tag, responses, body, query, public, content_types or {}, headers or {}, public_if, path_values or {})

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if body is not None:
                kwargs["body"] = parse_json_body(body)
            if query is not None:
                kwargs["query"] = parse_model(query, _single_valued_query(), where="query")
            return view(*args, **kwargs)

        wrapper.endpoint_spec = spec  # type: ignore[attr-defined]
        return wrapper

    return decorate


def parse_json_body(model: type[Model]) -> Model:
    """The request's JSON body as `model`; 415 for another content type, 400 for bad JSON or fields."""
    if not request.is_json:
        raise APIError(415, "unsupported_media_type", "send the body as JSON with 'Content-Type: application/json'")
    _refuse_streamed_body_over_limit()
    payload = request.get_json(silent=True)
    if payload is None:
        raise APIError(400, "invalid_json", "the body is not valid JSON")
    return parse_model(model, payload, where="body")


def _single_valued_query() -> dict[str, str]:
    """The query string as name -> value; 400 naming every parameter given more than once.

    Every documented parameter is a single value: `?limit=5&limit=500` is refused, not read as 5.
    """
    repeated = [name for name, values in request.args.lists() if len(values) > 1]
    if repeated:
        fields = [{"field": name, "message": "given more than once"} for name in repeated]
        raise APIError(400, "validation_error", "the request query has invalid fields", {"fields": fields})
    return request.args.to_dict()


def _refuse_streamed_body_over_limit() -> None:
    """413 for a chunked body (no Content-Length) that reaches MAX_CONTENT_LENGTH.

    Werkzeug refuses a declared Content-Length over the limit, but silently cuts a streamed body at
    the limit, which would then be answered as invalid JSON. A streamed body that fills the limit is
    taken as over it.
    """
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(request.get_data(cache=True)) >= limit:
        raise RequestEntityTooLarge()


def parse_model(model: type[Model], data: Any, *, where: str) -> Model:
    """Validate `data` as `model`; 400 `validation_error` naming every bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = [{"field": _field_path(e["loc"]) or where, "message": e["msg"]} for e in error.errors(include_url=False)]
        raise APIError(400, "validation_error", f"the request {where} has invalid fields", {"fields": fields}) from None


def _field_path(location: tuple[Any, ...]) -> str:
    """("candidates", 3, "cv_text") -> "candidates[3].cv_text"."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
