"""GET /api/openapi.json and GET /api/docs: the API described from its own schemas."""
from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, current_app, make_response, render_template

from api.endpoints import endpoint
from api.openapi import build_openapi
from api.schemas import ErrorBody
from api.security_headers import docs_page_policy

bp = Blueprint("docs", __name__)
_API_VERSION = "1.0.0"


@bp.get("/openapi.json")
@endpoint("This document", tag="docs", responses={200: ("OpenAPI 3.1 document", None), 401: ("No or wrong token", ErrorBody)},
          content_types={200: "application/json"})
def openapi_document() -> dict[str, Any]:
    return build_openapi(current_app, version=_API_VERSION)


@bp.get("/docs")
@endpoint("Human-readable API reference (HTML, no external assets)", tag="docs",
          responses={200: ("HTML page", None), 401: ("No or wrong token", ErrorBody)}, content_types={200: "text/html"})
def docs_page() -> Response:
    nonce = secrets.token_urlsafe(16)
    response = make_response(render_template("docs.html", spec=build_openapi(current_app, version=_API_VERSION), style_nonce=nonce))
    response.headers["Content-Security-Policy"] = docs_page_policy(nonce)
    return response
